"""A verified anchor vouches for the signatures that matched at its head; `kapdesk check`
rebuilds only the others, and every vouched one as soon as anything else is wrong. Every
change to signed content after the anchor is still named: behind the app (the row then
disagrees with its trail), through a forged but well-chained audit entry (the entry names
the record), a row moved to another session, a course changed under its sessions; and a
signature that did not match at the anchor stays unmatched."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

from kapdesk import cli
from kapdesk.domain.clock import FakeClock
from kapdesk.services import check_vouch, database_check
from kapdesk.storage import anchor as anchor_mod
from kapdesk.storage import audit_replay, signature_vouch
from kapdesk.storage.anchor import anchor_file, read_anchors, write_anchor
from kapdesk.storage.audit import append, row_snapshot
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.orm import Course, VitalReading

from .test_signature_tamper_kinds import (  # noqa: F401 (fixture)
    KINDS,
    SIGNED_SESSION,
    Clinic,
    _one,
    _sig,
    _sql,
    change_signed_record,
    clinic,
)

WHEN = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
FIRST_SIGNED_READING = f"SELECT min(id) FROM vital_readings WHERE session_id IN ({SIGNED_SESSION})"


@pytest.fixture(params=["threads", "processes"])
def check_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The check as on a small file (threads) and as on a big one (worker processes, every
    table compared in SQL first)."""
    if request.param == "processes":
        monkeypatch.setattr(database_check, "PROCESS_MIN_BYTES", 0)
        monkeypatch.setattr(audit_replay, "FAST_MIN_ROWS", 0)
    return str(request.param)


@pytest.fixture
def rebuilt(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[int] | None]:
    """The signature ids each rebuild by printing was asked for (None: all)."""
    asked: list[frozenset[int] | None] = []
    real = signature_vouch.rebuilt_matches

    def spying(conn: Any, ids: Any) -> frozenset[int]:
        asked.append(None if ids is None else frozenset(ids))
        return real(conn, ids)

    monkeypatch.setattr(signature_vouch, "rebuilt_matches", spying)
    monkeypatch.setattr(check_vouch, "rebuilt_matches", spying)
    return asked


def _copy(clinic: Clinic, tmp_path: Path) -> Path:  # noqa: F811
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    return path


def _anchor(path: Path, minutes: int = 0) -> anchor_mod.Anchor:
    """A backup's anchor (written on the file itself, as ``kapdesk backup`` does on its copy)."""
    written = write_anchor(
        path,
        [anchor_file(path.parent / "backups", path)],
        reason="manual",
        now=WHEN + timedelta(minutes=minutes),
    )
    assert written is not None
    assert written.verified
    return written


@contextmanager
def _read(path: Path) -> Iterator[Connection]:
    """A read-only connection to ``path`` in one read transaction."""
    engine = create_readonly_engine(path)
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
    finally:
        engine.dispose()


