"""Entered in error and the record's integrity: signature hash scheme 3 covers the marks
(scheme 2 signatures keep verifying), and ``kapdesk check`` passes on marked rows and
finds a mark forged behind the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kapdesk import cli
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.signing import HASH_SCHEME, SIGNED_FIELDS_BY_SCHEME
from kapdesk.services import signing as signing_service
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.integrity import verify_signatures
from kapdesk.services.observations import ObservationService
from kapdesk.services.signed_records import record_content
from kapdesk.services.signing import SigningService

from .conftest import PASSWORD
from .sessionkit import Kit
from .signkit import cheap_passwords, closed_session

MARK = ("error_at", "error_by", "error_reason")


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    cheap_passwords(ctx.db)
    return Kit(ctx, clock, nurse)


def _marked_session(kit: Kit, clinician: Actor, therapist: Actor, mrn: str = "MRN-1") -> int:
    """A closed session with one observation marked entered in error."""
    sid = closed_session(kit, clinician, therapist, mrn=mrn)
    wrong = ObservationService(kit.ctx).list_for_session(sid)[0]
    kit.ctx.corrections.mark_entered_in_error(clinician, "observation", wrong.id, "other room")
    return sid


def _sql(path: Path, statement: str) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(statement)
    finally:
        conn.close()


def test_scheme_3_covers_the_mark_a_forged_reason_breaks_the_signature(
    kit: Kit, ctx: ServiceContext, clinician: Actor, therapist: Actor, db_path: Path
) -> None:
    assert HASH_SCHEME == 3
    for table in ("vital_readings", "doses", "side_effects", "observations"):
        assert set(MARK) <= set(SIGNED_FIELDS_BY_SCHEME[3][table]), table
        assert not set(MARK) & set(SIGNED_FIELDS_BY_SCHEME[2][table]), table
    sid = _marked_session(kit, clinician, therapist)
    SigningService(ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    with ctx.db.read() as s:
        assert verify_signatures(s).ok
        content = record_content(s, "dosing_session", sid)
    assert content is not None
    assert [o["error_reason"] for o in content["observations"]] == ["other room", None]
    _sql(db_path, f"UPDATE observations SET error_reason = 'forged' WHERE session_id = {sid}")
    with ctx.db.read() as s:
        problems = verify_signatures(s).problems
    assert len(problems) == 1
    assert f"dosing_session {sid}" in problems[0].message


def test_a_scheme_2_signature_keeps_verifying(
    kit: Kit,
    ctx: ServiceContext,
    clinician: Actor,
    therapist: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = closed_session(kit, clinician, therapist)
    monkeypatch.setattr(signing_service, "HASH_SCHEME", 2)
    SigningService(ctx).sign(clinician, "dosing_session", old, PASSWORD)
    monkeypatch.undo()
    new = _marked_session(kit, clinician, therapist, mrn="MRN-2")
    SigningService(ctx).sign(clinician, "dosing_session", new, PASSWORD)
    with ctx.db.read() as s:
        report = verify_signatures(s)
        content = record_content(s, "dosing_session", old, scheme=2)
    assert (report.ok, report.checked) == (True, 2)
    assert content is not None
    assert "error_at" not in content["vital_readings"][0]


@pytest.fixture
def db_path(ctx: ServiceContext, tmp_path: Path) -> Path:
    return tmp_path / "clinic.sqlite"


def test_check_passes_on_marked_rows_and_finds_a_forged_mark(
    kit: Kit,
    clinician: Actor,
    therapist: Actor,
    nurse: Actor,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _marked_session(kit, clinician, therapist)
    running = kit.dosed(mrn="MRN-2")
    kit.advance(minutes=20)
    reading = kit.vitals.record(nurse, running, 124, 78, pulse=72, spo2=98).reading
    kit.ctx.corrections.mark_entered_in_error(nurse, "reading", reading.id, "wrong arm")
    kit.ctx.db.close()
    cli.main(["check", "--db", str(db_path)])
    out = capsys.readouterr().out
    # The test kit writes patients, courses and password hashes behind the app (findings
    # of their own); the marks were audited, so no entry of theirs is named.
    for entity in ("vital_reading", "observation", "dosing_session"):
        assert f": {entity} " not in out, out
    [[rid]] = (
        sqlite3.connect(db_path)
        .execute("SELECT min(id) FROM vital_readings WHERE error_at IS NULL")
        .fetchall()
    )
    _sql(
        db_path,
        "UPDATE vital_readings SET error_at = '2026-03-02 09:30:00.000000', "
        f"error_by = {nurse.user_id}, error_reason = 'hidden' WHERE id = {rid}",
    )
    code = cli.main(["check", "--db", str(db_path)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert f"vital_reading {rid}: changed behind the app" in out, out
