"""The course summary of a six-session course, read back from the PDF.

Sessions are weekly from Monday 2026-03-02, 09:00 UTC; printed in Europe/Berlin,
which moves to summer time on 2026-03-29 (sessions 5 and 6 read 13:10, not 12:10).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.errors import NotFound
from kapdesk.services.courses import CourseService
from kapdesk.services.patients import PatientService

from .clinic import T0, build_course
from .conftest import Setup
from .pdftext import in_order, pages


@pytest.fixture(scope="module")
def course(module_setup: Setup) -> tuple[Setup, int, list[str]]:
    _, course_id = build_course(module_setup.clinic, sessions=6)
    pdf = module_setup.reports.course_summary_pdf(
        module_setup.staff.clinician, "KAP-0042", demo=False
    )
    return module_setup, course_id, pages(pdf)


@pytest.fixture
def text(course: tuple[Setup, int, list[str]]) -> str:
    return " ".join(course[2])


def test_header_and_footer_on_every_page(course: tuple[Setup, int, list[str]]) -> None:
    texts = course[2]
    for number, page in enumerate(texts, start=1):
        assert page.startswith(
            "kapdesk clinic Simões, Conceição Treatment course summary · Course #1 · "
            "kap-default v1.0 MRN KAP-0042 · DOB 1980-05-17"
        )
        assert page.endswith(f"Page {number} of {len(texts)}")


def test_course_facts(text: str) -> None:
    assert "Patient Simões, Conceição · female Course #1" in text
    assert "Protocol kap-default v1.0 – Ketamine-assisted psychotherapy" in text
    assert "Started 2026-03-02 Ended Ongoing" in text
    assert "Goal Treatment-resistant depression: reduce PHQ-9 below 10." in text
    assert "Sessions 6 (6 discharged)" in text
    assert "Dates and times are local: CET (UTC+01:00) / CEST (UTC+02:00)." in text


def test_sessions_table(text: str) -> None:
    rows = [
        "1 2026-03-02 kap-default v1.0 IM 35 150/90 2 12:10",
        "2 2026-03-09 kap-default v1.0 IM 35 150/90 1 12:10",
        "3 2026-03-16 kap-default v1.0 IM 35 184/100 (alert) 1 12:10",
        "4 2026-03-23 kap-default v1.0 IM 35 150/90 1 12:10",
        "5 2026-03-30 kap-default v1.0 IM 35 150/90 0 13:10",
        "6 2026-04-06 kap-default v1.0 IM 35 150/90 1 13:10",
    ]
    assert in_order(text, *rows)


def test_baseline_latest_response_and_remission(text: str) -> None:
    assert (
        "PHQ-9 19 (moderately severe) on 2026-03-02 7 (mild) on 2026-04-06 "
        "−12 points (−63.2 %)" in text
    )
    assert "GAD-7 15 (severe) on 2026-03-02 6 (mild) on 2026-04-06 −9 points (−60.0 %)" in text
    assert "Response: YES – PHQ-9 19 → 7 (−63.2 %) at the endpoint." in text
    assert "Remission: NO – endpoint PHQ-9 7." in text
    assert "Follow-up – none recorded after the acute phase (ends 2026-04-27)." in text
    assert (
        "Definitions: response = PHQ-9 fell ≥ 50 % from baseline; remission = PHQ-9 < 5; "
        "endpoint = last PHQ-9 within 8 weeks of the course start" in text
    )


def test_trend_charts_and_every_result(course: tuple[Setup, int, list[str]], text: str) -> None:
    assert in_order(text, "PHQ-9 and GAD-7", "Days since the course started", "PHQ-9 total")
    for band in ("minimal", "mild", "moderate", "moderately severe", "severe"):
        assert band in text
    assert "(Kroenke 2001)" in text
    assert "(Spitzer 2006)" in text
    totals = [(19, 15), (16, 12), (13, 10), (10, 8), (8, 7), (7, 6)]
    rows = []
    for week, (phq, gad) in enumerate(totals):
        day = (T0 + timedelta(days=7 * week)).date().isoformat()
        rows.append(f"{day} GAD-7 {gad} / 21")
        rows.append(f"{day} PHQ-9 {phq} / 27")
    assert in_order(text, *rows)
    setup, course_id, _ = course
    report = setup.reports.course_report(setup.staff.therapist, course_id, demo=False)
    phq9, gad7 = report.trends
    assert phq9.instrument == "PHQ-9"
    assert phq9.series.points == ((0.0, 19.0), (7.0, 16.0), (14.0, 13.0), (21.0, 10.0),
                                  (28.0, 8.0), (35.0, 7.0))  # fmt: skip
    assert [b.label for b in phq9.bands][-1] == "severe"
    assert gad7.y_max == 21.0


def test_item9_history(text: str) -> None:
    assert in_order(
        text,
        "2026-03-02 1 – Several days Needs clinician follow-up",
        "2026-03-09 1 – Several days Needs clinician follow-up",
        "2026-03-16 0 – Not at all No",
        "2026-03-23 0 – Not at all No",
        "2026-03-30 0 – Not at all No",
        "2026-04-06 0 – Not at all No",
    )
    assert "was above 0 at least once in this course." in text


def test_bp_excursions_and_side_effect_frequencies(text: str) -> None:
    assert (
        "3 · 2026-03-16 10:27 +22 184/100 88 97 Alert post-dose-alert: systolic > 180 or "
        "diastolic > 110 mmHg" in text
    )
    assert in_order(
        text,
        "Side-effect frequencies",
        "Nausea 3 of 6 50 % Grade 1 – mild 0",
        "Dizziness 2 of 6 33 % Grade 1 – mild 0",
        "Headache 1 of 6 17 % Grade 1 – mild 0",
        "Out of 6 sessions in which a dose was given.",
    )


def test_mrn_prints_the_most_recent_course_and_an_id_prints_that_one(setup: Setup) -> None:
    c, st = setup.clinic, setup.staff
    pid, first = c.patient_and_course()
    c.simple_session(first, pid, T0, phq9=(12, 0))
    courses = CourseService(setup.ctx)
    courses.end(st.clinician, first, T0.date(), "Paused for the summer.")
    c.at(T0 + timedelta(days=30))
    second = courses.start(st.clinician, pid, "sublingual-kap").id
    by_mrn = " ".join(pages(setup.reports.course_summary_pdf(st.therapist, "kap-0042", demo=False)))
    assert f"Course #{second} · sublingual-kap v1.0" in by_mrn
    assert "No dosing sessions in this course." in by_mrn
    assert "No PHQ-9 or GAD-7 recorded in this course: no trend." in by_mrn
    by_id = " ".join(pages(setup.reports.course_summary_pdf(st.therapist, first, demo=False)))
    assert f"Course #{first} · kap-default v1.0" in by_id
    assert "Ended 2026-03-02" in by_id
    assert (
        "Response and remission need a baseline and a later PHQ-9 within 8 weeks of the course "
        "start; 1 recorded." in by_id
    )
    assert "PHQ-9 item 9 was 0 at every PHQ-9 of this course." in by_id


def test_unknown_mrn_and_patient_without_course(setup: Setup) -> None:
    with pytest.raises(NotFound, match="There is no patient with MRN 'NOPE-1'"):
        setup.reports.course_summary_pdf(setup.staff.clinician, "NOPE-1", demo=False)
    with pytest.raises(NotFound, match="no treatment course #999"):
        setup.reports.course_summary_pdf(setup.staff.clinician, 999, demo=False)
    PatientService(setup.ctx).create(
        setup.staff.nurse, mrn="KAP-0100", given_name="Jürgen", family_name="Müller",
        date_of_birth="1992-06-12", sex="male",
    )  # fmt: skip
    with pytest.raises(
        NotFound, match=r"Patient Müller, Jürgen \(MRN KAP-0100\) has no treatment course"
    ):
        setup.reports.course_summary_pdf(setup.staff.clinician, "KAP-0100", demo=False)