def _check(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = cli.main(["check", "--db", str(path), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def _signed_reading(path: Path) -> tuple[int, int]:
    """The first reading of a signed session, and that session."""
    reading = _one(path, FIRST_SIGNED_READING)
    return reading, _one(path, f"SELECT session_id FROM vital_readings WHERE id = {reading}")


def _changed(path: Path, session: int) -> str:
    """The finding naming a signed session's signature whose content changed."""
    sig = _sig(path, "dosing_session", session)
    return f"signature {sig} (dosing_session {session}): content changed since signing"


def _differs_in_meaning(out: str, sig: int, entity: str) -> None:
    assert f"signature {sig} ({entity} " in out
    assert "differs from its audit entry" in out
    assert "in meaning" in out


def _vouched_line(n: int, vouched: int, rebuilt_now: int) -> str:
    return (
        f"ok ({n} signed records match their signatures ({vouched} as vouched for by the "
        f"anchor of 2026-03-04 12:00 UTC, {rebuilt_now} rebuilt now; check --full rebuilds "
        "every one))"
    )


def _forge(path: Path, model: type[Any], row_id: int, **changes: Any) -> None:
    """A row changed with an audit entry appended exactly as the app appends one (the chain
    stays intact and the row agrees with its trail): what only the entry itself shows."""
    clock = FakeClock(WHEN + timedelta(hours=1))
    with Database.open(path, clock=clock) as db, db.write() as s:
        row = s.get(model, row_id)
        before = row_snapshot(row)
        for name, value in changes.items():
            setattr(row, name, value)
        s.flush()
        entity = signature_vouch.ENTITY_OF[model.__tablename__]
        append(s, at=clock.now(), user_id=None, action=f"{entity}.corrected", entity=entity,
               entity_id=row_id, before=before, after=row_snapshot(row))  # fmt: skip


# ------------------------------------------------------------------ what the anchor holds


def test_a_verified_anchor_vouches_for_every_matching_signature(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = _copy(clinic, tmp_path)
    written = _anchor(path)
    top = _one(path, "SELECT max(id) FROM signatures")
    assert written.signatures == anchor_mod.SignatureVouch(top, ())
    (read,), problems = read_anchors(anchor_file(path.parent / "backups", path))
    assert problems == []
    assert read == written


def test_a_signature_changed_before_the_anchor_is_left_unmatched_and_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
) -> None:
    path = _copy(clinic, tmp_path)
    session = _one(path, "SELECT min(entity_id) FROM signatures WHERE entity = 'dosing_session'")
    sig = _sig(path, "dosing_session", session)
    _sql(path, f"UPDATE dosing_sessions SET room = 'Room 9' WHERE id = {session}")
    assert _anchor(path).signatures == anchor_mod.SignatureVouch(
        _one(path, "SELECT max(id) FROM signatures"), (sig,)
    )
    code, out = _check(path, capsys)
    assert code == 1, out
    assert _changed(path, session) in out


def test_an_anchor_line_without_the_field_vouches_for_nothing(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rebuilt: list[frozenset[int] | None],
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    file = anchor_file(path.parent / "backups", path)
    line = json.loads(file.read_text())
    del line["signatures"]
    file.write_text(json.dumps(line) + "\n")
    assert read_anchors(file)[0][0].signatures is None
    code, out = _check(path, capsys)
    assert code == 0, out
    assert f"ok ({clinic.signatures} signed records match their signatures)" in out
    assert "vouched" not in out


@pytest.mark.parametrize(
    "field", [{"through": "9"}, {"through": 9, "unmatched": "1"}, {"unmatched": [1.5]}, [1]]
)
def test_a_malformed_field_vouches_for_nothing(field: object) -> None:
    assert anchor_mod.SignatureVouch.from_json(field) is None


# ------------------------------------------------------------------ the check relying on it


def test_an_untouched_clinic_rebuilds_nothing_the_anchor_vouches_for(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    rebuilt: list[frozenset[int] | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    rebuilt.clear()
    seen: list[Any] = []
    real = database_check.signature_queries
    monkeypatch.setattr(database_check, "signature_queries", lambda *a: seen.append(a) or real(*a))
    code, out = _check(path, capsys)
    assert code == 0, out
    assert _vouched_line(clinic.signatures, clinic.signatures, 0) in out
    assert seen == []  # no piece of the signatures' pass in worker processes
    assert all(ids == frozenset() for ids in rebuilt)  # nor in this process


def test_check_full_rebuilds_every_signature(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    code, out = _check(path, capsys, "--full")
    assert code == 0, out
    assert f"ok ({clinic.signatures} signed records match their signatures)" in out


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_change_behind_the_app_after_the_anchor_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    kind: str,
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    find, change = KINDS[kind]
    session = _one(path, find)
    _sql(path, change.format(s=session))
    code, out = _check(path, capsys)
    assert code == 1, out
    assert _changed(path, session) in out
    if kind != "course's pinned protocol":
        assert out.count("content changed since signing") == 1


@pytest.mark.parametrize("entity", ["note", "addendum"])
def test_a_note_or_addendum_changed_after_the_anchor_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    entity: str,
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    expected = change_signed_record(path, entity)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert expected in out


def test_a_change_elsewhere_makes_the_check_rebuild_every_vouched_signature(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    rebuilt: list[frozenset[int] | None],
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    _sql(path, "UPDATE patients SET family_name = 'Other' WHERE id = 1")
    rebuilt.clear()
    code, out = _check(path, capsys)
    assert code == 1, out
    assert "content changed since signing" not in out
    assert len(max(rebuilt, key=lambda ids: len(ids or ()))) == clinic.signatures  # type: ignore[arg-type]


def test_a_setting_or_protocol_finding_makes_the_check_rebuild_every_vouched_signature(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    rebuilt: list[frozenset[int] | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found after the row replay's pieces are handed out, listed after the signatures."""
    path = _copy(clinic, tmp_path)
    _anchor(path)
    monkeypatch.setattr(database_check, "settings_check_lines", lambda conn: ["a bad setting"])
    rebuilt.clear()
    code, out = _check(path, capsys)
    assert code == 1, out
    assert "a bad setting" in out
    assert len(max(rebuilt, key=lambda ids: len(ids or ()))) == clinic.signatures  # type: ignore[arg-type]


# ------------------------------------------------------------------ entries after the anchor


def test_a_reading_changed_through_a_forged_entry_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    reading, session = _signed_reading(path)
    systolic = _one(path, f"SELECT systolic FROM vital_readings WHERE id = {reading}")
    _forge(path, VitalReading, reading, systolic=systolic - 10)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert _changed(path, session) in out
    assert out.count("content changed since signing") == 1
    assert "agree with their audit trail" not in out  # the row replay cannot see it


def test_a_reading_moved_to_another_session_names_both(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    signed = f"SELECT session_id FROM vital_readings WHERE session_id IN ({SIGNED_SESSION})"
    old, new = (
        _one(path, f"SELECT min(session_id) FROM ({signed})"),
        _one(path, f"SELECT max(session_id) FROM ({signed})"),
    )
    reading = _one(path, f"SELECT min(id) FROM vital_readings WHERE session_id = {old}")
    _forge(path, VitalReading, reading, session_id=new)
    code, out = _check(path, capsys)
    assert code == 1, out
    for session in (old, new):
        assert _changed(path, session) in out


def test_a_course_changed_through_a_forged_entry_names_its_signed_sessions(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
) -> None:
    path = _copy(clinic, tmp_path)
    _anchor(path)
    session = _one(path, "SELECT min(entity_id) FROM signatures WHERE entity = 'dosing_session'")
    course = _one(path, f"SELECT course_id FROM dosing_sessions WHERE id = {session}")
    _forge(path, Course, course, protocol_hash="0" * 64)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert _changed(path, session) in out


def test_entries_after_the_anchor_name_the_signatures_they_touch(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The mapping itself, on one connection: nothing after the anchor, then one reading."""
    path = _copy(clinic, tmp_path)
    head = _one(path, "SELECT max(id) FROM audit_log")
    reading, session = _signed_reading(path)
    _forge(path, VitalReading, reading, pulse=77)
    with _read(path) as conn:
        assert signature_vouch.affected_signatures(conn, head + 1) == frozenset()
        assert signature_vouch.affected_signatures(conn, head) == {
            _sig(path, "dosing_session", session)
        }
        assert signature_vouch.affected_signatures(conn, head, limit=0) is None


def test_entries_after_the_anchor_are_read_forward_from_it(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The entries after the anchor are found by their ids (a range read from the anchor's
    entry on), not by every entry of the signed kinds through the entity index: with
    nothing new, the look-up costs nothing however long the log is."""
    path = _copy(clinic, tmp_path)
    head = _one(path, "SELECT max(id) FROM audit_log")
    statements: list[tuple[str, Any]] = []
    with _read(path) as conn:
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append((a[2], a[3])))
        assert signature_vouch.affected_signatures(conn, head) == frozenset()
    (sql, params), *_ = [(q, p) for q, p in statements if "FROM audit_log" in q]
    with sqlite3.connect(path) as raw:
        plan = " ".join(row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "INTEGER PRIMARY KEY" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


# ------------------------------------------------------------------ the next anchor


def test_the_next_anchor_rebuilds_only_what_the_previous_cannot_vouch_for(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rebuilt: list[frozenset[int] | None],
) -> None:
    path = _copy(clinic, tmp_path)
    rebuilt.clear()
    _anchor(path)
    assert rebuilt == [None]  # the first: every signature
    reading, session = _signed_reading(path)
    sig = _sig(path, "dosing_session", session)
    _forge(path, VitalReading, reading, pulse=55)
    rebuilt.clear()
    second = _anchor(path, minutes=5)
    assert rebuilt == [frozenset({sig})]
    assert second.signatures is not None
    assert second.signatures.unmatched == (sig,)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert _changed(path, session) in out


def test_vouching_reads_the_same_anchors_as_the_chain(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    """An anchor whose entry now has another hash vouches for nothing."""
    path = _copy(clinic, tmp_path)
    written = _anchor(path)
    file = anchor_file(path.parent / "backups", path)
    line = json.loads(file.read_text())
    line["hash"] = "0" * 64
    file.write_text(json.dumps(line) + "\n")
    with _read(path) as conn:
        assert check_vouch.vouching(conn, path, [], full=False) is None
        file.write_text(json.dumps({**line, "hash": written.hash}) + "\n")
        assert check_vouch.vouching(conn, path, [], full=False) is not None
        assert check_vouch.vouching(conn, path, [], full=True) is None


def test_a_course_column_its_entry_does_not_record_is_never_vouched_for(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
) -> None:
    """On a clinic upgraded from before courses pinned a protocol hash, a course's newest
    entry may not record it: the row replay cannot judge that column, so a change to it
    behind the app after the anchor must still be found by rebuilding the signatures."""
    path = _copy(clinic, tmp_path)
    session = _one(path, "SELECT min(entity_id) FROM signatures WHERE entity = 'dosing_session'")
    course = _one(path, f"SELECT course_id FROM dosing_sessions WHERE id = {session}")
    clock = FakeClock(WHEN - timedelta(days=1))
    with Database.open(path, clock=clock) as db, db.write() as s:
        snapshot = row_snapshot(s.get(Course, course))
        del snapshot["protocol_hash"]
        append(s, at=clock.now(), user_id=None, action="course.old_snapshot", entity="course",
               entity_id=course, before=None, after=snapshot)  # fmt: skip
    code, out = _check(path, capsys)
    assert code == 0, out  # the upgraded clinic agrees with its trail
    with _read(path) as conn:
        assert signature_vouch.courses_not_recorded(conn) == {course}
    vouch = _anchor(path).signatures
    assert vouch is not None
    assert _sig(path, "dosing_session", session) in vouch.unmatched
    _sql(path, f"UPDATE courses SET protocol_hash = 'x' || protocol_hash WHERE id = {course}")
    code, out = _check(path, capsys)
    assert code == 1, out
    assert _changed(path, session) in out


# ------------------------------------------------------------------ a signature's own row


@pytest.mark.parametrize("when", ["before the anchor", "after the anchor"])
def test_a_signature_row_rewritten_behind_the_app_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    when: str,
) -> None:
    path = _copy(clinic, tmp_path)
    if when == "after the anchor":
        _anchor(path)
    sig = _one(path, "SELECT max(id) FROM signatures WHERE entity = 'dosing_session'")
    _sql(path, "DROP TRIGGER signatures_no_update",
         f"UPDATE signatures SET meaning = 'reviewed' WHERE id = {sig}")  # fmt: skip
    if when == "before the anchor":
        vouch = _anchor(path).signatures
        assert vouch is not None
        assert sig in vouch.unmatched
    code, out = _check(path, capsys)
    assert code == 1, out
    _differs_in_meaning(out, sig, "dosing_session")


def test_a_clean_check_compares_no_vouched_signature_with_its_entry(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nor reads the signatures table whole; a signature made after the anchor still is."""
    from kapdesk.services import integrity

    path = _copy(clinic, tmp_path)
    _anchor(path)

    def refuse(conn: Any) -> Any:
        raise AssertionError("every sign.signed entry compared")

    asked: list[frozenset[int]] = []
    real = integrity.anchored_among

    def among(conn: Any, ids: Any) -> frozenset[int]:
        asked.append(frozenset(ids))
        return real(conn, ids)

    monkeypatch.setattr(integrity, "anchored_signatures", refuse)
    monkeypatch.setattr(integrity, "anchored_among", among)
    code, out = _check(path, capsys)
    assert code == 0, out
    assert asked == [frozenset()]
    reading = _one(path, FIRST_SIGNED_READING)
    _forge(path, VitalReading, reading, pulse=61)  # the session's signature no longer matches
    asked.clear()
    code, out = _check(path, capsys)
    assert code == 1, out
    session = _one(path, f"SELECT session_id FROM vital_readings WHERE id = {reading}")
    assert asked == [frozenset({_sig(path, "dosing_session", session)})]


def test_a_signature_rewritten_through_a_forged_entry_is_named(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    check_path: str,
) -> None:
    """The row agrees with its newest entry, which the chain holds: only its ``sign.signed``
    entry shows what was signed."""
    from kapdesk.storage.orm import Signature

    path = _copy(clinic, tmp_path)
    _anchor(path)
    sig = _one(path, "SELECT max(id) FROM signatures WHERE entity = 'note'")
    with sqlite3.connect(path) as conn:
        (trigger,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'signatures_no_update'"
        ).fetchone()
    conn.close()
    _sql(path, "DROP TRIGGER signatures_no_update")
    _forge(path, Signature, sig, meaning="reviewed")
    _sql(path, trigger)  # the schema as it was: nothing but the entry shows the change
    code, out = _check(path, capsys)
    assert code == 1, out
    _differs_in_meaning(out, sig, "note")


def test_a_printed_course_summary_keeps_its_signatures_vouched_for(
    clinic: Clinic,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A print's entry on a course records no column (the replay reads nothing from it):
    the course's columns are still those its snapshot recorded, and judged."""
    path = _copy(clinic, tmp_path)
    course = _one(path, "SELECT min(course_id) FROM dosing_sessions WHERE id IN "
                  "(SELECT entity_id FROM signatures WHERE entity = 'dosing_session')")  # fmt: skip
    clock = FakeClock(WHEN - timedelta(days=1))
    with Database.open(path, clock=clock) as db, db.write() as s:
        append(s, at=clock.now(), user_id=None, action="report.course", entity="course",
               entity_id=course, after={"pages": 4, "via": "console"})  # fmt: skip
    with _read(path) as conn:
        assert signature_vouch.courses_not_recorded(conn) == frozenset()
    vouch = _anchor(path).signatures
    assert vouch is not None
    assert vouch.unmatched == ()
    code, out = _check(path, capsys)
    assert code == 0, out
    assert _vouched_line(clinic.signatures, clinic.signatures, 0) in out
