"""A route name is never split inside a narrow table column (issue 12: 'intrana sal')."""

from __future__ import annotations

import re
from datetime import timedelta

from .clinic import LOT, T0, YES_TO_ALL
from .conftest import Setup
from .pdftext import document


def _intranasal_session(setup: Setup) -> tuple[int, str]:
    clinic, staff = setup.clinic, setup.staff
    _, course = clinic.patient_and_course(mrn="KAP-0007", protocol="spravato-rems")
    clinic.at(T0)
    sid = clinic.sessions.schedule(staff.nurse, course, T0, "Room 3").id
    clinic.sessions.check_in(staff.nurse, sid)
    answers = {**YES_TO_ALL, "weight_kg": 70.0, "nasal_products": True}
    clinic.sessions.record_checklist(staff.nurse, sid, answers)
    clinic.vitals.record(staff.nurse, sid, 124, 80, pulse=72, spo2=98)
    for minutes in (5, 10):
        clinic.at(T0 + timedelta(minutes=minutes))
        clinic.doses.record(
            staff.nurse, sid, medication="esketamine", route="intranasal", amount=1,
            unit="device", lot_number=LOT,
        )  # fmt: skip
    return sid, "KAP-0007"


def _split_words(text: str) -> list[str]:
    """'intrana sal' and the like: the route word broken by a line end."""
    return re.findall(r"\b(?:i|in|int|intr|intra|intran|intrana|intranas|intranasa) \w+", text)


def test_intranasal_is_one_word_in_the_session_and_course_summaries(setup: Setup) -> None:
    sid, mrn = _intranasal_session(setup)
    clinician = setup.staff.clinician
    session = document(setup.reports.session_summary_pdf(clinician, sid, demo=False))
    course = document(setup.reports.course_summary_pdf(clinician, mrn, demo=False))
    for name, text in (("session", session), ("course", course)):
        assert "intranasal" in text, name
        broken = [w for w in _split_words(text) if w.replace(" ", "") == "intranasal"]
        assert not broken, (name, broken)
