"""The session summary of a known session, read back from the PDF: every section's values.

The session (tests/reports/clinic.py ``known_session``) runs 09:00-11:12 UTC on
2026-03-02; printed in Europe/Berlin, so every time reads one hour later (CET).
"""

from __future__ import annotations

import pytest

from .clinic import INTEGRATION, OVERRIDE_REASON
from .conftest import Setup
from .pdftext import fonts_showing_text, in_order, pages


@pytest.fixture(scope="module")
def printed(module_setup: Setup) -> tuple[Setup, int, bytes]:
    _, course_id = module_setup.clinic.patient_and_course()
    sid = module_setup.clinic.known_session(course_id)
    pdf = module_setup.reports.session_summary_pdf(module_setup.staff.clinician, sid, demo=False)
    return module_setup, sid, pdf


@pytest.fixture
def pdf(printed: tuple[Setup, int, bytes]) -> bytes:
    return printed[2]


@pytest.fixture
def known(printed: tuple[Setup, int, bytes]) -> int:
    return printed[1]


@pytest.fixture(scope="module")
def texts(printed: tuple[Setup, int, bytes]) -> list[str]:
    return pages(printed[2])


@pytest.fixture
def text(texts: list[str]) -> str:
    return " ".join(texts)


def test_every_page_has_the_header_and_a_numbered_footer(texts: list[str]) -> None:
    assert len(texts) >= 2
    for number, page in enumerate(texts, start=1):
        assert page.startswith("kapdesk clinic Simões, Conceição Dosing session summary")
        assert "MRN KAP-0042 · DOB 1980-05-17" in page
        # The clock stands at 2026-03-03 15:00 UTC when the known session is complete.
        assert "Printed by Test Clinician on 2026-03-03 16:00 CET (UTC+01:00)" in page
        assert "Confidential patient information" in page
        assert page.endswith(f"Page {number} of {len(texts)}")
        assert "DEMO" not in page


def test_session_facts(text: str, known: int) -> None:
    assert f"Session #{known} · discharged · not signed Date 2026-03-02 (Monday)" in text
    assert "Room Room 2 – Garden Route IM" in text
    assert "Weight 70 kg (weighed for this session)" in text
    assert "Protocol kap-default v1.0 – Ketamine-assisted psychotherapy, default monitoring" in text
    assert "Course #1, started 2026-03-02; 1 dosing session" in text
    assert "Times scheduled 10:00 · checked in 10:00 · first dose 10:10 · discharged 12:12" in text
    assert "Allergies Penicillin (rash) Contraindications None recorded" in text
    assert "Times are local: CET (UTC+01:00)." in text


def test_staff_involved_with_roles_and_parts(text: str) -> None:
    assert (
        "Test Nurse nurse scheduled, check-in, checklist, discharge criteria, vital signs, "
        "gave the dose, gave a booster, discharge" in text
    )
    assert "Test Clinician clinician recorded the override by Dr. Jürgen Müller" in text
    assert (
        "Test Therapist therapist side effects, observations, session note, integration note"
        in text
    )


def test_checklist_answers(text: str) -> None:
    for row in (
        "Consent on file Yes",
        "Ride home arranged (no driving until the next day) Yes",
        "Fasting (no food 2 h, no liquids 30 min) Yes",
        "No new sedating or stimulant medicines Yes",
        "Contraindication screen clear (uncontrolled hypertension, substance misuse, "
        "psychosis, pregnancy) Yes",
        "Weight today 70 kg",
    ):
        assert row in text
    # Intranasal-only items do not apply to an IM session.
    assert "nasal steroid" not in text


def test_vitals_table_rows_with_classification_rule_and_recorder(text: str) -> None:
    elevated = "pre-dose-elevated: systolic ≥ 140 or diastolic ≥ 90 mmHg"
    rows = [
        f"10:02 −8 146/92 78 98 pre-dose Elevated {elevated} Test Nurse",
        f"10:08 −2 144/91 76 98 pre-dose Elevated {elevated} Test Nurse",
        "10:35 +25 168/98 96 97 post-dose Within limits — Test Nurse",
        "10:50 +40 186/112 104 96 post-dose Alert post-dose-alert: systolic > 180 or "
        "diastolic > 110 mmHg; rise-from-baseline: systolic ≥ 40 or diastolic ≥ 25 mmHg above "
        "the pre-dose baseline Test Nurse",
        "10:55 +45 176/104 98 97 post-dose Within limits — Test Nurse",
        "11:04 +54 158/94 90 98 post-dose Within limits — Test Nurse",
        "12:05 +115 132/84 74 98 post-dose Within limits — Test Nurse",
    ]
    for row in rows:
        assert row in text
    assert in_order(text, *rows)
    assert "Classified under kap-default v1.0." in text


def test_bp_chart_shows_thresholds_doses_and_legend(text: str) -> None:
    assert in_order(text, "Vital signs", "Systolic Diastolic Pulse Reading due", "10:02 −8")
    for label in (
        "SBP > 180 alert (post-dose)",
        "DBP > 110 alert (post-dose)",
        "SBP > 200 critical (any time)",
        "DBP > 120 critical · Pulse > 120 alert (any time)",
        "Minutes from the first dose",
        "Dose",
        "Booster",
    ):
        assert label in text
    assert "kap-default v1.0 thresholds" in text


