"""The tamper suite: an attacker with a copy of SQLite edits a clinic file; `kapdesk check`
finds every edit and names what changed.

One demo clinic (kapdesk/demo) is built per module, then, through the services, a
session signed with an addendum, an alert reading acknowledged in the running session.
Each case works on a fresh copy: raw SQL (sqlite3, triggers dropped where they are in the
way), sometimes followed by an ordinary app write, then the real CLI.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from kapdesk import cli
from kapdesk.demo import build_demo_clinic
from kapdesk.demo.data import DEMO_PASSWORD
from kapdesk.demo.plan import local_time
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services import database_check
from kapdesk.services.addenda import AddendumService
from kapdesk.services.alerts import AlertService
from kapdesk.services.backups import BackupService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.database_check import run_check
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of
from kapdesk.services.vitals import VitalsService
from kapdesk.storage import audit_replay, replay_processes
from kapdesk.storage.anchor import anchor_file, read_anchors
from kapdesk.storage.audit import entry_hash
from kapdesk.storage.db import Database

DAY = date(2026, 3, 4)
# A discharged session the demo left unsigned (it signs those older than two days).
_UNSIGNED = (
    "state = 'discharged' AND id NOT IN "
    "(SELECT entity_id FROM signatures WHERE entity = 'dosing_session')"
)


@dataclass(frozen=True)
class Clinic:
    path: Path
    end: object  # the clinic's "now" (aware datetime)
    running: int  # an unsigned session in monitoring
    signed: int  # a signed, discharged session
    addendum: int
    nurse: int
    ack_reading: int  # the acknowledged alert reading of the running session


def _staff(ctx: ServiceContext) -> dict[Role, Actor]:
    return {u.role: actor_of(u) for u in UserService(ctx).list_users()}


def _q(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _one(path: Path, sql: str, *args: object) -> object:
    return _q(path, sql, *args)[0][0]


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    path = tmp_path_factory.mktemp("tamper-suite") / "clinic.sqlite"
    build_demo_clinic(path, seed=3, patients=4, today=DAY)
    end = local_time(DAY, time(10, 5))
    clock = FakeClock(end)
    with Database.open(path, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        staff = _staff(ctx)
        doc, nurse = staff[Role.CLINICIAN], staff[Role.NURSE]
        signed = int(_one(path, f"SELECT max(id) FROM dosing_sessions WHERE {_UNSIGNED}"))
        SigningService(ctx).sign(doc, "dosing_session", signed, DEMO_PASSWORD)
        addendum = (
            AddendumService(ctx)
            .add_addendum(
                doc, "dosing_session", signed, "Blood pressure re-checked at 11:00: 126/80."
            )
            .id
        )
        running = int(_one(path, "SELECT min(id) FROM dosing_sessions WHERE state = 'monitoring'"))
        reading = VitalsService(ctx).record(nurse, running, 192, 118, pulse=96, spo2=97)
        AlertService(ctx).acknowledge(doc, running, reading.reading.id, "Seen, rechecking.")
    return Clinic(path, end, running, signed, addendum, nurse.user_id, reading.reading.id)


@pytest.fixture(autouse=True, params=["sql-first", "python"])
def replay_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every case twice: rows compared in SQL first (as on a big clinic), and in Python."""
    monkeypatch.setattr(audit_replay, "FAST_MIN_ROWS", 0 if request.param == "sql-first" else 10**9)
    return str(request.param)


