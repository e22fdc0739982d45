"""No audit holes on the command line: backup, restore, list and report are audited with the
operating-system user as the actor ("console:alice"); restore is refused on a network file
system like every other command; read-only commands create no folders; an out-of-range
session number is "no such session"."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from kapdesk.storage import filesystems

from .conftest import Run, assert_one_line_error, sql

OS_USER = "alice"
ACTOR = f"console:{OS_USER}"


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: OS_USER)


def entries_after(path: Path, last_id: int) -> list[tuple[str, Any, str, dict[str, Any]]]:
    rows = sql(
        path,
        f"SELECT action, user_id, entity, after FROM audit_log WHERE id > {last_id} ORDER BY id",
    )
    return [(a, u, e, json.loads(after) if after else {}) for a, u, e, after in rows]


def last_entry(path: Path) -> int:
    [(n,)] = sql(path, "SELECT coalesce(max(id), 0) FROM audit_log")
    return int(n)


def test_backup_is_audited_with_the_os_user(run: Run, demo_db: Path, tmp_path: Path) -> None:
    start = last_entry(demo_db)
    copy = tmp_path / "out" / "copy.sqlite"
    assert run("backup", "--db", demo_db, "-o", copy).code == 0
    [(action, user_id, entity, after)] = entries_after(demo_db, start)
    assert (action, user_id, entity) == ("backup.create_console", None, "database")
    assert after["actor"] == ACTOR
    assert after["file"] == str(copy.absolute())
    assert run("check", "--db", demo_db).code == 0


def test_restore_is_audited_in_the_restored_database(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite"
    assert run("backup", "--db", demo_db, "-o", copy).code == 0
    start = last_entry(copy)
    result = run("restore", copy, "--db", demo_db)
    assert result.code == 0, result.err
    [(action, user_id, entity, after)] = entries_after(demo_db, start)
    assert (action, user_id, entity) == ("backup.restore_console", None, "database")
    assert after["actor"] == ACTOR
    assert after["restored_from"] == str(copy.absolute())
    assert after["replaced_kept_at"]
    check = run("check", "--db", demo_db)
    assert check.code == 0, check.out


@pytest.mark.parametrize("what", ["patients", "sessions"])
@pytest.mark.parametrize("as_json", [False, True])
def test_list_is_an_audited_export(run: Run, demo_db: Path, what: str, as_json: bool) -> None:
    start = last_entry(demo_db)
    result = run("list", what, "--db", demo_db, *(["--json"] if as_json else []))
    assert result.code == 0
    [(action, user_id, entity, after)] = entries_after(demo_db, start)
    assert (action, user_id, entity) == (f"list.{what}_console", None, "database")
    assert after["actor"] == ACTOR
    assert after["rows"] > 0
    # identifiers were exported, but the audit entry holds no names or MRNs
    names = [n for (n,) in sql(demo_db, "SELECT family_name FROM patients")]
    mrns = [m for (m,) in sql(demo_db, "SELECT mrn FROM patients")]
    text = json.dumps(after)
    assert not any(n in text for n in names + mrns)


def test_report_is_audited_with_the_os_user(run: Run, demo_db: Path, tmp_path: Path) -> None:
    [(sid,)] = sql(demo_db, "SELECT min(id) FROM dosing_sessions")
    start = last_entry(demo_db)
    assert run("report", "session", str(sid), "--db", demo_db, "-o", tmp_path / "s.pdf").code == 0
    [(action, user_id, _, after)] = entries_after(demo_db, start)
    assert (action, user_id) == ("report.session_console", None)
    assert after["actor"] == ACTOR


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mountinfo")
def test_restore_is_refused_on_a_network_file_system(
    run: Run, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy.sqlite"
    assert run("backup", "--db", demo_db, "-o", copy).code == 0
    share = (tmp_path / "share").resolve()
    share.mkdir()
    target = share / "clinic.sqlite"
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        f"40 22 0:40 / {share} rw,relatime shared:40 - nfs4 server:/export rw\n"
    )
    monkeypatch.setattr(filesystems, "MOUNTINFO", mountinfo)
    line = assert_one_line_error(run("restore", copy, "--db", target))
    assert "network file system" in line
    assert list(share.iterdir()) == []


def test_report_for_a_session_number_out_of_range(run: Run, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    for number in ("99999999999999999999", "9223372036854775808", "0"):
        line = assert_one_line_error(
            run("report", "session", number, "--db", demo_db, "-o", out), code=1
        )
        assert "no such session" in line.lower()
        assert number in line
    assert not out.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["list", "patients"],
        ["backup", "-o", "/tmp/never-written.sqlite"],
        ["report", "session", "1", "-o", "/tmp/never-written.pdf"],
        ["user", "add", "newbie", "--role", "nurse", "--full-name", "New Bie", "--password-stdin"],
    ],
)
def test_commands_on_a_missing_database_create_no_folders(
    run: Run, tmp_path: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    typo = tmp_path / "typo" / "deeper" / "x.sqlite"
    line = assert_one_line_error(run(*argv, "--db", typo))
    assert "No database at" in line
    assert not (tmp_path / "typo").exists()


def test_the_audit_viewer_names_the_console_user(run: Run, demo_db: Path) -> None:
    from kapdesk.composition import build_context
    from kapdesk.domain.permissions import Role
    from kapdesk.services.audit_log import AuditQueryService
    from kapdesk.services.users import UserService, actor_of

    assert run("list", "patients", "--db", demo_db).code == 0
    ctx = build_context(demo_db, create=False)
    with ctx.db:
        admin = next(u for u in UserService(ctx).list_users() if u.role is Role.ADMIN)
        rows = AuditQueryService(ctx).query(actor_of(admin), action_prefix="list.")
    assert [(r.action, r.user_name) for r in rows] == [("list.patients_console", ACTOR)]


def test_user_add_names_the_os_user_and_check_still_passes(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    start = last_entry(demo_db)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert run("user", "add", "newbie", "--role", "nurse", "--full-name", "New Bie",
               "--db", demo_db, "--password-stdin").code == 0  # fmt: skip
    [(action, user_id, entity, after)] = entries_after(demo_db, start)
    assert (action, user_id, entity) == ("user.add_console", None, "user")
    assert after["actor"] == ACTOR
    assert after["username"] == "newbie"
    check = run("check", "--db", demo_db)
    assert check.code == 0, check.out
