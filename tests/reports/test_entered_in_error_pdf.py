"""Entered in error in the printed summaries: the entry is printed where it was, struck
through, with who marked it, when and why; totals, the chart and the outcome leave it out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from .clinic import T0, phq9_answers
from .conftest import Setup
from .pdftext import document, in_order

READING_WHY = "Cuff on the wrong patient"
EFFECT_WHY = "Nausea was the patient in Room 2"
PHQ_WHY = "Answers typed into the wrong form"


@pytest.fixture(scope="module")
def marked(module_setup: Setup) -> tuple[Setup, int, int]:
    """A routine session whose 25-min reading (184/100, an alert) and side effect were
    marked entered in error before signing; a course with a PHQ-9 of 2 marked too."""
    st, c = module_setup, module_setup.clinic
    n, t = st.staff.nurse, st.staff.therapist
    pid, course = c.patient_and_course(mrn="KAP-0099", given="Ana", family="Lima")
    sid = c.simple_session(
        course, pid, T0, phq9=(19, 1), peak=(184, 100), recheck=(150, 90), effects=("nausea",)
    )
    d = c.sessions.detail(sid)
    peak = next(r for r in d.readings if r.systolic == 184)
    c.at(T0 + timedelta(hours=3))  # 13:00 in Berlin
    st.ctx.corrections.mark_entered_in_error(n, "reading", peak.id, READING_WHY)
    [effect] = d.side_effects
    st.ctx.corrections.mark_entered_in_error(t, "side_effect", effect.id, EFFECT_WHY)
    c.at(T0 + timedelta(days=14))
    c.instruments.record(t, pid, "PHQ-9", phq9_answers(9), course_id=course)
    c.at(T0 + timedelta(days=21))
    typo = c.instruments.record(t, pid, "PHQ-9", phq9_answers(2), course_id=course)
    st.ctx.corrections.mark_entered_in_error(t, "instrument", typo.id, PHQ_WHY)
    return st, sid, course


def test_the_session_summary_strikes_the_entries_through_and_says_why(
    marked: tuple[Setup, int, int], tmp_path: Path
) -> None:
    st, sid, _ = marked
    doc = st.staff.clinician
    report = st.reports.session_report(doc, sid, demo=False)
    vitals = report.vitals
    row = next(i for i, r in enumerate(vitals.rows) if r[2] == "184/100")
    assert vitals.row_marks[row] == "error"
    assert vitals.row_notes[row] == f"Entered in error by Test Nurse at 13:00: {READING_WHY}"
    assert "1 reading entered in error is struck through and not counted" in vitals.caption
    assert report.chart is not None
    systolic = next(s for s in report.chart.series if s.kind == "systolic")
    assert 184.0 not in [y for _, y in systolic.points]
    effects = report.side_effects
    assert effects.row_marks == ("error",)
    assert effects.row_notes == (f"Entered in error by Test Therapist at 13:00: {EFFECT_WHY}",)
    pdf = st.reports.session_summary_pdf(doc, sid, demo=False)
    text = document(pdf)
    assert in_order(
        text, "184/100", f"Entered in error by Test Nurse at 13:00: {READING_WHY}", "150/90"
    )
    assert f"Entered in error by Test Therapist at 13:00: {EFFECT_WHY}" in text
    assert b"<strike>" not in pdf  # markup rendered, not printed
    (tmp_path / "session.pdf").write_bytes(pdf)


def test_the_course_summary_counts_no_marked_phq9(
    marked: tuple[Setup, int, int], tmp_path: Path
) -> None:
    st, _, course = marked
    doc = st.staff.clinician
    report = st.reports.course_report(doc, course, demo=False)
    results = report.results
    row = next(i for i, r in enumerate(results.rows) if r[2].startswith("2 /"))
    assert results.row_marks[row] == "error"
    assert results.row_notes[row].endswith(f": {PHQ_WHY}")
    assert any("PHQ-9 19 → 9" in line for line in report.outcome_lines), report.outcome_lines
    phq = next(t for t in report.trends if t.instrument == "PHQ-9")
    assert [y for _, y in phq.series.points] == [19.0, 9.0]
    pdf = st.reports.course_summary_pdf(doc, course, demo=False)
    (tmp_path / "course.pdf").write_bytes(pdf)
    text = document(pdf)
    assert f"Entered in error by Test Therapist at 10:00: {PHQ_WHY}" in text
    assert "PHQ-9 19 → 9" in text
