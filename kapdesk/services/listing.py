"""Flat listings for `kapdesk list` (stable field names: other tools rely on them).

:func:`export_list` streams: its rows are read from the database as the caller takes them
(in chunks of ``CHUNK``), so listing 100,000 sessions holds a chunk in memory, not the
clinic. The count in the audit entry and the rows come from one snapshot of the file
(:attr:`Rows.total`, which a caller names when a listing stops part-way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, func, select

from kapdesk.services.console import audit_console
from kapdesk.services.context import ServiceContext
from kapdesk.storage.orm import Course, DosingSession, Patient

Listing = Literal["patients", "sessions"]
Row = dict[str, Any]
CHUNK = 1000  # rows fetched from SQLite at a time


class Rows(Iterator[Row]):
    """A listing's rows, made as they are taken; ``total``: how many its snapshot holds."""

    def __init__(self, rows: Iterator[Row], total: int) -> None:
        self._rows = rows
        self.total = total

    def __next__(self) -> Row:
        return next(self._rows)


@contextmanager
def export_list(ctx: ServiceContext, what: Listing, *, fmt: str) -> Iterator[Rows]:
    """`kapdesk list`: the rows of ``what``, read lazily while the ``with`` block lasts.

    Audited as an export by the console user (how many rows and in which format, never
    which) before the first row is handed out; the audit write is its own transaction,
    the rows are read in one snapshot taken before it (the count is of that snapshot)."""
    query: Select[*tuple[Any, ...]]
    to_row: Callable[..., Row]
    if what == "patients":
        query, to_row = _patients_query(), _patient_row
    else:
        query, to_row = _sessions_query(), _session_row
    with ctx.db.read() as s:
        total = s.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        audit_console(ctx, f"list.{what}_console", after={"rows": total, "format": fmt})
        result = s.execute(query.execution_options(yield_per=CHUNK))
        yield Rows((to_row(*row) for row in result), int(total or 0))


def _patients_query() -> Select[str, str, str, date]:
    return select(
        Patient.mrn, Patient.family_name, Patient.given_name, Patient.date_of_birth
    ).order_by(Patient.family_name, Patient.given_name, Patient.mrn)


def _patient_row(mrn: str, family: str, given: str, dob: Any) -> Row:
    return {"mrn": mrn, "name": f"{family}, {given}", "date_of_birth": dob.isoformat()}


def _sessions_query() -> Select[int, str, str, str, datetime, str, str, str]:
    return (
        select(
            DosingSession.id,
            Patient.mrn,
            Patient.family_name,
            Patient.given_name,
            DosingSession.scheduled_at,
            DosingSession.state,
            Course.protocol_id,
            Course.protocol_version,
        )
        .join(Course, DosingSession.course_id == Course.id)
        .join(Patient, Course.patient_id == Patient.id)
        .order_by(DosingSession.scheduled_at, DosingSession.id)
    )


def _session_row(
    sid: int, mrn: str, family: str, given: str, scheduled: Any, state: str, pid: str, pver: str
) -> Row:
    return {
        "id": sid,
        "mrn": mrn,
        "patient": f"{family}, {given}",
        "scheduled": scheduled.isoformat(),
        "state": state,
        "protocol": f"{pid} v{pver}",
    }
