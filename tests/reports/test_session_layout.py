"""Page breaks, long notes, split tables, non-ASCII names, empty and unusual sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from services.conftest import PASSWORD

from kapdesk.domain.signing import Meaning
from kapdesk.services.addenda import AddendumService
from kapdesk.services.course_print import page_count
from kapdesk.services.signing import SigningService

from .clinic import LOT, T0, YES_TO_ALL, Clinic, Staff
from .conftest import Setup
from .pdftext import document, fonts_showing_text, in_order, pages

VITALS_HEADER = "Time Min BP mmHg Pulse SpO₂ Phase Class Rule fired By"


@pytest.fixture(scope="module")
def long_pages(module_setup: Setup) -> tuple[list[str], int]:
    _, course_id = module_setup.clinic.patient_and_course(
        mrn="KAP-0077", given="Thị Lan", family="Nguyễn"
    )
    sid = module_setup.clinic.long_session(course_id, T0, readings=40)
    pdf = module_setup.reports.session_summary_pdf(module_setup.staff.therapist, sid, demo=False)
    assert page_count(pdf) == len(pages(pdf))
    return pages(pdf), sid


def test_forty_readings_split_across_pages_with_the_header_repeated(
    long_pages: tuple[list[str], int],
) -> None:
    texts, _ = long_pages
    with_header = [i for i, t in enumerate(texts) if VITALS_HEADER in t]
    assert len(with_header) >= 2, "the vitals table should continue on a second page"
    assert with_header == list(range(with_header[0], with_header[0] + len(with_header)))
    text = " ".join(texts)
    # One pre-dose reading at 10:00, the dose at 10:05, then a reading every 5 minutes.
    times = ["10:00 −5 128/82"] + [
        f"{(T0 + timedelta(minutes=65 + 5 * i)):%H:%M} +{5 * i}" for i in range(1, 40)
    ]
    assert in_order(text, *times)
    last = texts[with_header[-1]]
    assert "13:20 +195 133/97 91 97 post-dose Within limits" in last


def test_long_notes_flow_over_several_pages_without_losing_text(
    long_pages: tuple[list[str], int],
) -> None:
    texts, _ = long_pages
    holding = [i for i, t in enumerate(texts) if "The patient described a sequence" in t]
    assert len(holding) >= 2
    text = " ".join(texts)
    assert in_order(text, *(f"{k}. The patient described" for k in range(1, 21)))
    assert text.count("grandmother's garden") == 20 * 4
    for number, page in enumerate(texts, start=1):
        assert page.startswith("kapdesk clinic Nguyễn, Thị Lan")
        assert page.endswith(f"Page {number} of {len(texts)}")


def test_vietnamese_name_renders_in_the_header(long_pages: tuple[list[str], int]) -> None:
    texts, _ = long_pages
    assert all("Nguyễn, Thị Lan" in t for t in texts)


@pytest.mark.parametrize(
    ("given", "family"),
    [("Conceição", "Simões"), ("Jürgen", "Müller"), ("Thị Lan", "Nguyễn"), ("Zoë", "Åberg")],
)
def test_non_ascii_names_come_back_exactly(setup: Setup, given: str, family: str) -> None:
    _, course_id = setup.clinic.patient_and_course(given=given, family=family)
    sid = setup.clinic.cancelled_session(course_id, T0)
    pdf = setup.reports.session_summary_pdf(setup.staff.clinician, sid, demo=False)
    assert f"{family}, {given}" in pages(pdf)[0]
    assert all(name.startswith("DejaVuSans") for name in fonts_showing_text(pdf))


def test_cancelled_before_dosing_is_one_sensible_page(setup: Setup) -> None:
    _, course_id = setup.clinic.patient_and_course()
    sid = setup.clinic.cancelled_session(course_id, T0)
    pdf = setup.reports.session_summary_pdf(setup.staff.clinician, sid, demo=False)
    texts = pages(pdf)
    assert len(texts) == 1
    text = texts[0]
    assert "CANCELLED before dosing. Reason: Patient unwell (fever 38.4 °C); rescheduled." in text
    assert f"Session #{sid} · cancelled · not signed" in text
    assert "Route No dose given" in text
    assert "Weight Not recorded for this session (usual weight 68 kg)" in text
    assert "10:04 — 122/80 104 98 pre-dose Within limits — Test Nurse" in text
    assert "No chart: no dose was given" in text
    assert "Doses: No dose was given." in text
    assert "Side effects: No side effects recorded." in text
    assert (
        "Session cancelled before dosing: Patient unwell (fever 38.4 °C); rescheduled. "
        "No discharge was needed." in text
    )
    assert "Consent on file Not answered" in text
    assert "NOT SIGNED" in text
    assert text.endswith("Page 1 of 1")


def test_late_and_missed_readings_over_maximum_dose_and_unmet_discharge(setup: Setup) -> None:
    c: Clinic = setup.clinic
    st: Staff = setup.staff
    _, course_id = c.patient_and_course()
    m = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    c.at(m(0))
    sid = c.sessions.schedule(st.nurse, course_id, m(0), "Room 4").id
    c.sessions.check_in(st.nurse, sid)
    c.sessions.record_checklist(st.nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    c.vitals.record(st.nurse, sid, 126, 80, pulse=70, spo2=99)
    c.at(m(5))
    c.doses.record(
        st.clinician, sid, medication="racemic ketamine", route="im", amount=2.0,
        unit="mg/kg", lot_number=LOT, confirm_over_max=True,
        confirmation_reason="Tolerance after six sessions; reviewed by the prescriber.",
    )  # fmt: skip
    c.at(m(43))  # the 20-30 min window (10:25-10:35 CET) has closed: this reading is late
    c.vitals.record(st.nurse, sid, 150, 92, pulse=84, spo2=97)
    c.sessions.record_discharge_answers(
        st.nurse, sid, {"alert_oriented": True, "steady": False, "ride_home_present": True}
    )
    c.at(m(130))
    c.sessions.discharge(st.clinician, sid, unmet_reason="Transferred to the ED by ambulance.")
    text = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert (
        "10:05 0 racemic ketamine IM 2 mg/kg 140 mg LOT-2026-A17 Test Clinician First dose "
        "Over the maximum: confirmed by Test Clinician. Reason: Tolerance after six sessions; "
        "reviewed by the prescriber." in text
    )
    assert "Test Clinician clinician gave the dose, confirmed a dose over the maximum" in text
    assert "20-30 min after dose +20 to +30 min (10:25–10:35) Late 10:43 (+38 min)" in text
    assert "Before discharge +105 to +125 min (11:50–12:10) Missed —" in text
    assert (
        "Discharged against criteria: Transferred to the ED by ambulance. "
        "Discharged at 2026-03-02 12:10 by Test Clinician; 3 criteria not met." in text
    )
    assert "DISCHARGED AGAINST CRITERIA: Transferred to the ED by ambulance." in text
    assert "Every required reading taken Not met Due now: Before discharge." in text
    assert "Steady on feet Not met Not confirmed" in text
    assert "Vitals acceptable Not met Latest reading BP 150/92" in text


def test_a_session_still_running_says_so_and_lists_criteria_as_of_now(setup: Setup) -> None:
    c, st = setup.clinic, setup.staff
    _, course_id = c.patient_and_course()
    c.at(T0)
    sid = c.sessions.schedule(st.nurse, course_id, T0, "Room 1").id
    c.sessions.check_in(st.nurse, sid)
    c.sessions.record_checklist(st.nurse, sid, {**YES_TO_ALL, "weight_kg": 64.0})
    c.vitals.record(st.nurse, sid, 124, 78, pulse=70, spo2=98)
    c.at(T0 + timedelta(minutes=2))
    c.doses.record(st.nurse, sid, medication="racemic ketamine", route="im", amount=0.5,
                   unit="mg/kg", lot_number=LOT)  # fmt: skip
    c.at(T0 + timedelta(minutes=24))
    text = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert "IN PROGRESS: this session is dosed; the record may change." in text
    assert "Not discharged yet (the session is dosed). Criteria as of printing:" in text
    assert "Minimum observation time passed Not met 22 min observed of 2 h required" in text
    assert "20-30 min after dose +20 to +30 min (10:22–10:32) Due now —" in text


def test_signature_note_signatures_and_signed_addenda(setup: Setup) -> None:
    c, st = setup.clinic, setup.staff
    signing, addenda = SigningService(setup.ctx), AddendumService(setup.ctx)
    pid, course_id = c.patient_and_course()
    sid = c.simple_session(course_id, pid, T0)
    c.notes.save_session_note(st.therapist, sid, "Uneventful session.")
    note = c.notes.create_integration_note(st.therapist, course_id, follows_session_id=sid)
    c.notes.update_integration_note(st.therapist, note.id, sections={"themes": "Calm, hopeful."})
    unsigned = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert "NOT SIGNED – this session record has not been reviewed and signed." in unsigned
    assert "· not signed" in unsigned

    c.at(T0 + timedelta(hours=4))
    sig = signing.sign(st.clinician, "dosing_session", sid, PASSWORD)
    signing.sign(st.therapist, "note", note.id, PASSWORD, meaning=Meaning.AUTHORED)
    c.at(T0 + timedelta(hours=5))
    added = addenda.add_addendum(
        st.nurse, "dosing_session", sid, "The ride home was her sister, not her partner.",
        corrected={"Ride home present": "yes (sister)"},
    )  # fmt: skip
    signing.sign(st.nurse, "addendum", added.id, PASSWORD, meaning=Meaning.AUTHORED)
    text = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert "NOT SIGNED" not in text
    assert f"Session #{sid} · discharged · signed Date" in text
    stamp = "2026-03-02 14:00 CET (UTC+01:00)"
    assert f"Session #{sid}: Reviewed and signed by Test Clinician (clinician) on {stamp}" in text
    assert f"Method: password re-entry. Content SHA-256 at signing: {sig.content_sha256}" in text
    assert (
        "Session note By Test Therapist · final · held 2026-03-02 10:05 · last changed "
        f"2026-03-02 14:00 · reviewed and signed by Test Clinician on {stamp}" in text
    )
    assert f"authored and signed by Test Therapist on {stamp}" in text
    assert in_order(
        text,
        "Signature",
        "Addenda",
        f"Addendum #{added.id} to Session #{sid}",
        "By Test Nurse (nurse) · written 2026-03-02 15:00 CET (UTC+01:00) · authored and "
        "signed by Test Nurse on 2026-03-02 15:00 CET (UTC+01:00)",
        "The ride home was her sister, not her partner.",
        "Corrected values Ride home present: yes (sister)",
    )


def test_text_that_looks_like_markup_prints_verbatim(setup: Setup) -> None:
    c, st = setup.clinic, setup.staff
    pid, course_id = c.patient_and_course(allergies="Latex <severe> & tape")
    sid = c.simple_session(course_id, pid, T0)
    body = "BP <b>not</b> bold & 5 < 6 > 4\n\nSecond paragraph with a line\nbreak."
    c.notes.save_session_note(st.therapist, sid, body)
    text = document(setup.reports.session_summary_pdf(st.clinician, sid, demo=False))
    assert "Allergies Latex <severe> & tape" in text
    assert "BP <b>not</b> bold & 5 < 6 > 4 Second paragraph with a line break." in text
