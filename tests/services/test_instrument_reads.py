"""Reading PHQ-9 / GAD-7 results back (``row_info.instrument_info``): every shown value is the
domain's score of the stored answers, and the same answers are scored once (issue 13:
the chart's reads scored each result again on every read; the course outcome re-read
the results the chart had just read)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.instruments import score_instrument
from kapdesk.services import row_info
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.instruments import InstrumentService

from .conftest import T0, insert_patient_and_course

ANSWERS = [
    ("PHQ-9", [3, 3, 2, 2, 1, 1, 0, 0, 2]),
    ("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ("PHQ-9", [1, 2, 3, 0, 1, 2, 3, 0, 0]),
    ("GAD-7", [3, 2, 1, 0, 3, 2, 1]),
    ("PHQ-9", [3, 3, 2, 2, 1, 1, 0, 0, 2]),  # the same answers again, later
]


def test_read_results_show_the_domain_score_scored_once_per_answers(
    ctx: ServiceContext, clock: FakeClock, therapist: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id, course_id = insert_patient_and_course(ctx.db)
    service = InstrumentService(ctx)
    for n, (code, answers) in enumerate(ANSWERS):
        service.record(
            therapist, patient_id, code, answers, course_id=course_id,
            taken_at=T0 - timedelta(days=10 - n),
        )  # fmt: skip
    row_info._stored_score.cache_clear()
    scored: list[tuple[str, tuple[int, ...]]] = []

    def counting(code: str, answers: tuple[int, ...]) -> object:
        scored.append((code, tuple(answers)))
        return score_instrument(code, answers)

    monkeypatch.setattr(row_info, "score_instrument", counting)
    phq = service.history(patient_id, "PHQ-9")
    gad = service.history(patient_id, "GAD-7")
    again = service.history(patient_id, "PHQ-9")  # as the course outcome reads them again

    assert again == phq
    shown = [*phq, *gad]
    expected = [a for a in ANSWERS if a[0] == "PHQ-9"] + [a for a in ANSWERS if a[0] == "GAD-7"]
    for info, (code, answers) in zip(shown, expected, strict=True):
        score = score_instrument(code, answers)
        assert (info.instrument, info.answers, info.total, info.band, info.item9_flag) == (
            score.code, score.answers, score.total, score.band, score.item9_flag,
        )  # fmt: skip
        assert (info.band_rule, info.follow_up, info.max_total, info.scoring_rule) == (
            score.band_rule, score.follow_up, score.max_total, score.scoring_rule,
        )  # fmt: skip
    assert phq[0].follow_up
    assert "item 9" in phq[0].follow_up[0]
    # four distinct answer sets, each scored once across the three reads
    assert sorted(scored) == sorted({(c, tuple(a)) for c, a in ANSWERS})
