"""Every kind of signed content, changed behind the app's back after signing, is named by
`kapdesk check` - with the signatures verified in SQL first (as on every clinic) and with
that pass switched off (everything recomputed in Python) - on a bulk-built clinic that signs
as a clinic does. The SQL pass rebuilds exactly the text Python hashes, so on an untouched
clinic no signature is recomputed through the ORM."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from kapdesk import cli
from kapdesk.demo.bulk import build_big_clinic
from kapdesk.domain.signing import SignedEntity, canonical_json
from kapdesk.services import integrity
from kapdesk.services.signed_records import record_content
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.signed_sql import Anchors, SqlMatch, anchored_signatures, record_sql

TODAY = date(2026, 3, 4)


@dataclass(frozen=True)
class Clinic:
    path: Path
    signatures: int


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    path = tmp_path_factory.mktemp("kinds") / "clinic.sqlite"
    built = build_big_clinic(path, patients=40, years=1, seed=3, today=TODAY, end_time=time(11))
    return Clinic(path, built.counts["signatures"])


@pytest.fixture(params=["sql-first", "python"])
def sql_pass(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":  # nothing matched in SQL: every signature recomputed
        monkeypatch.setattr(
            integrity, "match_signatures", lambda conn, piece: SqlMatch(frozenset())
        )
        monkeypatch.setattr(
            integrity, "anchored_signatures", lambda conn: Anchors(-1, frozenset(), 0)
        )
    return str(request.param)


def _one(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        (value,) = conn.execute(sql).fetchone()
    conn.close()
    return int(value)


def _sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


# A signed session holding the part; the statement changes that part; the record named.
SIGNED_SESSION = "SELECT entity_id FROM signatures WHERE entity = 'dosing_session'"
KINDS: dict[str, tuple[str, str]] = {
    "reading systolic": (
        f"SELECT min(session_id) FROM vital_readings WHERE session_id IN ({SIGNED_SESSION})",
        "UPDATE vital_readings SET systolic = systolic + 1 WHERE id = "
        "(SELECT min(id) FROM vital_readings WHERE session_id = {s})",
    ),
    "entered-in-error mark": (
        f"SELECT min(session_id) FROM vital_readings WHERE error_at IS NOT NULL "
        f"AND session_id IN ({SIGNED_SESSION})",
        "UPDATE vital_readings SET error_reason = 'never mind' "
        "WHERE session_id = {s} AND error_at IS NOT NULL",
    ),
    "dose lot number": (
        f"SELECT min(session_id) FROM doses WHERE session_id IN ({SIGNED_SESSION})",
        "UPDATE doses SET lot_number = 'LOT-X' WHERE session_id = {s}",
    ),
    "dose mg by a hair": (
        f"SELECT min(session_id) FROM doses WHERE session_id IN ({SIGNED_SESSION})",
        "UPDATE doses SET mg = mg + 1e-9 WHERE session_id = {s}",
    ),
    "dose mg in its 16th-17th digit (SQLite prints 15)": (
        f"SELECT min(session_id) FROM doses WHERE session_id IN ({SIGNED_SESSION})",
        "UPDATE doses SET mg = mg * (1 + 4.5e-16) WHERE session_id = {s}",
    ),
    "dose warnings given a NUL tail (SQLite's printf stops at a NUL)": (
        f"SELECT min(session_id) FROM doses WHERE session_id IN ({SIGNED_SESSION})",
        "UPDATE doses SET warnings = warnings || char(0) || ',1' WHERE session_id = {s}",
    ),
    "hold override reason": (
        f"SELECT min(session_id) FROM hold_overrides WHERE session_id IN ({SIGNED_SESSION})",
        "UPDATE hold_overrides SET reason = 'because' WHERE session_id = {s}",
    ),
    "side effect severity": (
        f"SELECT min(session_id) FROM side_effects WHERE session_id IN ({SIGNED_SESSION}) "
        "AND severity != 'severe'",
        "UPDATE side_effects SET severity = 'severe' WHERE session_id = {s}",
    ),
    "observation text": (
        f"SELECT min(session_id) FROM observations WHERE kind = 'dissociation' "
        f"AND session_id IN ({SIGNED_SESSION})",
        "UPDATE observations SET text = text || '.' WHERE session_id = {s} "
        "AND kind = 'dissociation'",
    ),
    "acknowledgement slipped in": (
        f"SELECT min(session_id) FROM vital_readings WHERE session_id IN ({SIGNED_SESSION})",
        "INSERT INTO alert_acknowledgements (session_id, reading_id, acknowledged_by, "
        "acknowledged_at, note) SELECT session_id, id, recorded_by, recorded_at, 'ok' "
        "FROM vital_readings WHERE session_id = {s} LIMIT 1",
    ),
    "session note body": (
        f"SELECT min(dosing_session_id) FROM notes WHERE kind = 'session' "
        f"AND dosing_session_id IN ({SIGNED_SESSION})",
        "UPDATE notes SET body = body || ' ' WHERE dosing_session_id = {s} AND kind = 'session'",
    ),
    "session room": (
        "SELECT min(entity_id) FROM signatures WHERE entity = 'dosing_session'",
        "UPDATE dosing_sessions SET room = 'Room 9' WHERE id = {s}",
    ),
    "course's pinned protocol": (
        "SELECT min(entity_id) FROM signatures WHERE entity = 'dosing_session'",
        "UPDATE courses SET protocol_hash = 'x' || protocol_hash "
        "WHERE id = (SELECT course_id FROM dosing_sessions WHERE id = {s})",
    ),
}


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check", "--db", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def _sig(path: Path, entity: str, entity_id: int) -> int:
    return _one(path, f"SELECT id FROM signatures WHERE entity = '{entity}' "
                f"AND entity_id = {entity_id}")  # fmt: skip


def change_signed_record(path: Path, entity: str) -> str:
    """Change the first signed note (a section) or addendum (its text) behind the app;
    returns the finding that names its signature."""
    record = _one(path, f"SELECT min(entity_id) FROM signatures WHERE entity = '{entity}'")
    sig = _sig(path, entity, record)
    if entity == "note":
        _sql(path, "UPDATE notes SET sections = json_set(sections, '$.themes', 'x') "
             f"WHERE id = {record}")  # fmt: skip
    else:
        _sql(path, "DROP TRIGGER addenda_no_update",
             f"UPDATE addenda SET text = text || '!' WHERE id = {record}")  # fmt: skip
    return f"signature {sig} ({entity} {record}): content changed since signing"


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_changed_part_of_a_signed_session_is_named(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql_pass: str,
    kind: str,
) -> None:  # fmt: skip
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    find, change = KINDS[kind]
    session = _one(path, find)
    sig = _sig(path, "dosing_session", session)
    _sql(path, change.format(s=session))
    code, out = _check(path, capsys)
    assert code == 1, out
    assert f"signature {sig} (dosing_session {session}): content changed since signing" in out
    if kind != "course's pinned protocol":  # that one covers every session of the course
        assert out.count("content changed since signing") == 1  # that record only


@pytest.mark.parametrize("entity", ["note", "addendum"])
def test_a_changed_note_or_addendum_is_named(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql_pass: str,
    entity: str,
) -> None:  # fmt: skip
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    expected = change_signed_record(path, entity)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert expected in out


def test_an_untouched_clinic_checks_clean_both_ways(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql_pass: str
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    code, out = _check(path, capsys)
    assert code == 0, out
    assert f"ok ({clinic.signatures} signed records match their signatures)" in out


def test_sql_rebuilds_the_text_python_hashes(clinic: Clinic) -> None:
    """For every signed record, byte for byte; so on an untouched clinic the ORM path
    (record_hash) never runs."""
    engine = create_readonly_engine(clinic.path)
    try:
        with engine.connect() as conn, conn.begin(), Session(bind=conn) as s:
            for entity in SignedEntity:
                table, payload = record_sql(entity, 3)
                found = conn.exec_driver_sql(
                    f'SELECT g.entity_id, {payload} FROM signatures g JOIN "{table}" r '
                    f"ON r.id = g.entity_id WHERE g.entity = '{entity.value}'"
                ).all()
                assert found, entity
                for entity_id, built in found:
                    content = record_content(s, entity, entity_id, scheme=3)
                    expected = {"scheme": 3, "entity": entity.value, "id": entity_id,
                                "content": content}  # fmt: skip
                    assert built == canonical_json(expected), (entity, entity_id)
    finally:
        engine.dispose()


def test_an_untouched_clinic_recomputes_no_signature_through_the_orm(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a signature was recomputed through the ORM")

    monkeypatch.setattr(integrity, "record_hash", refuse)
    report = integrity.verify_signatures_at(clinic.path)
    assert report.ok, report.messages()[:3]
    assert report.checked == clinic.signatures


def _anchored(path: Path) -> tuple[Anchors, list[str]]:
    """anchored_signatures on ``path``, and the statements it ran."""
    engine = create_readonly_engine(path)
    ran: list[str] = []
    try:
        with engine.connect() as conn, conn.begin():
            event.listen(conn, "before_cursor_execute", lambda *a: ran.append(a[2]))
            return anchored_signatures(conn), ran
    finally:
        engine.dispose()


def test_anchors_count_every_entry_and_pair_only_exact_ones_in_one_read(
    clinic: Clinic, tmp_path: Path
) -> None:
    """Each sign.signed entry is counted once, matched or not (an entry naming a missing
    signature, a signature changed since its entry): the log is read in one statement."""
    found, ran = _anchored(clinic.path)
    assert (found.entries, found.pairs) == (clinic.signatures, clinic.signatures)
    assert len(found.matched) == clinic.signatures
    assert len(ran) == 1, ran
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    changed = _one(path, "SELECT min(id) FROM signatures")
    _sql(path, "DROP TRIGGER signatures_no_update",
         f"UPDATE signatures SET meaning = meaning || '!' WHERE id = {changed}",
         "INSERT INTO audit_log (at, action, entity, entity_id, after, prev_hash, hash) "
         "SELECT at, action, entity, '999999', after, prev_hash, hash FROM audit_log "
         "WHERE action = 'sign.signed' LIMIT 1")  # fmt: skip
    found, _ran = _anchored(path)
    assert found.entries == clinic.signatures + 1
    assert found.pairs == clinic.signatures - 1
    assert changed not in found.matched
    assert len(found.matched) == found.pairs
