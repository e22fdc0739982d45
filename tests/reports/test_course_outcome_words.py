"""The course summary's follow-up names and definitions in the printing language."""

from __future__ import annotations

from datetime import date

from kapdesk.domain.instruments import PHQ9_OUTCOME
from kapdesk.domain.outcomes import follow_up_label
from kapdesk.domain.wording import shown
from kapdesk.i18n import use_language
from kapdesk.services.report_data.course_outcome import ACUTE, _phase_text

START, ACUTE_END = date(2026, 8, 7), date(2026, 10, 2)


def test_follow_up_phase_and_rule_in_portuguese() -> None:
    week = follow_up_label(date(2026, 10, 9), START, ACUTE_END)
    months = follow_up_label(date(2027, 1, 2), START, ACUTE_END)
    assert (_phase_text(week), _phase_text(months)) == ("week-9 follow-up", "3-month follow-up")
    assert _phase_text(ACUTE) == "acute"
    with use_language("pt-PT"):
        texts = (_phase_text(week), _phase_text(months), _phase_text(ACUTE))
        rule = shown(PHQ9_OUTCOME.source)
    assert "follow-up" not in " ".join(texts)
    assert "week" not in texts[0]
    assert "baseline" not in rule
