"""``kapdesk check --db postgresql://...``: the tamper suite's clinic, moved to a server, checks
clean; each tamper the file check catches that the database's owner can make on a server is
caught with the same finding lines as the same tamper on the file (plus what only a server
says: its statistics of rows changed in an append-only table, a trigger left disabled)."""

from __future__ import annotations

import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from kapdesk import cli
from kapdesk.storage.orm import Base
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import (
    create_database,
    drop_database,
    pg_admin_url,
    pg_skip_reason,
    throwaway_database,
)
from tests.services import test_tamper_suite as suite
from tests.services.test_tamper_suite import Clinic

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")
clinic = suite.clinic  # the tamper suite's clinic (a module fixture), built once here too


def _text(server: ServerURL) -> str:
    return server.url.render_as_string(hide_password=False)


def _raw(server: ServerURL) -> psycopg.Connection:
    url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url, autocommit=True)


@dataclass(frozen=True)
class Moved:
    clinic: Clinic
    template: str  # the server database holding the moved clinic (never checked itself)


@pytest.fixture(scope="module")
def moved(request: pytest.FixtureRequest) -> Iterator[Moved]:
    """The tamper suite's clinic, moved to the server by ``kapdesk migrate``."""
    built: Clinic = request.getfixturevalue("clinic")
    with throwaway_database() as server:
        assert cli.main(["migrate", "--from", str(built.path), "--to", _text(server)]) == 0
        yield Moved(built, server.database)


