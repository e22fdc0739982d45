"""Recording a reading sends few statements (each one a round trip to a clinic server):
the session, its signature, the actor's account (re-checked), the audit chain's head and
the earlier readings the band needs come in one statement (those readings in a statement of
their own only for a protocol whose rules look further back than the shipped ones); on a
server that statement also draws the new reading's id, and the reading and its audit entry
are inserted by one statement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, update

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import RecordLocked, SignInRevoked
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.storage.orm import User, VitalReading

from .conftest import table_counts
from .sessionkit import Kit


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


@contextmanager
def sent(ctx: ServiceContext) -> Iterator[list[str]]:
    statements: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(ctx.db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", on_execute)


def _reading_tables(statement: str) -> set[str]:
    return set(re.findall(r"\bFROM (\w+)", statement))


def test_a_post_dose_reading_in_few_statements(kit: Kit, store: str) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 130, 84, 80, 97)  # the first one moves the session
    kit.advance(minutes=5)
    with sent(kit.ctx) as statements:
        recorded = kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
    assert recorded.reading.phase == "post_dose"
    ours = [s for s in statements if not s.startswith(("BEGIN", "PRAGMA", "SELECT 1 FROM sqlite"))]
    ours = [s for s in ours if "sqlite_sequence" not in s]
    readings = [s for s in ours if s.startswith("SELECT") and "vital_readings" in s]
    users = [s for s in ours if re.search(r"\busers\b", s)]
    assert len(readings) == 1  # earlier readings of the phase and the pre-dose baseline ...
    assert len(users) == 1  # the actor's re-check ...
    assert "audit_log" in users[0]  # ... with the chain head ...
    assert "dosing_sessions" in users[0]  # ... in the statement that loads the session
    assert readings == users  # (the readings too)
    assert not any(_reading_tables(s) == {"signatures"} for s in ours)  # with the session
    # session+signature+account+head+readings, INSERT reading, INSERT audit (on a server
    # the write lock goes with the BEGIN and the NOTIFY with the COMMIT: see the round trips)
    if store == "sqlite":
        assert len(ours) == 3, ours
        return
    # On a server the session's statement draws the reading's id, and one statement
    # inserts the reading and its audit entry.
    assert len(ours) == 2, ours
    assert "nextval" in users[0]
    assert re.match(r"WITH \w+ AS \(INSERT INTO vital_readings .*\) INSERT INTO audit_log", ours[1])
    (begin,) = [s for s in statements if s.startswith("BEGIN")]
    assert "pg_advisory_xact_lock" in begin


def test_a_deactivated_nurse_still_cannot_record(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    with ctx.db.write() as s:
        s.execute(update(User).where(User.id == kit.nurse.user_id).values(active=False))
    before = table_counts(ctx.db)
    with pytest.raises(SignInRevoked, match="deactivated"):
        kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
    after = table_counts(ctx.db)
    assert after == before


def test_a_signed_session_still_takes_no_reading(kit: Kit, ctx: ServiceContext) -> None:
    from kapdesk.storage.orm import Signature

    sid = kit.dosed()
    kit.advance(minutes=5)
    with ctx.db.write() as s:
        s.add(
            Signature(
                entity="dosing_session",
                entity_id=sid,
                signer_id=kit.nurse.user_id,
                signer_name="Dr Test",
                signer_role="clinician",
                signed_at=kit.clock.now(),
                meaning="reviewed",
                content_sha256="0" * 64,
                method="password",
            )
        )
    with pytest.raises(RecordLocked, match=f"Session {sid} was signed by Dr Test"):
        kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)


def test_a_long_session_reads_only_what_the_band_needs(kit: Kit, store: str) -> None:
    """The earlier readings read for "two in a row" are the latest of the phase, whatever
    the session's length, and the bands come out as on a short session."""
    sid = kit.dosed()
    for _ in range(12):
        kit.advance(minutes=5)
        kit.vitals.record(kit.nurse, sid, 126, 80, 72, 98)
    kit.advance(minutes=5)
    rows: list[int] = []

    def on_done(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and "vital_readings" in statement:
            rows.append(cursor.rowcount)

    event.listen(kit.ctx.db.engine, "after_cursor_execute", on_done)
    try:
        first = kit.vitals.record(kit.nurse, sid, 186, 104)
    finally:
        event.remove(kit.ctx.db.engine, "after_cursor_execute", on_done)
    assert (first.band, first.escalate) == ("alert", False)  # the one before was normal
    assert len(rows) == 1
    if store == "postgresql":  # (sqlite3 gives no row count for a SELECT)
        assert rows == [2]  # the reading before it and the pre-dose baseline, not 13
    kit.advance(minutes=5)
    second = kit.vitals.record(kit.nurse, sid, 184, 100)
    assert (second.band, second.escalate) == ("alert", True)
    # +64/+26 over the 122/78 pre-dose baseline recorded before the dose
    assert "rise-from-baseline" in first.reading.rules


def test_a_reading_on_a_server_in_four_round_trips(kit: Kit, store: str, tmp_path: Any) -> None:
    """What the driver really sends (libpq's trace): each ReadyForQuery is one wait for the
    server. BEGIN with the write lock (one query), the session's statement, the reading with
    its audit entry (one statement), then the change's NOTIFY sent with the COMMIT (one
    query). The bare floor of the benchmark is 3: BEGIN, INSERT, COMMIT."""
    if store != "postgresql":
        pytest.skip("round trips to a server")
    from psycopg import pq

    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 130, 84, 80, 97)
    kit.advance(minutes=5)
    trace = tmp_path / "libpq.trace"
    traced: list[Any] = []

    def on_checkout(dbapi_connection: Any, *_args: Any) -> None:
        pgconn = dbapi_connection.pgconn
        pgconn.trace(out.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        traced.append(pgconn)

    with trace.open("w") as out:
        event.listen(kit.ctx.db.engine.pool, "checkout", on_checkout)
        try:
            kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
        finally:
            event.remove(kit.ctx.db.engine.pool, "checkout", on_checkout)
            for pgconn in traced:
                pgconn.untrace()
    lines = trace.read_text().splitlines()
    assert len(traced) == 1
    waits = [i for i, line in enumerate(lines) if "\tReadyForQuery\t" in line]
    notify = next(i for i, line in enumerate(lines) if "pg_notify" in line)
    commit = next(i for i, line in enumerate(lines) if "COMMIT" in line)
    assert len(waits) == 4, "\n".join(lines)
    first = next(line for line in lines if line.startswith("F"))
    assert "\tQuery\t" in first
    assert "BEGIN" in first
    assert "pg_advisory_xact_lock" in first
    assert not any(notify < w < commit for w in waits)  # no wait between NOTIFY and COMMIT


def test_a_protocol_looking_further_back_reads_its_readings_on_their_own(
    kit: Kit, ctx: ServiceContext, store: str
) -> None:
    """A clinic protocol whose post-dose alert escalates after three in a row (two earlier
    readings, more than the session's statement reads): those readings come in a statement
    of their own, and the third alert in a row escalates, not the second."""
    from datetime import date

    from kapdesk.domain.protocol import builtin_protocols, load_protocol_text
    from kapdesk.services.protocol_store import pin
    from kapdesk.storage.orm import Course, Patient

    from .sessionkit import YES_TO_ALL

    shipped = builtin_protocols()["kap-default"]
    text = shipped.text.replace('version = "1.0"', 'version = "1.0-three"', 1)
    text = text.replace("escalate_after_consecutive = 2", "escalate_after_consecutive = 3", 1)
    protocol = load_protocol_text(text, "kap-default.toml")
    now = kit.clock.now()
    with ctx.db.write() as s:
        patient = Patient(
            mrn="MRN-3", family_name="Three", given_name="In-a-row",
            date_of_birth=date(1980, 5, 17), sex="female", weight_kg=70.0, allergies="",
            contraindications="", created_at=now, updated_at=now,
        )  # fmt: skip
        s.add(patient)
        s.flush()
        digest, _ = pin(s, protocol, now)
        course = Course(
            patient_id=patient.id, protocol_id=protocol.id, protocol_version=protocol.version,
            protocol_hash=digest, started_on=now.date(), goal="", created_at=now,
        )  # fmt: skip
        s.add(course)
        s.flush()
        course_id = course.id
    sid = kit.sessions.schedule(kit.nurse, course_id, now, "Room 3").id
    kit.sessions.check_in(kit.nurse, sid)
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    kit.advance(minutes=1)
    kit.dose(sid)
    escalated = []
    for _ in range(3):
        kit.advance(minutes=5)
        with sent(ctx) as statements:
            recorded = kit.vitals.record(kit.nurse, sid, 186, 114)
        assert recorded.band == "alert"
        escalated.append(recorded.escalate)
        readings = [s for s in statements if s.startswith("SELECT") and "vital_readings" in s]
        assert len(readings) == 2  # with the session (unused) and on their own
    assert escalated == [False, False, True]


def test_a_readings_statements_are_parsed_once_per_process(kit: Kit, store: str) -> None:
    """psycopg converts a statement's parameters in Python, and caches that only for a
    statement of at most MAX_CACHED_STATEMENT_LENGTH characters: a longer one (the session's
    statement with its earlier readings was 4867 characters) is parsed again at every
    reading."""
    if store != "postgresql":
        pytest.skip("psycopg's statement cache")
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH

    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 130, 84, 80, 97)
    kit.advance(minutes=5)
    raw: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        raw.append(statement)

    event.listen(kit.ctx.db.engine, "before_cursor_execute", on_execute)
    try:
        kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
    finally:
        event.remove(kit.ctx.db.engine, "before_cursor_execute", on_execute)
    assert raw
    assert [len(s) for s in raw if len(s) > MAX_CACHED_STATEMENT_LENGTH] == []


