"""The file a demo clinic is written to, for both builders: only ever a new file, removed
again if the build fails, its rows counted for the summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import date, time
from pathlib import Path
from typing import Final

from sqlalchemy import func, select

from kapdesk.domain.clock import Clock
from kapdesk.domain.errors import ValidationError
from kapdesk.storage import orm
from kapdesk.storage.db import Database
from kapdesk.storage.errors import DatabaseMissing
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.sqlite_file import sidecars

BuildProgress = Callable[[int, int, str], None]
"""``progress(done, total, words)`` while a demo is built: ``total`` 0 while the size of
the work is not known yet; ``words`` say what is being made ("Creating patients 5 of 12
and sessions 20 of 70")."""

COUNTED: Final = {
    "users": orm.User,
    "patients": orm.Patient,
    "courses": orm.Course,
    "sessions": orm.DosingSession,
    "readings": orm.VitalReading,
    "doses": orm.Dose,
    "side_effects": orm.SideEffect,
    "observations": orm.Observation,
    "instruments": orm.InstrumentResult,
    "notes": orm.Note,
    "signatures": orm.Signature,
    "addenda": orm.Addendum,
    "audit": orm.AuditEntry,
}


def check_new_file(path: Path | ServerURL) -> None:
    if isinstance(path, ServerURL):  # new_database checks that the server's database is empty
        return
    if path.exists():
        raise ValidationError(
            "Database", str(path), f"{path} already exists; a demo clinic only goes to a new file."
        )


def check_size(name: str, value: object, top: int) -> None:
    """``value`` is a whole number in 1..``top`` (``name`` as the form calls it)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, value, f"{name} {value!r} is not a whole number.")
    if not 1 <= value <= top:
        raise ValidationError(name, value, f"{name} {value} is outside the allowed range 1-{top}.")


def build_end(
    today: date | None, end_time: time | None, clock: Clock, default: time
) -> tuple[date, time]:
    """The clinic's last day and local time: without ``today``, the current minute of
    ``clock`` (the only read of the wall clock); with it, ``end_time`` or ``default``."""
    if today is None:
        now = clock.now().astimezone()
        return now.date(), end_time or now.time().replace(second=0, microsecond=0)
    return today, end_time or default


def _refuse_a_clinic(db: Database, path: ServerURL) -> None:
    from kapdesk.storage.clinic_copy import destination_problems

    with db.engine.connect() as conn:
        filled = destination_problems(conn, str(path))
    if filled:
        raise ValidationError(
            "Database",
            str(path),
            f"{path} already holds a kapdesk clinic; a demo clinic only goes to an empty "
            "database (or one only set up by kapdesk server init).",
        )


def count_rows(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            key: int(s.scalar(select(func.count()).select_from(model)) or 0)
            for key, model in COUNTED.items()
        }


def remove(path: Path) -> None:
    for leftover in (path, *sidecars(path)):
        leftover.unlink(missing_ok=True)


@contextmanager
def new_database(path: Path | ServerURL, clock: Clock, key: str | None) -> Iterator[Database]:
    """The new file, open (encrypted with ``key``); closed after, and removed on failure.

    On a clinic server: its database must be empty or only set up by ``kapdesk server init``
    (the schema, no row): one that holds a clinic is refused, untouched; what a failed build
    wrote stays there (drop and create the database again)."""
    if isinstance(path, ServerURL):
        try:
            db = Database.open(path, create=False, clock=clock)
        except DatabaseMissing:  # empty: the demo makes the schema there
            db = Database.open(path, clock=clock)
        with closing(db):
            _refuse_a_clinic(db, path)
            yield db
        return
    db = Database.open(path, clock=clock, key=key)
    try:
        yield db
    except BaseException:
        db.close()
        remove(path)
        raise
    db.close()
