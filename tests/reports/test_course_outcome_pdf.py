"""The course PDF: the acute endpoint, follow-ups apart, scoring rules and the pinned version."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from kapdesk.domain.instruments import GAD7, PHQ9
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.services.instruments import InstrumentService
from kapdesk.storage.orm import InstrumentResult

from .clinic import T0, gad7_answers, phq9_answers
from .conftest import Setup
from .pdftext import in_order, pages


def course_with_follow_up(setup: Setup) -> int:
    c, st = setup.clinic, setup.staff
    pid, course_id = c.patient_and_course()
    svc = InstrumentService(setup.ctx)
    for days, phq, gad in ((0, 20, 15), (28, 14, 11), (56, 9, 7), (147, 19, 14)):
        c.at(T0 + timedelta(days=days, hours=1))
        svc.record(st.therapist, pid, "PHQ-9", phq9_answers(phq), course_id=course_id)
        svc.record(st.therapist, pid, "GAD-7", gad7_answers(gad), course_id=course_id)
    return course_id


def test_endpoint_follow_up_scoring_rules_and_pinned_protocol(setup: Setup) -> None:
    course_id = course_with_follow_up(setup)
    pdf = setup.reports.course_summary_pdf(setup.staff.clinician, course_id, demo=False)
    text = " ".join(pages(pdf))
    kap = builtin_protocols()["kap-default"]
    assert f"(pinned at the course start; SHA-256 {kap.fingerprint})" in text
    assert in_order(
        text,
        "Instrument Baseline Endpoint (within 8 weeks) Change",
        "PHQ-9 20 (severe) on 2026-03-02 9 (mild) on 2026-04-27 −11 points (−55.0 %)",
        "GAD-7 15 (severe) on 2026-03-02 7 (mild) on 2026-04-27 −8 points (−53.3 %)",
        "later results are follow-up and never replace it.",
        "Response: YES – PHQ-9 20 → 9 (−55.0 %) at the endpoint.",
        "Remission: NO – endpoint PHQ-9 9.",
        "Follow-up – 3-month follow-up: 19, deterioration (loss of response; rise of 10 "
        "points from the endpoint 9); on 2026-07-27.",
        "Definitions: response = PHQ-9 fell ≥ 50 % from baseline; remission = PHQ-9 < 5; "
        "endpoint = last PHQ-9 within 8 weeks of the course start; later results are "
        "follow-up; deterioration = loss of response or a rise of ≥ 5 points from the "
        "endpoint (kap-default v1.0).",
    )
    assert in_order(
        text,
        "All questionnaire results",
        "2026-04-27 PHQ-9 9 / 27 mild acute PHQ-9 v1 (Kroenke 2001)",
        "2026-07-27 PHQ-9 19 / 27 moderately severe 3-month follow-up PHQ-9 v1 (Kroenke 2001)",
        f"Scoring rules stored with the results: {GAD7.scoring_rule}; {PHQ9.scoring_rule}.",
    )


def test_a_result_without_a_stored_rule_says_so(setup: Setup) -> None:
    course_id = course_with_follow_up(setup)
    with setup.ctx.db.write() as s:
        s.execute(
            update(InstrumentResult)
            .where(InstrumentResult.instrument == "GAD-7")
            .values(scoring_rule="")
        )
    pdf = setup.reports.course_summary_pdf(setup.staff.clinician, course_id, demo=False)
    text = " ".join(pages(pdf))
    assert "2026-03-02 GAD-7 15 / 21 severe acute not stored" in text
    assert "'not stored': recorded before kapdesk kept the scoring rule with each result." in text