def test_a_readings_session_statement_is_planned_once(kit: Kit, store: str) -> None:
    """The session's statement binds only what changes from one reading to the next (the
    session, the actor, the time taken): its phases, LIMITs and signature kind are written
    into it, so the server keeps one plan for it once prepared. A bound LIMIT made the
    server estimate the chain head's index scan as reading a tenth of the audit log, and
    plan the statement again at every reading (~0.6 ms on the server each time)."""
    if store != "postgresql":
        pytest.skip("the server's plans of prepared statements")
    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 130, 84, 80, 97)
    bound: list[set[str]] = []
    plans: list[tuple[int, int]] = []

    def on_done(_c: Any, cursor: Any, statement: str, _p: Any, context: Any, _m: bool) -> None:
        if not (statement.startswith("SELECT") and "vital_readings" in statement):
            return
        bound.append(set(context.compiled.bind_names.values()))
        found = cursor.connection.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            (statement[:200] + "%",),
        ).fetchall()
        plans.extend(found)

    event.listen(kit.ctx.db.engine, "after_cursor_execute", on_done)
    try:
        for _ in range(12):  # past psycopg's prepare threshold and the server's 5 custom plans
            kit.advance(minutes=1)
            kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
    finally:
        event.remove(kit.ctx.db.engine, "after_cursor_execute", on_done)
    assert bound
    assert all(b == {"session_id", "actor_user_id", "taken"} for b in bound), bound
    assert plans
    assert max(generic for generic, _custom in plans) > 0, plans