@pytest.fixture
def copy(clinic: Clinic, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    return path


def _check(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = cli.main(["check", "--db", str(path), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def _app_write(path: Path, clinic: Clinic) -> None:
    """An ordinary app write: the nurse signs in."""
    clock = FakeClock(clinic.end + timedelta(minutes=30))  # type: ignore[operator]
    with Database.open(path, clock=clock) as db:
        UserService(ServiceContext(db=db, clock=clock)).authenticate("nurse", DEMO_PASSWORD)


def _app_view(path: Path, clinic: Clinic) -> None:
    """Another ordinary app write: a clinician opens a patient chart."""
    clock = FakeClock(clinic.end + timedelta(minutes=31))  # type: ignore[operator]
    with Database.open(path, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        PatientService(ctx).record_view(_staff(ctx)[Role.CLINICIAN], 1)


def _anchor(path: Path, clinic: Clinic) -> None:
    """A backup through the app (it anchors the chain head in backups/)."""
    clock = FakeClock(clinic.end + timedelta(minutes=20))  # type: ignore[operator]
    with Database.open(path, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        BackupService(ctx).back_up_now(_staff(ctx)[Role.ADMIN])


def _last_audit(path: Path) -> int:
    return int(_one(path, "SELECT max(id) FROM audit_log"))  # type: ignore[arg-type]


# ------------------------------------------------------------------ the clean clinic


def test_the_demo_clinic_checks_clean(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _check(copy, capsys)
    assert code == 0, out
    lines = out.strip().splitlines()
    assert all(": ok (" in line for line in lines)
    assert any("signed records match" in line for line in lines)  # the demo signs, too
    assert any("rows agree with their audit trail" in line for line in lines)


def test_a_fresh_demo_checks_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=2, today=DAY)
    code, out = _check(path, capsys)
    assert code == 0, out


def test_backups_anchor_the_chain_and_later_app_writes_stay_clean(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _anchor(copy, clinic)
    anchors, problems = read_anchors(anchor_file(copy.parent / "backups", copy))
    assert problems == []
    assert len(anchors) == 1
    assert anchors[0].verified
    assert anchors[0].entry_id == _last_audit(copy) - 1  # the backup.create entry follows
    _app_write(copy, clinic)
    _app_view(copy, clinic)
    code, out = _check(copy, capsys)
    assert code == 0, out
    assert "anchors outside the file" in out
    assert f"entries 1-{anchors[0].entry_id} as verified and anchored" in out
    code, out = _check(copy, capsys, "--full")
    assert code == 0, out


def test_a_big_bulk_clinic_checks_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kapdesk.demo import build_big_clinic

    path = tmp_path / "big.sqlite"
    build_big_clinic(path, seed=2, patients=12, years=1, today=DAY)
    code, out = _check(path, capsys)
    assert code == 0, out


# ------------------------------------------------------------------ the cases


def _insert_reading(path: Path, c: Clinic) -> str:
    _sql(
        path,
        "INSERT INTO vital_readings (session_id, taken_at, systolic, diastolic, pulse, spo2, "
        "phase, band, rules, assessment, protocol_label, recorded_by, recorded_at) "
        f"SELECT session_id, taken_at, 118, 76, pulse, spo2, phase, 'normal', '[]', '', "
        f"protocol_label, recorded_by, recorded_at FROM vital_readings "
        f"WHERE session_id = {c.running} ORDER BY id DESC LIMIT 1",
    )
    rid = _one(path, "SELECT max(id) FROM vital_readings")
    return f"vital_reading {rid}: no audit entry created it"


def _insert_addendum(path: Path, c: Clinic) -> str:
    _sql(
        path,
        "INSERT INTO addenda (entity, entity_id, author_id, author_name, author_role, "
        "created_at, text, corrected) SELECT entity, entity_id, author_id, author_name, "
        "author_role, created_at, 'Patient consented to a higher dose.', NULL FROM addenda "
        f"WHERE id = {c.addendum}",
    )
    aid = _one(path, "SELECT max(id) FROM addenda")
    return f"addendum {aid}: no audit entry created it"


def _promote_nurse(path: Path, c: Clinic) -> str:
    _sql(path, f"UPDATE users SET role = 'clinician' WHERE id = {c.nurse}")
    return f"user {c.nurse}: changed behind the app; differs from audit entry"


def _promote_nurse_message(path: Path, c: Clinic) -> str:
    _promote_nurse(path, c)
    return 'role is "clinician", recorded "nurse"'


def _drop_triggers(path: Path, c: Clinic) -> str:
    _sql(path, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete")
    return "trigger audit_log_no_delete on audit_log is missing"


def _truncate_then_write(path: Path, c: Clinic) -> str:
    last = _last_audit(path)
    _sql(path, "DROP TRIGGER audit_log_no_delete", f"DELETE FROM audit_log WHERE id > {last - 3}")
    _sql(path, "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT "
               "RAISE(ABORT, 'audit_log is append-only'); END")  # fmt: skip
    _app_write(path, c)
    return f"entries {last - 2}-{last} missing before entry {last + 1}"


def _truncate_lower_sequence_then_write(path: Path, c: Clinic) -> str:
    _anchor(path, c)
    last = _last_audit(path)
    _sql(
        path,
        "DROP TRIGGER audit_log_no_delete",
        f"DELETE FROM audit_log WHERE id > {last - 3}",
        f"UPDATE sqlite_sequence SET seq = {last - 3} WHERE name = 'audit_log'",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT "
        "RAISE(ABORT, 'audit_log is append-only'); END",
    )
    _app_write(path, c)
    _app_view(path, c)
    _app_write(path, c)
    return f"audit entry {last - 1} differs from its anchor"  # the head the backup anchored


def _lower_sequence(path: Path, c: Clinic) -> str:
    last = _last_audit(path)
    _sql(path, f"UPDATE sqlite_sequence SET seq = {last - 5} WHERE name = 'audit_log'")
    return f"counter (sqlite_sequence) was lowered to {last - 5}"


def _dose_amount(path: Path, c: Clinic) -> str:
    did = _one(path, "SELECT min(id) FROM doses")
    _sql(path, f"UPDATE doses SET amount = amount * 2, mg = mg * 2 WHERE id = {did}")
    return f"dose {did}: changed behind the app; differs from audit entry"


def _dose_amount_last_digits(path: Path, c: Clinic) -> str:
    """A dose changed in its 16th-17th significant digit (SQLite prints 15 by default)."""
    did = _one(path, "SELECT min(id) FROM doses")
    ((shown, mg),) = _q(path, f"SELECT printf('%s', mg), mg FROM doses WHERE id = {did}")
    _sql(path, f"UPDATE doses SET mg = mg * (1 + 4.5e-16) WHERE id = {did}")
    assert _q(path, f"SELECT printf('%s', mg), mg != {mg!r} FROM doses WHERE id = {did}") == [
        (shown, 1)
    ]
    return f"dose {did}: changed behind the app; differs from audit entry"


def _room_unescaped(path: Path, c: Clinic) -> str:
    """A session scheduled in a room with a quote in its name, the room then replaced by the
    text its audit snapshot holds (the quote escaped): equal as printed, not as stored."""
    clock = FakeClock(c.end)
    course = _one(path, f"SELECT course_id FROM dosing_sessions WHERE id = {c.running}")
    with Database.open(path, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        sid = SessionService(ctx).schedule(
            _staff(ctx)[Role.CLINICIAN], int(course), c.end + timedelta(days=1),  # type: ignore[arg-type, operator]
            'Room "B"',
        ).id  # fmt: skip
    _sql(path, f"UPDATE dosing_sessions SET room = 'Room \\\"B\\\"' WHERE id = {sid}")
    return f"dosing_session {sid}: changed behind the app; differs from audit entry"


def _override_reason(path: Path, c: Clinic) -> str:
    oid = _one(path, "SELECT min(id) FROM hold_overrides")
    _sql(path, f"UPDATE hold_overrides SET reason = 'Patient insisted' WHERE id = {oid}")
    return f"hold_override {oid}: changed behind the app"


def _delete_side_effect(path: Path, c: Clinic) -> str:
    sid = _one(path, "SELECT max(id) FROM side_effects")
    _sql(path, f"DELETE FROM side_effects WHERE id = {sid}")
    return f"side_effect {sid}: deleted behind the app"


def _course_hash(path: Path, c: Clinic) -> str:
    cid = _one(path, "SELECT min(id) FROM courses")
    _sql(path, f"UPDATE courses SET protocol_hash = '{'ab' * 32}' WHERE id = {cid}")
    return f"course {cid}: changed behind the app; differs from audit entry"


def _insert_acknowledgement(path: Path, c: Clinic) -> str:
    rid = _one(
        path, f"SELECT max(id) FROM vital_readings WHERE session_id = {c.running} "
        f"AND id != {c.ack_reading}"
    )  # fmt: skip
    _sql(
        path,
        "INSERT INTO alert_acknowledgements (session_id, reading_id, acknowledged_by, "
        f"acknowledged_at, note) VALUES ({c.running}, {rid}, 2, '2026-03-04 09:00:00.000000', '')",
    )
    aid = _one(path, "SELECT max(id) FROM alert_acknowledgements")
    return f"alert_acknowledgement {aid}: no audit entry created it"


def _delete_acknowledgement(path: Path, c: Clinic) -> str:
    aid = _one(path, "SELECT max(id) FROM alert_acknowledgements")
    _sql(path, f"DELETE FROM alert_acknowledgements WHERE id = {aid}")
    return f"alert_acknowledgement {aid}: deleted behind the app"


def _alter_trigger(path: Path, c: Clinic) -> str:
    _sql(
        path,
        "DROP TRIGGER signatures_no_update",
        "CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'signatures is append-only'); END",
    )
    return "trigger signatures_no_update on signatures differs from schema 0006"


def _extra_trigger(path: Path, c: Clinic) -> str:
    _sql(
        path,
        "CREATE TRIGGER quiet AFTER INSERT ON vital_readings BEGIN "
        "UPDATE vital_readings SET band = 'normal' WHERE id = NEW.id; END",
    )
    return "trigger quiet on vital_readings is not part of schema 0006"


def _drop_index(path: Path, c: Clinic) -> str:
    _sql(path, "DROP INDEX ix_signatures_entity_entity_id")
    return "index ix_signatures_entity_entity_id on signatures is missing"


def _anchor_newer_than_db(path: Path, c: Clinic) -> str:
    older = path.with_name("older.sqlite")
    shutil.copyfile(path, older)
    _app_write(path, c)
    _anchor(path, c)
    anchored = _last_audit(path) - 1  # the backup.create entry follows the anchored head
    shutil.copyfile(older, path)  # the file swapped for an earlier copy
    return f"but entry {anchored} was anchored"


def _rewrite_chain(path: Path, c: Clinic) -> str:
    """Edit an old reading and its entry, then re-hash the whole chain from there."""
    _anchor(path, c)
    rid = _one(path, "SELECT min(id) FROM vital_readings")
    entry = int(_one(path, "SELECT min(id) FROM audit_log WHERE entity = 'vital_reading' "  # type: ignore[arg-type]
                       f"AND entity_id = '{rid}'"))  # fmt: skip
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute(f"UPDATE vital_readings SET systolic = 121 WHERE id = {rid}")
        conn.execute(
            "UPDATE audit_log SET after = json_set(after, '$.systolic', 121) WHERE id = ?",
            (entry,),
        )
        prev = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (entry - 1,)).fetchone()[0]
        rows = conn.execute(
            "SELECT id, at, user_id, action, entity, entity_id, before, after FROM audit_log "
            "WHERE id >= ? ORDER BY id",
            (entry,),
        ).fetchall()
        for eid, at, user, action, entity, entity_id, before, after in rows:
            iso = at.replace(" ", "T").replace(".000000", "") + "+00:00"
            digest = entry_hash(entry_id=eid, at=iso, user_id=user, action=action,
                                entity=entity, entity_id=entity_id, before=before,
                                after=after, prev_hash=prev)  # fmt: skip
            conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                         (prev, digest, eid))  # fmt: skip
            prev = digest
    finally:
        conn.close()
    anchored = _last_audit(path) - 1  # the backup.create entry follows the anchored head
    assert entry < anchored
    return f"audit entry {anchored} differs from its anchor"


def _edit_row_and_entry(path: Path, c: Clinic) -> str:
    """The row and its audit snapshot edited alike, the entry's hash left as it was."""
    did = _one(path, "SELECT max(id) FROM doses")
    entry = _one(
        path, f"SELECT max(id) FROM audit_log WHERE entity = 'dose' AND entity_id = '{did}'"
    )
    _sql(
        path,
        "DROP TRIGGER audit_log_no_update",
        f"UPDATE doses SET lot_number = 'LOT-X' WHERE id = {did}",
        f"UPDATE audit_log SET after = json_set(after, '$.lot_number', 'LOT-X') WHERE id = {entry}",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
        "RAISE(ABORT, 'audit_log is append-only'); END",
    )
    return f"entry {entry} was altered after it was written"


def _patient_name(path: Path, c: Clinic) -> str:
    _sql(path, "UPDATE patients SET family_name = 'Smith' WHERE id = 2")
    return "patient 2: changed behind the app; differs from audit entry"


def _reactivate(path: Path, c: Clinic) -> str:
    _sql(path, f"UPDATE users SET active = 0 WHERE id = {c.nurse}")
    return "active is false, recorded true"


def _unlock(path: Path, c: Clinic) -> str:
    _sql(path, f"UPDATE users SET failed_logins = 4 WHERE id = {c.nurse}")
    return f"user {c.nurse}: changed behind the app; differs from audit entry"


def _insert_admin(path: Path, c: Clinic) -> str:
    _sql(
        path,
        "INSERT INTO users (username, full_name, role, password_hash, active, "
        "must_change_password, failed_logins, locked_until, created_at) SELECT 'eve', 'Eve', "
        "'admin', password_hash, 1, 0, 0, NULL, created_at FROM users WHERE id = 1",
    )
    uid = _one(path, "SELECT max(id) FROM users")
    return f"user {uid}: no audit entry created it"


def _session_state(path: Path, c: Clinic) -> str:
    _sql(path, f"UPDATE dosing_sessions SET state = 'monitoring' WHERE id = {c.signed}")
    return f"dosing_session {c.signed}: changed behind the app; differs from audit entry"


def _draft_note(path: Path, c: Clinic) -> str:
    nid = _one(path, "SELECT max(id) FROM notes WHERE status = 'draft'")
    _sql(path, f"UPDATE notes SET body = body || ' (edited)' WHERE id = {nid}")
    return f"note {nid}: changed behind the app; differs from audit entry"


def _protocol_text(path: Path, c: Clinic) -> str:
    _sql(path, "UPDATE protocol_versions SET source_text = source_text || ' ' WHERE id = 1")
    return "protocol_version 1: changed behind the app"


def _clinic_name(path: Path, c: Clinic) -> str:
    _sql(path, "UPDATE settings SET value = '\"Other Clinic\"' WHERE key = 'clinic_name'")
    return "setting clinic_name: changed behind the app; differs from audit entry"


def _instrument_total(path: Path, c: Clinic) -> str:
    iid = _one(path, "SELECT min(id) FROM instrument_results")
    _sql(path, f"UPDATE instrument_results SET total = 3, band = 'minimal' WHERE id = {iid}")
    return f"instrument_result {iid}: changed behind the app; differs from audit entry"


def _insert_observation(path: Path, c: Clinic) -> str:
    _sql(
        path,
        "INSERT INTO observations (session_id, kind, score, present, text, observed_at, "
        f"recorded_by, recorded_at) VALUES ({c.running}, 'moaas', 5, NULL, '', "
        "'2026-03-04 08:55:00.000000', 4, '2026-03-04 08:55:00.000000')",
    )
    oid = _one(path, "SELECT max(id) FROM observations")
    return f"observation {oid}: no audit entry created it"


def _reading_time(path: Path, c: Clinic) -> str:
    rid = _one(path, f"SELECT max(id) FROM vital_readings WHERE session_id = {c.running}")
    _sql(path, f"UPDATE vital_readings SET taken_at = datetime(taken_at, '-20 minutes') "
               f"|| '.000000' WHERE id = {rid}")  # fmt: skip
    return f"vital_reading {rid}: changed behind the app; differs from audit entry"


def _audit_entry_deleted_middle(path: Path, c: Clinic) -> str:
    _sql(path, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 30")
    return "entry 30 missing before entry 31"


def _flag_set_to_two(path: Path, c: Clinic) -> str:
    """A yes/no answer recorded as not given (NULL) set to 2: the app reads it as yes."""
    oid = _one(path, "SELECT min(id) FROM observations WHERE present IS NULL")
    _sql(path, f"UPDATE observations SET present = 2 WHERE id = {oid}")
    return f"observation {oid}: changed behind the app; differs from audit entry"


def _number_set_to_text_null(path: Path, c: Clinic) -> str:
    """A number recorded as not given (NULL) replaced by the text 'null'."""
    sid = _one(path, "SELECT min(id) FROM dosing_sessions WHERE weight_kg IS NULL")
    _sql(path, f"UPDATE dosing_sessions SET weight_kg = 'null' WHERE id = {sid}")
    return f"dosing_session {sid}: changed behind the app; differs from audit entry"


def _blob_in_text(path: Path, c: Clinic) -> str:
    """A BLOB in a text column (SQL cannot quote it as JSON) beside another changed row:
    both are named."""
    first, second = (r[0] for r in _q(path, "SELECT id FROM vital_readings ORDER BY id LIMIT 2"))
    _sql(path, f"UPDATE vital_readings SET assessment = CAST(assessment AS BLOB) "
               f"WHERE id = {first}",
         f"UPDATE vital_readings SET systolic = systolic + 40 WHERE id = {second}")  # fmt: skip
    assert f"vital_reading {first}: changed behind the app" in "".join(run_check(path)[0]), (
        "the BLOB row is named too"
    )
    return f"vital_reading {second}: changed behind the app; differs from audit entry"


def _blob_in_number(path: Path, c: Clinic) -> str:
    """A BLOB where a reading holds its session's id (SQL prints it as no number) beside
    another changed row: both are named (the BLOB row's value shown, not failing the
    whole replay as "could not be checked")."""
    first, second = (r[0] for r in _q(path, "SELECT id FROM vital_readings ORDER BY id LIMIT 2"))
    _sql(path, f"UPDATE vital_readings SET session_id = CAST('7' AS BLOB) WHERE id = {first}",
         f"UPDATE vital_readings SET systolic = systolic + 40 WHERE id = {second}")  # fmt: skip
    lines = "".join(run_check(path)[0])
    assert "could not be checked" not in lines, lines
    assert f"vital_reading {first}: changed behind the app" in lines, "the BLOB row is named too"
    return f"vital_reading {second}: changed behind the app; differs from audit entry"


def _json_column_nul_tail(path: Path, c: Clinic) -> str:
    """A JSON column given a NUL and more text: SQLite's printf() and json() stop at the NUL,
    so the row printed as its snapshot while the app cannot read it."""
    rid = _one(path, f"SELECT max(id) FROM vital_readings WHERE session_id = {c.running}")
    _sql(path, f"UPDATE vital_readings SET rules = rules || char(0) || ',1' WHERE id = {rid}")
    return f"vital_reading {rid}: changed behind the app; differs from audit entry"


def _audit_text_nul_tail(path: Path, c: Clinic) -> str:
    """An audit entry's action and entity given a NUL and more text: SQLite's printf() stops
    at the NUL, so the chain's SQL pass printed the entry as it was hashed."""
    last = _last_audit(path)
    _sql(
        path,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET action = action || char(0) || '.forged', "
        f"entity = entity || char(0) || 'x' WHERE id = {last}",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
        "RAISE(ABORT, 'audit_log is append-only'); END",
    )
    return f"entry {last} was altered after it was written"


def _far_out_id(path: Path, c: Clinic) -> str:
    """A reading inserted behind the app with a huge id (the replay's pieces must not
    multiply with the span of ids)."""
    columns = [r[1] for r in _q(path, "PRAGMA table_info(vital_readings)") if r[1] != "id"]
    listed = ", ".join(columns)
    _sql(path, f"INSERT INTO vital_readings (id, {listed}) SELECT {10**12}, {listed} "
               "FROM vital_readings ORDER BY id LIMIT 1")  # fmt: skip
    return f"vital_reading {10**12}: no audit entry created it"


CASES: dict[str, Callable[[Path, Clinic], str]] = {
    "reading-inserted-into-running-session": _insert_reading,
    "addendum-inserted-on-signed-session": _insert_addendum,
    "nurse-promoted-to-clinician": _promote_nurse,
    "nurse-promoted-names-the-field": _promote_nurse_message,
    "append-only-triggers-dropped": _drop_triggers,
    "audit-tail-deleted-then-app-write": _truncate_then_write,
    "audit-tail-deleted-sequence-lowered-then-app-writes": _truncate_lower_sequence_then_write,
    "sqlite-sequence-lowered": _lower_sequence,
    "dose-amount-changed": _dose_amount,
    "dose-changed-in-its-17th-digit": _dose_amount_last_digits,
    "room-replaced-by-its-escaped-text": _room_unescaped,
    "override-reason-edited": _override_reason,
    "side-effect-deleted": _delete_side_effect,
    "course-protocol-hash-changed": _course_hash,
    "alert-acknowledgement-inserted": _insert_acknowledgement,
    "alert-acknowledgement-deleted": _delete_acknowledgement,
    "trigger-sql-altered": _alter_trigger,
    "extra-trigger-added": _extra_trigger,
    "index-dropped": _drop_index,
    "anchor-newer-than-the-database": _anchor_newer_than_db,
    "chain-rewritten-from-an-old-entry": _rewrite_chain,
    "row-and-its-entry-edited-alike": _edit_row_and_entry,
    "patient-name-changed": _patient_name,
    "user-deactivated": _reactivate,
    "user-lockout-count-changed": _unlock,
    "admin-account-inserted": _insert_admin,
    "signed-session-state-changed": _session_state,
    "draft-note-edited": _draft_note,
    "pinned-protocol-text-edited": _protocol_text,
    "clinic-name-setting-changed": _clinic_name,
    "questionnaire-total-changed": _instrument_total,
    "observation-inserted": _insert_observation,
    "reading-time-moved": _reading_time,
    "audit-entry-deleted-in-the-middle": _audit_entry_deleted_middle,
    "flag-set-to-2": _flag_set_to_two,
    "number-set-to-text-null": _number_set_to_text_null,
    "blob-in-a-text-column": _blob_in_text,
    "blob-in-a-number-column": _blob_in_number,
    "reading-with-a-far-out-id": _far_out_id,
    "json-column-given-a-nul-tail": _json_column_nul_tail,
    "audit-action-and-entity-given-a-nul-tail": _audit_text_nul_tail,
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_detects_the_tamper_and_names_it(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    expected = CASES[case](copy, clinic)
    code, out = _check(copy, capsys)
    assert code == 1, out
    assert expected in out, out
    assert ": ok (" not in out
    code, full = _check(copy, capsys, "--full")
    assert code == 1, full
    assert expected in full, full


def test_check_full_finds_an_edit_the_incremental_check_trusts_to_the_anchor(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Documented limit: an entry older than the newest verified anchor, edited together
    with its row and with its hash left stale, is found by ``check --full``."""
    _anchor(copy, clinic)
    expected = _edit_row_and_entry(copy, clinic)
    code, out = _check(copy, capsys)
    assert code == 0, out  # links, ids and anchors agree; the entry is not re-hashed
    code, out = _check(copy, capsys, "--full")
    assert code == 1, out
    assert expected in out, out


def test_a_printed_record_seal_is_compared(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = _last_audit(copy)
    digest = str(_one(copy, f"SELECT hash FROM audit_log WHERE id = {last}"))
    seal = f"{last}-{digest[:12]}"
    code, out = _check(copy, capsys, "--seal", seal)
    assert code == 0, out
    expected = _rewrite_chain(copy, clinic)
    assert expected
    code, out = _check(copy, capsys, "--seal", seal)
    assert code == 1
    assert f"record seal {seal}: audit entry {last} has another hash" in out


def test_a_restore_through_the_app_is_anchored_and_checks_clean(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _anchor(copy, clinic)  # backup 1 (and its anchor)
    (early,) = (copy.parent / "backups").glob("*.bak")
    _app_write(copy, clinic)
    _anchor(copy, clinic)  # a later anchor the restored file is shorter than
    clock = FakeClock(clinic.end + timedelta(minutes=40))  # type: ignore[operator]
    with Database.open(copy, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        BackupService(ctx).restore(_staff(ctx)[Role.ADMIN], early)
    anchors, _ = read_anchors(anchor_file(copy.parent / "backups", copy))
    assert [a.reason for a in anchors] == ["manual", "manual", "restore"]
    code, out = _check(copy, capsys)
    assert code == 0, out


def test_lockout_bookkeeping_recorded_on_other_records_checks_clean(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong password when signing counts towards the signer's lockout; the entry is on
    the record being signed, and the user's row still agrees with the trail."""
    clock = FakeClock(clinic.end + timedelta(minutes=50))  # type: ignore[operator]
    with Database.open(copy, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        doc = _staff(ctx)[Role.CLINICIAN]
        for _ in range(2):  # the clinician's own addendum, not signed yet
            with pytest.raises(Exception, match="password"):
                SigningService(ctx).sign(doc, "addendum", clinic.addendum, "not the password")
    assert _one(copy, f"SELECT failed_logins FROM users WHERE id = {doc.user_id}") == 2
    code, out = _check(copy, capsys)
    assert code == 0, out


ROW_CASES = (
    "reading-time-moved",
    "observation-inserted",
    "patient-name-changed",
    "questionnaire-total-changed",
    "draft-note-edited",
    "signed-session-state-changed",
)


@pytest.mark.parametrize(
    "patched",
    [(database_check,), (replay_processes, database_check)],
    ids=["workers-started-by-the-check", "workers-started-early-by-the-command"],
)
def test_a_big_file_is_replayed_in_worker_processes_with_the_same_findings(
    clinic: Clinic,
    copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    patched: tuple[ModuleType, ...],
) -> None:
    """From PROCESS_MIN_BYTES on, the replay runs in worker processes (SQLite serialises
    one process's threads): several rows tampered at once are each still named. With
    replay_processes' threshold reached too, `kapdesk check` starts a big file's workers
    before it imports SQLAlchemy; the check uses those (no second pool) and names every
    tampered row as before."""
    expected = [CASES[case](copy, clinic) for case in ROW_CASES]
    started: list[int] = []
    real = database_check.ReplayProcesses.__init__

    def counting(
        self: database_check.ReplayProcesses, path: Path, workers: int, start: str = "spawn"
    ) -> None:
        started.append(workers)
        real(self, path, workers, start)

    for module in patched:
        monkeypatch.setattr(module, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(database_check.ReplayProcesses, "__init__", counting)
    code, out = _check(copy, capsys)
    assert started == [patched[0].PROCESS_WORKERS]
    assert code == 1, out
    for line in expected:
        assert line in out, out


def test_workers_started_early_on_a_file_that_is_not_a_database_say_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers start before the file is looked at: on a file that is not SQLite they
    print no traceback (they failed to open it); the check says what it says without them."""
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(bytes(range(256)) * 64)
    assert cli.main(["check", "--db", str(junk)]) == 1
    without = capfd.readouterr()
    monkeypatch.setattr(replay_processes, "PROCESS_MIN_BYTES", 0)
    code = cli.main(["check", "--db", str(junk)])
    captured = capfd.readouterr()
    assert code == 1
    assert str(junk) in captured.out
    assert (captured.out, captured.err) == (without.out, without.err)
    assert "Traceback" not in captured.out + captured.err, captured.err


def test_worker_processes_judge_in_python_a_piece_sql_cannot_print(
    clinic: Clinic, copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BLOB in a text column stops a worker's pass in SQL over its piece (and over the
    signatures of its session): that piece is judged in Python, both rows are named."""
    first = _one(copy, "SELECT min(id) FROM vital_readings")
    expected = _blob_in_text(copy, clinic)
    monkeypatch.setattr(database_check, "PROCESS_MIN_BYTES", 0)
    code, out = _check(copy, capsys)
    assert code == 1, out
    assert expected in out, out
    assert f"vital_reading {first}: changed behind the app" in out, out