@pytest.fixture
def server(moved: Moved) -> Iterator[ServerURL]:
    """A new database on the server copied from the moved clinic (CREATE ... TEMPLATE)."""
    admin = _admin()
    name = "kapdesk_t_" + secrets.token_hex(6)
    with _raw(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{moved.template}"')
    try:
        yield admin.with_database(name)
    finally:
        drop_database(name)


@pytest.fixture
def copy(moved: Moved, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(moved.clinic.path, path)
    return path


def _admin() -> ServerURL:
    from kapdesk.storage.server_url import parse_server_url

    url = pg_admin_url()
    assert url is not None
    return parse_server_url(url)


def _check(target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(["check", "--db", target])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out.splitlines()


def _findings(lines: list[str], shown: str) -> list[str]:
    return [line.removeprefix(f"{shown}: ") for line in lines]


def _file_sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def _server_sql(server: ServerURL, *statements: str) -> None:
    with _raw(server) as conn:
        for statement in statements:
            conn.execute(statement)


def _one(server: ServerURL, sql: str) -> object:
    with _raw(server) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_the_moved_clinic_checks_clean_on_the_server(
    server: ServerURL, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = _check(_text(server), capsys)
    shown = server.redacted()
    assert code == 0, lines
    assert "***" in shown
    assert _text(server) not in "\n".join(lines)  # password hidden
    entries = _one(server, "SELECT max(id) FROM audit_log")
    assert lines[0] == (
        f"{shown}: ok (catalog, foreign keys, schema 0006 is current, audit trail of "
        f"{entries} entries intact)"
    )
    file_code, file_lines = _check(str(copy), capsys)
    assert file_code == 0
    signed = [ln.removeprefix(f"{copy}: ") for ln in file_lines if "signed records" in ln]
    rows = [re.search(r"ok \((\d+) rows agree", ln) for ln in file_lines]
    counted = next(m.group(1) for m in rows if m)
    assert lines[1] == f"{shown}: {signed[0]}"
    assert lines[2] == (
        f"{shown}: ok ({counted} rows agree with their audit trail; tables, indexes and 9 "
        "triggers as schema 0006 defines)"  # UPDATE, DELETE and TRUNCATE on three tables
    )
    assert re.search(r"ok \(every entry re-hashed; no anchor outside the server", lines[3])
    assert "index structure not checked: the amcheck extension is not installed" in lines[4]


# (SQLite statements, PostgreSQL statements, a text the finding holds); {placeholders}
# are the clinic's ids (Clinic fields) and {last} the newest audit entry's id.
CASES: dict[str, tuple[list[str], list[str], str]] = {
    "reading-inserted-into-running-session": (
        [
            "INSERT INTO vital_readings (session_id, taken_at, systolic, diastolic, pulse, spo2, "
            "phase, band, rules, assessment, protocol_label, recorded_by, recorded_at) SELECT "
            "session_id, taken_at, 118, 76, pulse, spo2, phase, 'normal', '[]', '', "
            "protocol_label, recorded_by, recorded_at FROM vital_readings WHERE session_id = "
            "{running} ORDER BY id DESC LIMIT 1"
        ],
        [],  # the same statement
        "no audit entry created it",
    ),
    "nurse-promoted-to-clinician": (
        ["UPDATE users SET role = 'clinician' WHERE id = {nurse}"],
        [],
        "user {nurse}: changed behind the app; differs from audit entry",
    ),
    "dose-amount-changed": (
        [
            "UPDATE doses SET amount = amount * 2, mg = mg * 2 WHERE id = "
            "(SELECT min(id) FROM doses)"
        ],
        [],
        "changed behind the app; differs from audit entry",
    ),
    "side-effect-deleted": (
        ["DELETE FROM side_effects WHERE id = (SELECT max(id) FROM side_effects)"],
        [],
        "deleted behind the app",
    ),
    "alert-acknowledgement-deleted": (
        [
            "DELETE FROM alert_acknowledgements WHERE id = "
            "(SELECT max(id) FROM alert_acknowledgements)"
        ],
        [],
        "deleted behind the app",
    ),
    "signed-session-state-changed": (
        ["UPDATE dosing_sessions SET state = 'monitoring' WHERE id = {signed}"],
        [],
        "dosing_session {signed}: changed behind the app; differs from audit entry",
    ),
    "signed-session-reading-changed": (
        [
            "UPDATE vital_readings SET systolic = systolic + 1 WHERE id = (SELECT min(id) FROM "
            "vital_readings WHERE session_id = {signed})"
        ],
        [],
        "content changed since signing",
    ),
    "patient-name-changed": (
        ["UPDATE patients SET family_name = 'Smith' WHERE id = 2"],
        [],
        "patient 2: changed behind the app; differs from audit entry",
    ),
    "user-deactivated": (
        ["UPDATE users SET active = 0 WHERE id = {nurse}"],
        ["UPDATE users SET active = false WHERE id = {nurse}"],
        "active is false, recorded true",
    ),
    "user-lockout-count-changed": (
        ["UPDATE users SET failed_logins = 4 WHERE id = {nurse}"],
        [],
        "user {nurse}: changed behind the app; differs from audit entry",
    ),
    "admin-account-inserted": (
        [
            "INSERT INTO users (username, full_name, role, password_hash, active, "
            "must_change_password, failed_logins, locked_until, created_at) SELECT 'eve', 'Eve', "
            "'admin', password_hash, 1, 0, 0, NULL, created_at FROM users WHERE id = 1"
        ],
        [
            "INSERT INTO users (username, full_name, role, password_hash, active, "
            "must_change_password, failed_logins, locked_until, created_at) SELECT 'eve', 'Eve', "
            "'admin', password_hash, true, false, 0, NULL, created_at FROM users WHERE id = 1"
        ],
        "no audit entry created it",
    ),
    "draft-note-edited": (
        [
            "UPDATE notes SET body = body || ' (edited)' WHERE id = "
            "(SELECT max(id) FROM notes WHERE status = 'draft')"
        ],
        [],
        "changed behind the app; differs from audit entry",
    ),
    "signed-note-edited": (
        [
            "UPDATE notes SET body = body || ' (edited)' WHERE id = (SELECT min(entity_id) FROM "
            "signatures WHERE entity = 'note')"
        ],
        [],
        "content changed since signing",
    ),
    "pinned-protocol-text-edited": (
        ["UPDATE protocol_versions SET source_text = source_text || ' ' WHERE id = 1"],
        [],
        "protocol_version 1: changed behind the app",
    ),
    "clinic-name-setting-changed": (
        ["UPDATE settings SET value = '\"Other Clinic\"' WHERE key = 'clinic_name'"],
        [],
        "setting clinic_name: changed behind the app; differs from audit entry",
    ),
    "questionnaire-total-changed": (
        [
            "UPDATE instrument_results SET total = 3, band = 'minimal' WHERE id = "
            "(SELECT min(id) FROM instrument_results)"
        ],
        [],
        "changed behind the app; differs from audit entry",
    ),
    "reading-time-moved": (
        [
            "UPDATE vital_readings SET taken_at = datetime(taken_at, '-20 minutes') || '.000000' "
            "WHERE id = (SELECT max(id) FROM vital_readings WHERE session_id = {running})"
        ],
        [
            "UPDATE vital_readings SET taken_at = taken_at - interval '20 minutes' "
            "WHERE id = (SELECT max(id) FROM vital_readings WHERE session_id = {running})"
        ],
        "changed behind the app; differs from audit entry",
    ),
    "reading-with-a-far-out-id": (
        [
            "INSERT INTO vital_readings (id, {readings}) SELECT 2147483000, {readings} "
            "FROM vital_readings ORDER BY id LIMIT 1"
        ],
        [],
        "vital_reading 2147483000: no audit entry created it",
    ),
    "signature-forged-on-an-unsigned-session": (
        [
            "INSERT INTO signatures (entity, entity_id, signer_id, signer_name, signer_role, "
            "signed_at, meaning, content_sha256, method, hash_scheme) SELECT entity, {running}, "
            "signer_id, signer_name, signer_role, signed_at, meaning, content_sha256, method, "
            "hash_scheme FROM signatures WHERE entity = 'dosing_session' ORDER BY id LIMIT 1"
        ],
        [],
        "no audit entry records it; it was not made by kapdesk",
    ),
    "addendum-text-changed-trigger-off": (
        [
            "DROP TRIGGER addenda_no_update",
            "UPDATE addenda SET text = 'BP was 182/80.' WHERE id = {addendum}",
            "CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda BEGIN SELECT "
            "RAISE(ABORT, 'addenda is append-only'); END",
        ],
        [
            "ALTER TABLE addenda DISABLE TRIGGER addenda_no_update",
            "UPDATE addenda SET text = 'BP was 182/80.' WHERE id = {addendum}",
            "ALTER TABLE addenda ENABLE TRIGGER addenda_no_update",
        ],
        "changed behind the app; differs from audit entry",
    ),
    "index-dropped": (
        ["DROP INDEX ix_signatures_entity_entity_id"],
        [],
        "index ix_signatures_entity_entity_id on signatures is missing",
    ),
    "audit-entry-deleted-in-the-middle": (
        [
            "DROP TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE id = 30",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT "
            "RAISE(ABORT, 'audit_log is append-only'); END",
        ],
        [
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete",
            "DELETE FROM audit_log WHERE id = 30",
            "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_delete",
        ],
        "entry 30 missing before entry 31",
    ),
    "row-and-its-entry-edited-alike": (
        [
            "DROP TRIGGER audit_log_no_update",
            "UPDATE doses SET lot_number = 'LOT-X' WHERE id = (SELECT max(id) FROM doses)",
            "UPDATE audit_log SET after = json_set(after, '$.lot_number', 'LOT-X') WHERE id = "
            "(SELECT max(id) FROM audit_log WHERE entity = 'dose' AND entity_id = "
            "(SELECT CAST(max(id) AS TEXT) FROM doses))",
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT "
            "RAISE(ABORT, 'audit_log is append-only'); END",
        ],
        [
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
            "UPDATE doses SET lot_number = 'LOT-X' WHERE id = (SELECT max(id) FROM doses)",
            "UPDATE audit_log SET after = jsonb_set(after::jsonb, '{{lot_number}}', "
            "'\"LOT-X\"')::text WHERE id = (SELECT max(id) FROM audit_log WHERE entity = 'dose' "
            "AND entity_id = (SELECT CAST(max(id) AS TEXT) FROM doses))",
            "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update",
        ],
        "was altered after it was written",
    ),
}


def _apply(statements: list[str], c: Clinic, run: object) -> None:
    fields: dict[str, object] = {
        k: getattr(c, k) for k in ("running", "signed", "addendum", "nurse")
    }
    columns = Base.metadata.tables["vital_readings"].columns
    fields["readings"] = ", ".join(c.name for c in columns if c.name != "id")
    run(*(s.format(**fields) for s in statements))  # type: ignore[operator]


@pytest.mark.parametrize("case", list(CASES))
def test_a_tamper_is_found_on_the_server_as_on_the_file(
    moved: Moved, server: ServerURL, copy: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    file_statements, server_statements, expected = CASES[case]
    c = moved.clinic
    _apply(file_statements, c, lambda *s: _file_sql(copy, *s))
    _apply(server_statements or file_statements, c, lambda *s: _server_sql(server, *s))
    expected = expected.format(nurse=c.nurse, signed=c.signed)

    file_code, file_lines = _check(str(copy), capsys)
    code, lines = _check(_text(server), capsys)
    on_file = _findings(file_lines, str(copy))
    on_server = _findings(lines, server.redacted())
    assert (file_code, code) == (1, 1), (on_file, on_server)
    assert any(expected in line for line in on_server), on_server
    # every finding of the file, in the same words; more only where a server says more
    assert [f for f in on_file if f in on_server] == on_file, (on_file, on_server)
    extra = [f for f in on_server if f not in on_file]
    assert all("append-only table" in f for f in extra), extra


def test_an_audit_entry_edited_with_its_trigger_disabled_is_named_twice(
    server: ServerURL, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the owner, the update trigger switched off, an entry edited, the trigger left off:
    the chain names the entry, the schema the disabled trigger, the statistics the update."""
    _server_sql(
        server,
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
        "UPDATE audit_log SET action = 'vitals.view' WHERE id = 40",
    )
    code, lines = _check(_text(server), capsys)
    found = _findings(lines, server.redacted())
    assert code == 1
    assert (
        "audit trail broken: entry 40 was altered after it was written (its hash does not "
        "match)" in found
    )
    assert any(f.startswith("trigger audit_log_no_update on audit_log differs from schema 0006")
               and "DISABLED" in f for f in found), found  # fmt: skip
    assert (
        "audit_log: the server counts 1 updated rows of this append-only table: its triggers "
        "were switched off and it was changed behind the app"
    ) in found


def test_the_tail_of_the_log_removed_shows_in_the_servers_statistics(
    server: ServerURL, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last entries deleted (the chain itself is then still whole: the next write links
    to the new head, and the id sequence is not the chain's counter on a server)."""
    last = int(_one(server, "SELECT max(id) FROM audit_log"))  # type: ignore[call-overload]
    _server_sql(
        server,
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_delete",
        f"DELETE FROM audit_log WHERE id > {last - 3}",
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_delete",
    )
    code, lines = _check(_text(server), capsys)
    found = _findings(lines, server.redacted())
    assert code == 1
    assert (
        "audit_log: the server counts 3 deleted rows of this append-only table: its triggers "
        "were switched off and it was changed behind the app"
    ) in found


def test_seal_and_anchor_files_are_for_database_files(
    server: ServerURL, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--db", _text(server), "--seal", "12-3fa9c2d1e0b4"]) == 2
    err = capsys.readouterr().err
    assert "kapdesk check --seal is not yet supported for a clinic server" in err


def test_an_unreachable_server_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--db", "postgresql://app:s3cret@127.0.0.1:9/kapdesk"])
    captured = capsys.readouterr()
    assert code == 1  # an error, as for a missing file
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "127.0.0.1" in captured.err
    assert "s3cret" not in captured.err + captured.out
    assert "Traceback" not in captured.err


def test_an_empty_server_database_is_refused_untouched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = create_database()
    try:
        code = cli.main(["check", "--db", _text(_admin().with_database(name))])
        captured = capsys.readouterr()
        assert (code, captured.out) == (1, ""), captured
        assert "There is no kapdesk database at postgresql://" in captured.err
        assert "Traceback" not in captured.err
        with _raw(_admin().with_database(name)) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        assert tables == (0,)
    finally:
        drop_database(name)


def test_a_text_setting_reads_the_same_on_the_server_as_in_the_file(
    moved: Moved, server: ServerURL
) -> None:
    """PostgreSQL hands a json column over parsed: the clinic name read at start-up (and
    judged by the check) was a JSON string that did not parse again, so the default."""
    from kapdesk.storage.db import Database
    from kapdesk.storage.settings_store import read_setting, settings_problems

    with Database.open(moved.clinic.path, migrate=False) as db, db.connect_read() as conn:
        in_file = read_setting(conn, "clinic_name")
    with Database.open(server, create=False, migrate=False) as db, db.connect_read() as conn:
        assert read_setting(conn, "clinic_name") == in_file
        assert settings_problems(conn) == []
    assert in_file != "kapdesk clinic"  # the demo names its clinic


def _as_superuser(database: str, *statements: str) -> str | None:
    """Run ``statements`` as the local postgres superuser; why that cannot be done, else None."""
    import os
    import subprocess

    if shutil.which("runuser") is None or os.geteuid() != 0:
        return "amcheck test skipped: installing an extension needs the local postgres superuser"
    command = ["runuser", "-u", "postgres", "--", "psql", "-q", "-v", "ON_ERROR_STOP=1"]
    for statement in statements:
        command += ["-c", statement]
    done = subprocess.run([*command, "-d", database], capture_output=True, text=True, cwd="/")
    if done.returncode != 0:
        return f"amcheck test skipped: psql as postgres failed ({done.stderr.strip()[:120]})"
    return None


def test_amcheck_verifies_every_index_when_installed_and_granted(
    server: ServerURL, capsys: pytest.CaptureFixture[str]
) -> None:
    why = _as_superuser(
        server.database, "CREATE SCHEMA amcheck", "CREATE EXTENSION amcheck SCHEMA amcheck"
    )
    if why:
        pytest.skip(why)
    code, lines = _check(_text(server), capsys)
    assert code == 0, lines  # the extension's own schema: nothing added to kapdesk's
    assert lines[-1] == (
        f"{server.redacted()}: index structure not checked: this role may not run amcheck's "
        "bt_index_check (GRANT USAGE ON SCHEMA amcheck and EXECUTE ON FUNCTION "
        "amcheck.bt_index_check(regclass))"
    )
    role = server.username
    assert (
        _as_superuser(
            server.database,
            f'GRANT USAGE ON SCHEMA amcheck TO "{role}"',
            f'GRANT EXECUTE ON FUNCTION amcheck.bt_index_check(regclass) TO "{role}"',
        )
        is None
    )
    code, lines = _check(_text(server), capsys)
    indexes = _one(
        server,
        "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'",
    )
    assert code == 0, lines
    assert lines[-1] == (
        f"{server.redacted()}: ok ({indexes} indexes verified by amcheck's bt_index_check)"
    )