@pytest.mark.parametrize("table", ["vital_readings", "audit_log"])
def test_a_servers_reading_and_its_entry_are_stored_together_or_not_at_all(
    kit: Kit, ctx: ServiceContext, store: str, table: str
) -> None:
    """One statement inserts the reading and its audit entry on a server: when the server
    refuses either INSERT, neither is stored and the call fails (no reading shown saved);
    the next reading is stored and the chain stays valid."""
    if store != "postgresql":
        pytest.skip("one statement for both INSERTs on a server")
    from sqlalchemy.exc import DBAPIError

    from kapdesk.storage.audit import verify_chain

    from .test_write_conflicts import BreakOff

    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 130, 84, 80, 97)
    kit.advance(minutes=5)
    assert ctx.db.server is not None
    trigger = BreakOff(ctx.db.server)
    try:
        trigger.on(table, "P0001", 1)  # a plain error (not a conflict: not run again)
        before = table_counts(ctx.db)
        with pytest.raises(DBAPIError, match="broken off by the test"):
            kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
        assert trigger.attempts == 1
        assert table_counts(ctx.db) == before
    finally:
        trigger.close()
    recorded = kit.vitals.record(kit.nurse, sid, 128, 82, 78, 97)
    with ctx.db.read() as s:
        assert verify_chain(s).ok
        stored = s.get(VitalReading, recorded.reading.id)
        assert stored is not None
        assert (stored.systolic, stored.diastolic) == (128, 82)
