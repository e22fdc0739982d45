"""A use case broken off by the clinic server (a deadlock with another program's transaction,
a serialization failure) is run again from its start: saved once, announced once, the
chain valid; after the bounded attempts one clear WriteConflict with nothing written.

The first test's deadlock is real: another connection locks the dosing session's row
(``FOR UPDATE``), the reading's write takes kapdesk's write lock and then needs that row
(its foreign key), while the other transaction asks for kapdesk's write lock. kapdesk
waits first, so its deadlock check runs first and it is the one the server breaks off.
The others make the server raise the same SQLSTATEs from a trigger (counted by a sequence,
which a rollback does not undo), to break off exactly the attempts wanted."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.signing import SignedEntity
from kapdesk.services.changes import ChangeSet, Kind
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.orm import AuditEntry, Signature, User, VitalReading
from kapdesk.storage.pg_engine import WRITE_LOCK
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.write_retry import WriteConflict
from tests.pg_support import pg_skip_reason

from .conftest import PASSWORD, table_counts
from .sessionkit import Kit
from .signkit import cheap_passwords, closed_session

pytestmark = [
    pytest.mark.skipif(pg_skip_reason() is not None, reason=str(pg_skip_reason())),
    pytest.mark.parametrize("store", ["postgresql"], indirect=True),
]
DEADLOCK, SERIALIZATION = "40P01", "40001"


def _dsn(server: ServerURL) -> str:
    return server.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _server(ctx: ServiceContext) -> ServerURL:
    assert ctx.db.server is not None
    return ctx.db.server


class BreakOff:
    """A trigger making the server break off the first ``times`` inserts into ``table``
    with ``sqlstate``; ``attempts`` counts every insert it saw (committed or not)."""

    def __init__(self, server: ServerURL) -> None:
        self.conn = psycopg.connect(_dsn(server), autocommit=True)
        self.tables: list[str] = []
        self.conn.execute("CREATE SEQUENCE IF NOT EXISTS kt_attempts")
        self.conn.execute(
            "CREATE OR REPLACE FUNCTION kt_break_off() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF nextval('kt_attempts') <= TG_ARGV[0]::int THEN "
            "RAISE EXCEPTION 'broken off by the test' USING ERRCODE = TG_ARGV[1]; END IF; "
            "RETURN NEW; END $$"
        )

    def on(self, table: str, sqlstate: str, times: int) -> None:
        self.conn.execute(
            f"CREATE TRIGGER kt_break_off BEFORE INSERT ON {table} FOR EACH ROW "  # type: ignore[arg-type]
            f"EXECUTE FUNCTION kt_break_off('{times}', '{sqlstate}')"
        )
        self.tables.append(table)

    @property
    def attempts(self) -> int:
        row = self.conn.execute("SELECT last_value, is_called FROM kt_attempts").fetchone()
        assert row is not None
        return int(row[0]) if row[1] else 0

    def close(self) -> None:
        for table in self.tables:
            self.conn.execute(f"DROP TRIGGER kt_break_off ON {table}")  # type: ignore[arg-type]
        self.conn.execute("DROP FUNCTION kt_break_off()")
        self.conn.execute("DROP SEQUENCE kt_attempts")
        self.conn.close()


@pytest.fixture
def break_off(ctx: ServiceContext) -> Iterator[BreakOff]:
    trigger = BreakOff(_server(ctx))
    yield trigger
    trigger.close()


@pytest.fixture
def published(ctx: ServiceContext) -> Iterator[list[ChangeSet]]:
    seen: list[ChangeSet] = []
    stop = ctx.changes.subscribe(seen.append)
    yield seen
    stop()


class Outsider:
    """Another program: locks dosing session ``sid`` FOR UPDATE, and once a kapdesk
    transaction waits for it, asks for kapdesk's write lock (which that one holds)."""

    def __init__(self, server: ServerURL, sid: int) -> None:
        self.dsn, self.sid = _dsn(server), sid
        self.holds_row = threading.Event()
        self.got_write_lock = False
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.holds_row.wait(10), "the other transaction never locked the row"

    def _someone_waits(self, watcher: psycopg.Connection[tuple[object, ...]]) -> bool:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND application_name = 'kapdesk'"
        ).fetchone()
        return row is not None and int(str(row[0])) > 0

    def _run(self) -> None:
        try:
            with (
                psycopg.connect(self.dsn) as conn,
                psycopg.connect(self.dsn, autocommit=True) as watcher,
            ):
                conn.execute("SELECT id FROM dosing_sessions WHERE id = %s FOR UPDATE", (self.sid,))
                self.holds_row.set()
                deadline = time.monotonic() + 10
                while not self._someone_waits(watcher):
                    assert time.monotonic() < deadline, "kapdesk never waited for the row"
                    time.sleep(0.02)
                conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")  # type: ignore[arg-type]
                self.got_write_lock = True  # kapdesk's transaction was broken off
                conn.rollback()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)


def _readings(ctx: ServiceContext, sid: int) -> int:
    with ctx.db.read() as s:
        return int(
            s.scalar(select(func.count(VitalReading.id)).where(VitalReading.session_id == sid)) or 0
        )


def _actions(ctx: ServiceContext, after: int) -> list[str]:
    with ctx.db.read() as s:
        return list(
            s.scalars(
                select(AuditEntry.action).where(AuditEntry.id > after).order_by(AuditEntry.id)
            )
        )


