"""The big demo clinic signs as the services sign: the same session, signed through
SigningService / AddendumService / CorrectionsService on one copy and through the bulk
writer's Signer (kapdesk.demo.bulk_signed) on another, ends with byte-identical audit
entries (ids, JSON texts, hashes) and identical rows."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Table, select

from kapdesk.demo.bulk_signed import SessionRows, Signer
from kapdesk.demo.bulk_writer import BulkWriter, Row
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.signing import Meaning, SignedEntity
from kapdesk.services.addenda import AddendumService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.integrity import verify_signatures
from kapdesk.services.signed_records import SESSION_PARTS
from kapdesk.services.signing import SigningService
from kapdesk.storage.db import Database
from kapdesk.storage.engine import with_tx_mode
from kapdesk.storage.orm import Course, DosingSession, Note, VitalReading

from .conftest import PASSWORD
from .sessionkit import Kit
from .signkit import cheap_passwords, closed_session, integration_note

REASON = "Typed on the wrong line."
TABLES = ("audit_log", "signatures", "addenda", "notes", "vital_readings", "dosing_sessions")


def _copy(src: Path, dst: Path) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def _rows(conn: Connection, table: Table, *where: Any) -> list[Row]:
    return [dict(r) for r in conn.execute(select(table).where(*where)).mappings()]


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    cheap_passwords(ctx.db)
    return Kit(ctx, clock, nurse)


def test_bulk_signatures_addenda_and_marks_are_the_services_entries(
    kit: Kit, clinician: Actor, therapist: Actor, nurse: Actor, tmp_path: Path
) -> None:
    ctx = kit.ctx
    sid = closed_session(kit, clinician, therapist)
    with ctx.db.read() as s:
        ds = s.get(DosingSession, sid)
        assert ds is not None
        course_id = ds.course_id
        reading = max(
            s.scalars(select(VitalReading).where(VitalReading.session_id == sid)),
            key=lambda r: r.id,
        ).id
    note_id = integration_note(ctx, therapist, course_id)
    start = kit.clock.now() + timedelta(minutes=10)
    times = [start + timedelta(minutes=7 * i) for i in range(7)]
    bulk_path = tmp_path / "bulk.sqlite"
    _copy(ctx.db.path, bulk_path)

    # the services, on the clinic
    def at(i: int) -> None:
        kit.clock.set(times[i])

    at(0)
    CorrectionsService(ctx).mark_entered_in_error(nurse, "reading", reading, REASON)
    at(1)
    signing, addenda = SigningService(ctx), AddendumService(ctx)
    signing.sign(clinician, "dosing_session", sid, PASSWORD, Meaning.REVIEWED)
    at(2)
    signing.sign(therapist, "note", note_id, PASSWORD, Meaning.AUTHORED)
    at(3)
    added = addenda.add_addendum(nurse, "dosing_session", sid, "Called the next day: well.")
    at(4)
    signing.sign(nurse, "addendum", added.id, PASSWORD, Meaning.AUTHORED)
    at(5)
    corrected = {"Weight (kg)": 71.5, "Ride home": "sister"}
    addenda.add_addendum(therapist, "note", note_id, "Clarified the themes.", corrected)

    # the bulk writer, on the copy made before
    bulk = Database.open(bulk_path, clock=FakeClock(start))
    try:
        with with_tx_mode(bulk.engine, "write").connect() as conn:
            w = BulkWriter(conn)
            signer = Signer(w)
            models = (("s", DosingSession), ("c", Course), ("n", Note), ("r", VitalReading))
            t = {name: model.__table__ for name, model in models}
            (session,) = _rows(conn, t["s"], t["s"].c.id == sid)
            (course,) = _rows(conn, t["c"], t["c"].c.id == course_id)
            record = SessionRows(course, session)
            for table, model, column in SESSION_PARTS:
                record.parts[table] = _rows(conn, model.__table__, column == sid)
            record.notes = _rows(conn, t["n"], t["n"].c.dosing_session_id == sid,
                                 t["n"].c.kind == "session")  # fmt: skip
            (marked,) = [r for r in record.parts["vital_readings"] if r["id"] == reading]
            signer.mark_in_error("vital_reading", marked, nurse, times[0], REASON)
            signer.sign_session(record, clinician, times[1], Meaning.REVIEWED)
            (note,) = _rows(conn, t["n"], t["n"].c.id == note_id)
            signer.sign_note(note, course, therapist, times[2], Meaning.AUTHORED)
            row = signer.add_addendum(SignedEntity.DOSING_SESSION, sid, nurse, times[3],
                                      "Called the next day: well.")  # fmt: skip
            signer.sign_addendum(row, nurse, times[4], Meaning.AUTHORED)
            signer.add_addendum(SignedEntity.NOTE, note_id, therapist, times[5],
                                "Clarified the themes.", corrected)  # fmt: skip
            w.commit()
        with bulk.read() as s:
            assert verify_signatures(s).ok
            assert verify_signatures(s).checked == 3
    finally:
        bulk.close()
    ctx.db.close()
    service, written = _dump(ctx.db.path), _dump(bulk_path)
    assert len(written["signatures"]) == 3
    assert len(written["addenda"]) == 2
    for table in TABLES:
        assert written[table] == service[table], table
