"""What the session summary must show about safety (issue 9): missed readings, every
override (pre-dose hold, booster gate, checklist), acknowledged alerts, the pinned protocol
version with its content hash, and a discharge against criteria with its reason. An early
discharge prints the before-discharge window the right way round."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.services.alerts import AlertService
from kapdesk.services.protocol_store import protocol_of_session

from .clinic import LOT, T0, YES_TO_ALL
from .conftest import Setup
from .pdftext import document, in_order

EARLY_REASON = "Transferred to the emergency department by ambulance."
HOLD_REASON = "White-coat pattern; BP settles within minutes at every visit."
GATE_REASON = "Repeat BP 168/98 after rest; booster judged safe."
CONSENT_REASON = "Consent signed on paper this morning; scan to follow."
ACK_NOTE = "Seen at once; repeat reading arranged."


@pytest.fixture(scope="module")
def early(module_setup: Setup) -> tuple[Setup, int, str]:
    """Elevated pre-dose BP and a consent 'no', both overridden; a dose at 10:05; the
    20-30 min reading missed; a critical reading acknowledged; the booster gate
    overridden and a booster; then a clinician's discharge 41 min after the first dose."""
    st, c = module_setup, module_setup.clinic
    n, doc = st.staff.nurse, st.staff.clinician
    _, course = c.patient_and_course(mrn="KAP-0077", given="Ana", family="Lima")
    c.at(T0)
    sid = c.sessions.schedule(n, course, T0, "Room 3").id
    c.sessions.check_in(n, sid)
    c.sessions.record_checklist(n, sid, {**YES_TO_ALL, "consent": False, "weight_kg": 64.0})
    c.at(T0 + timedelta(minutes=2))
    c.vitals.record(n, sid, 146, 92, pulse=80, spo2=98)
    c.at(T0 + timedelta(minutes=3))
    c.sessions.override_hold(doc, sid, "Dr. Jürgen Müller", HOLD_REASON)
    c.sessions.override_hold(doc, sid, "Dr. Jürgen Müller", CONSENT_REASON, item_id="consent")
    c.at(T0 + timedelta(minutes=5))
    c.doses.record(n, sid, medication="racemic ketamine", route="im", amount=0.5,
                   unit="mg/kg", lot_number=LOT)  # fmt: skip
    c.at(T0 + timedelta(minutes=40))  # +35: the 20-30 min reading was never taken
    critical = c.vitals.record(n, sid, 212, 126, pulse=96, spo2=97)
    c.at(T0 + timedelta(minutes=41))
    AlertService(st.ctx).acknowledge(doc, sid, critical.reading.id, ACK_NOTE)
    c.at(T0 + timedelta(minutes=42))
    c.vitals.record(n, sid, 168, 98, pulse=90, spo2=98)
    c.sessions.override_hold(doc, sid, "Dr. Jürgen Müller", GATE_REASON)
    c.at(T0 + timedelta(minutes=43))
    c.doses.record(n, sid, medication="racemic ketamine", route="im", amount=0.25,
                   unit="mg/kg", lot_number=LOT, acknowledge_warnings=True)  # fmt: skip
    c.at(T0 + timedelta(minutes=46))
    c.sessions.discharge(doc, sid, unmet_reason=EARLY_REASON)
    pdf = st.reports.session_summary_pdf(doc, sid, demo=False)
    return st, sid, document(pdf)


@pytest.fixture
def text(early: tuple[Setup, int, str]) -> str:
    return early[2]


def test_an_early_discharge_prints_the_before_discharge_window_forwards(text: str) -> None:
    assert "+105 to +41" not in text
    assert "(11:50–10:46)" not in text
    assert (
        "Before discharge From +105 min (11:50); discharged at +41 min (10:46), "
        "before it opened Missed —" in text
    )


def test_missed_readings_are_listed(text: str) -> None:
    # The 212/126 reading at +35 counts, late, as the 20-30 min reading.
    assert "20-30 min after dose (dose 1) +20 to +30 min (10:25–10:35) Late 10:40 (+35 min)" in (
        text
    )
    assert "20-30 min after dose (dose 2) +58 to +68 min (11:03–11:13) Missed —" in text
    assert (
        "Readings missed: 3 – Recheck 5 min after the critical reading, "
        "20-30 min after dose (dose 2), Before discharge." in text
    )


def test_every_override_with_who_when_prescriber_and_reason(text: str) -> None:
    assert in_order(
        text,
        "Overrides",
        f"10:03 Pre-dose hold Dr. Jürgen Müller {HOLD_REASON} BP 146/92 at 10:02 (elevated) "
        "Test Clinician",
        f"10:03 Checklist: Consent on file Dr. Jürgen Müller {CONSENT_REASON} Answered no "
        "Test Clinician",
        f"10:42 Booster gate Dr. Jürgen Müller {GATE_REASON} BP 212/126 at 10:40 (critical) "
        "Test Clinician",
    )


def test_acknowledged_alerts_are_listed(text: str) -> None:
    assert in_order(
        text,
        "Alerts acknowledged",
        f"10:41 BP 212/126 at 10:40 (+35 min), critical Test Clinician {ACK_NOTE}",
    )


def test_the_pinned_protocol_version_and_content_hash(
    early: tuple[Setup, int, str],
) -> None:
    st, sid, text = early
    pinned = protocol_of_session(st.ctx, sid)
    assert len(pinned.fingerprint) == 12
    assert (
        "Protocol kap-default v1.0 – Ketamine-assisted psychotherapy, default monitoring "
        f"(pinned; content SHA-256 {pinned.fingerprint})" in text
    )


def test_a_discharge_against_criteria_is_shown_as_such(text: str) -> None:
    assert f"DISCHARGED AGAINST CRITERIA: {EARLY_REASON}" in text
    assert in_order(
        text,
        "Discharge",
        f"Discharged against criteria: {EARLY_REASON}",
        "Discharged at 2026-03-02 10:46 by Test Clinician;",
        "criteria not met",
        "Minimum observation time passed Not met",
    )
    assert "all criteria met" not in text


def test_the_course_summary_names_a_discharge_against_criteria(
    early: tuple[Setup, int, str],
) -> None:
    st, sid, _ = early
    course = st.clinic.sessions.get(sid).course_id
    text = document(st.reports.course_summary_pdf(st.staff.clinician, course, demo=False))
    assert "10:46 against criteria" in text


def test_warnings_acknowledged_with_a_dose_are_printed_with_it(setup: Setup) -> None:
    """Fasting answered 'no' is a warning acknowledged with the dose: the dose's row in the
    PDF says so, in the dose's own words."""
    c, n = setup.clinic, setup.staff.nurse
    _, course = c.patient_and_course(mrn="KAP-0078", given="Rui", family="Costa")
    c.at(T0)
    sid = c.sessions.schedule(n, course, T0, "Room 4").id
    c.sessions.check_in(n, sid)
    c.sessions.record_checklist(n, sid, {**YES_TO_ALL, "fasting": False, "weight_kg": 70.0})
    c.vitals.record(n, sid, 124, 80, pulse=72, spo2=98)
    c.at(T0 + timedelta(minutes=5))
    dose = c.doses.record(n, sid, medication="racemic ketamine", route="im", amount=0.5,
                          unit="mg/kg", lot_number=LOT, acknowledge_warnings=True)  # fmt: skip
    assert dose.warnings
    assert any("Fasting" in w for w in dose.warnings)
    text = document(setup.reports.session_summary_pdf(setup.staff.clinician, sid, demo=False))
    assert "Acknowledged: Checklist:" in text
    assert in_order(text, "Doses", "LOT", "Acknowledged:", "Fasting")
