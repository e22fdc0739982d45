"""Entries entered in error in the printed summaries (pure).

A marked reading, dose, side effect, observation or PHQ-9/GAD-7 result is printed
where it was, struck through, with a line under it: "Entered in error by <name> at
HH:MM: <reason>" ("on YYYY-MM-DD at HH:MM" when marked on a later day)
(``Table.row_marks`` "error", ``Table.row_notes``). Everything
counted or drawn (totals, the worst reading, charts, outcomes, side-effect counts)
is worked out on :func:`counting` /
:func:`kapdesk.domain.corrections.standing_entries`, without them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Final, TypeVar

from kapdesk.domain.corrections import error_text
from kapdesk.domain.corrections import standing_entries as standing_results
from kapdesk.i18n import N_, _
from kapdesk.services.dtos import ErrorMark
from kapdesk.services.report_data import fmt

if TYPE_CHECKING:  # a course summary has no SessionDetail (kapdesk.services.screen_dtos)
    from kapdesk.services.report_sessions import CourseSession
    from kapdesk.services.screen_dtos import SessionDetail

ERROR: Final = "error"  # the row mark of an entry entered in error


_Session = TypeVar("_Session", "SessionDetail", "CourseSession")


def counting(d: _Session) -> _Session:
    """The session as the rules count it: without the entries entered in error."""
    return replace(
        d,
        readings=tuple(standing_results(d.readings)),
        doses=tuple(standing_results(d.doses)),
        side_effects=tuple(standing_results(d.side_effects)),
        observations=tuple(standing_results(d.observations)),
    )


def note(mark: ErrorMark | None, tz: tzinfo | None, entry_at: datetime | None = None) -> str:
    """'Entered in error by Nia Nurse at 10:32: wrong patient' ('' while it stands); a mark
    made on another day than the entry (``entry_at``; unknown: always) names its date:
    '... by Nia Nurse on 2026-03-22 at 10:32: ...'."""
    if mark is None:
        return ""
    on = fmt.day(mark.at, tz)
    if entry_at is not None and fmt.day(entry_at, tz) == on:
        on = ""
    return error_text(mark.by_name, fmt.hm(mark.at, tz), mark.reason, on=on)


def not_counted(n: int, what: str = "entry") -> str:
    """' 1 entry entered in error is not counted.' ('' for none)."""
    if n == 0:
        return ""
    if what in _NOT_COUNTED:
        one, many = _NOT_COUNTED[what]
        return " " + _(one if n == 1 else many, n=n)
    plural = what if n == 1 else ("entries" if what == "entry" else f"{what}s")
    verb = "is" if n == 1 else "are"
    return f" {n} {plural} entered in error {verb} struck through and not counted."


_NOT_COUNTED = {
    "reading": (
        N_("{n} reading entered in error is struck through and not counted."),
        N_("{n} readings entered in error are struck through and not counted."),
    ),
    "dose": (
        N_("{n} dose entered in error is struck through and not counted."),
        N_("{n} doses entered in error are struck through and not counted."),
    ),
    "side effect": (
        N_("{n} side effect entered in error is struck through and not counted."),
        N_("{n} side effects entered in error are struck through and not counted."),
    ),
}
