"""The entered-in-error mark of a stored entry, as the screens and the PDF receive it.

Every list of readings, doses, side effects, observations and PHQ-9/GAD-7 results keeps
its marked entries, with ``error`` set (:class:`~kapdesk.services.dtos.ErrorMark`); what
the rules judge (alerts, holds, schedule, discharge, charts, outcomes) is filtered with
:func:`kapdesk.domain.corrections.standing` where the services load the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from kapdesk.services.dtos import ErrorMark


class _Marked(Protocol):
    @property
    def error_at(self) -> datetime | None: ...
    @property
    def error_by(self) -> int | None: ...
    @property
    def error_reason(self) -> str | None: ...


def error_mark(row: _Marked, names: Mapping[int, str]) -> ErrorMark | None:
    """The row's mark (None while it stands); ``names`` maps user ids to full names."""
    if row.error_at is None:
        return None
    by = "" if row.error_by is None else names.get(row.error_by, "")
    return ErrorMark(by_name=by, at=row.error_at, reason=row.error_reason or "")


def markers(rows: Iterable[_Marked]) -> list[int | None]:
    """The users who marked any of ``rows`` (for one user-name lookup with the others)."""
    return [r.error_by for r in rows]