def test_each_due_reading_on_time(text: str) -> None:
    assert "Pre-dose vitals Before the first dose (from 10:00) On time 10:02" in text
    assert "20-30 min after dose (dose 1) +20 to +30 min (10:30–10:40) On time 10:35 (+25 min)" in (
        text
    )
    assert "20-30 min after dose (dose 2) +50 to +60 min (11:00–11:10) On time 11:04 (+54 min)" in (
        text
    )
    assert "Before discharge +105 to +122 min (11:55–12:12) On time 12:05 (+115 min)" in text


def test_doses_and_override(text: str) -> None:
    assert (
        "10:10 0 racemic ketamine IM 0.5 mg/kg 35 mg LOT-2026-A17 Test Nurse First dose "
        "Within the maximum" in text
    )
    assert (
        "10:40 +30 racemic ketamine IM 0.25 mg/kg 17.5 mg LOT-2026-A17 Test Nurse Booster "
        "Within the maximum" in text
    )
    assert "Total 52.5 mg in 2 doses." in text
    assert (
        f"10:09 Pre-dose hold Dr. Jürgen Müller {OVERRIDE_REASON} BP 144/91 at 10:08 (elevated) "
        "Test Clinician" in text
    )


def test_side_effects_and_observations(text: str) -> None:
    assert "Dizziness Grade 1 – mild 10:20 (+10 min) None 12:00 Test Therapist" in text
    assert (
        "Nausea Grade 2 – moderate 10:28 (+18 min) Ondansetron 4 mg ODT 11:05 Test Therapist"
        in text
    )
    assert "Checked and absent: Headache." in text
    assert "10:30 +20 MOAA/S 4 – Lethargic response to name spoken in normal tone" in text
    assert "10:40 +30 Dissociation Present: Felt detached from her body; calm, no distress." in (
        text
    )


def test_discharge_with_each_criterion(text: str) -> None:
    assert (
        "Discharged at 2026-03-02 12:12 by Test Nurse; all criteria met. "
        "Observed 2 h 02 min after dose." in text
    )
    assert (
        "Vitals acceptable Met Latest reading BP 132/84 (115 min after the first dose) is "
        "normal (kap-default v1.0)." in text
    )
    for row in ("Alert and oriented Met", "Steady on feet Met", "Ride home present Met"):
        assert row in text
    assert "Minimum observation time passed Met 2 h 02 min observed of 2 h required" in text


def test_notes_and_not_signed_line(text: str) -> None:
    assert "Session note By Test Therapist · draft · held 2026-03-02 10:10" in text
    assert "accompanied by her partner who will drive her home." in text
    assert "Mild dizziness on standing at 11:50; steady after sitting for ten minutes." in text
    assert "Integration note of 2026-03-03" in text
    assert in_order(
        text,
        f"Themes and insights {INTEGRATION['themes']}",
        f"What has changed since dosing {INTEGRATION['changes']}",
        f"Plan / homework {INTEGRATION['plan']}",
        f"Risk review {INTEGRATION['risk']}",
    )
    assert "NOT SIGNED – this session record has not been reviewed and signed." in text


def test_sections_come_in_the_documented_order(text: str) -> None:
    assert in_order(
        text,
        "Session",
        "Staff involved",
        "Pre-session checklist",
        "Vital signs",
        "Readings due under the protocol",
        "Doses",
        "Overrides",
        "Alerts acknowledged",
        "Side effects",
        "Sedation (MOAA/S) and dissociation",
        "Discharge",
        "Notes",
        "Signature",
        "NOT SIGNED",
        "End of session summary.",
    )


def test_only_the_bundled_dejavu_fonts_show_text(pdf: bytes) -> None:
    used = fonts_showing_text(pdf)
    assert used
    assert all(name.startswith("DejaVuSans") for name in used), used


def test_the_report_model_holds_the_same_rows(printed: tuple[Setup, int, bytes]) -> None:
    setup, known, _ = printed
    report = setup.reports.session_report(setup.staff.nurse, known, demo=False)
    assert [r[:3] for r in report.vitals.rows][:3] == [
        ("10:02", "−8", "146/92"),
        ("10:08", "−2", "144/91"),
        ("10:35", "+25", "168/98"),
    ]
    assert [r[2] for r in report.schedule.rows] == ["On time"] * 6  # rechecks included
    assert report.chart is not None
    assert [s.kind for s in report.chart.series] == ["systolic", "diastolic", "pulse"]
    assert report.chart.series[0].points[3] == (40.0, 186.0)
    assert [(w.x_from, w.x_to) for w in report.chart.windows] == [
        (20.0, 30.0),
        (50.0, 60.0),
        (105.0, 122.0),
    ]
    assert [(m.x, m.label) for m in report.chart.doses] == [(0.0, "Dose"), (30.0, "Booster")]