def _last_entry(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.max(AuditEntry.id))) or 0)


def _chain_ok(ctx: ServiceContext) -> bool:
    with ctx.db.read() as s:
        return verify_chain(s).ok


def test_a_reading_deadlocked_by_another_program_is_saved_once_after_a_retry(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, published: list[ChangeSet]
) -> None:
    sid = Kit(ctx, clock, nurse).dosed()
    before, last = _readings(ctx, sid), _last_entry(ctx)
    published.clear()
    outsider = Outsider(_server(ctx), sid)
    reading = VitalsService(ctx).record(nurse, sid, 128, 80, pulse=70, spo2=97)
    outsider.thread.join(10)
    assert outsider.errors == []
    assert outsider.got_write_lock  # only once kapdesk's first attempt was broken off
    assert _readings(ctx, sid) == before + 1
    assert _actions(ctx, last) == ["vitals.record", "session.transition"]  # once each
    assert len(published) == 1  # one change set, announced once
    assert [(c.kind, c.id) for c in published[0]] == [
        (Kind.READING, reading.reading.id),
        (Kind.SESSION, sid),
    ]
    assert _chain_ok(ctx)


def test_broken_off_every_time_is_one_clear_error_with_nothing_written(
    ctx: ServiceContext,
    clock: FakeClock,
    nurse: Actor,
    break_off: BreakOff,
    published: list[ChangeSet],
) -> None:
    sid = Kit(ctx, clock, nurse).dosed()
    counts = table_counts(ctx.db, include_denials=True)
    published.clear()
    break_off.on("vital_readings", DEADLOCK, times=99)
    with pytest.raises(WriteConflict) as raised:
        VitalsService(ctx).record(nurse, sid, 128, 80, pulse=70, spo2=97)
    assert break_off.attempts == 3  # the whole use case, three times in all
    message = str(raised.value)
    assert "broke off this change 3 times in a row" in message
    assert "a deadlock with another transaction" in message
    assert "nothing was saved" in message
    assert f":{_server(ctx).url.password}@" not in message
    assert table_counts(ctx.db, include_denials=True) == counts  # no row, no audit entry
    assert published == []
    assert _chain_ok(ctx)


def test_a_serialization_failure_once_is_run_again(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, break_off: BreakOff
) -> None:
    sid = Kit(ctx, clock, nurse).dosed()
    before = _readings(ctx, sid)
    break_off.on("vital_readings", SERIALIZATION, times=1)
    VitalsService(ctx).record(nurse, sid, 128, 80, pulse=70, spo2=97)
    assert break_off.attempts == 2
    assert _readings(ctx, sid) == before + 1


def test_signing_broken_off_after_the_password_step_signs_once(
    ctx: ServiceContext,
    clock: FakeClock,
    nurse: Actor,
    clinician: Actor,
    therapist: Actor,
    break_off: BreakOff,
    published: list[ChangeSet],
) -> None:
    """The password check is a step of its own (a write that, for a right password and no
    earlier failure, saves nothing): the whole signing runs again, the password is not
    counted twice, the signature is made and announced once."""
    cheap_passwords(ctx.db)
    sid = closed_session(Kit(ctx, clock, nurse), clinician, therapist)
    last = _last_entry(ctx)
    published.clear()
    break_off.on("signatures", SERIALIZATION, times=1)
    info = SigningService(ctx).sign(clinician, SignedEntity.DOSING_SESSION, sid, PASSWORD)
    assert break_off.attempts == 2
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Signature.id))) == 1
        assert s.scalar(select(User.failed_logins).where(User.id == clinician.user_id)) == 0
    actions = _actions(ctx, last)
    assert actions.count("sign.signed") == 1
    assert not [a for a in actions if a.startswith("auth.")]
    signed = [c for changes in published for c in changes if c.kind == Kind.SIGNATURE]
    assert [c.id for c in signed] == [info.id]
    assert _chain_ok(ctx)


def test_a_step_that_saved_something_is_not_run_again(
    ctx: ServiceContext,
    clock: FakeClock,
    nurse: Actor,
    clinician: Actor,
    therapist: Actor,
    break_off: BreakOff,
) -> None:
    """After a wrong password, the right one clears the failure count (a committed write
    of its own); the signature's write broken off then is one clear error, not a second
    run that would clear and audit the count again."""
    cheap_passwords(ctx.db)
    sid = closed_session(Kit(ctx, clock, nurse), clinician, therapist)
    with pytest.raises(Exception, match="Wrong password"):
        UserService(ctx).verify_reentry(
            clinician, "not it", failed_action="sign.failed", entity="dosing_session",
            entity_id=sid,
        )  # fmt: skip
    last = _last_entry(ctx)
    break_off.on("signatures", SERIALIZATION, times=1)
    with pytest.raises(WriteConflict) as raised:
        SigningService(ctx).sign(clinician, SignedEntity.DOSING_SESSION, sid, PASSWORD)
    assert raised.value.partly
    assert break_off.attempts == 1
    assert "an earlier step of it was saved" in str(raised.value)
    assert _actions(ctx, last) == ["auth.failures_cleared"]
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Signature.id))) == 0
    # Signing again now works (the trigger broke off only the first attempt).
    SigningService(ctx).sign(clinician, SignedEntity.DOSING_SESSION, sid, PASSWORD)
    assert _actions(ctx, last)[1:] == ["note.sign", "sign.signed"]
    assert _chain_ok(ctx)
