"""kapdesk migrate and kapdesk backup of a server: messages, exit codes, clean-up. The
copies that need a PostgreSQL server skip, with the reason, when none is reachable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kapdesk.services import clinic_move
from tests.pg_support import pg_skip_reason, throwaway_database

from .conftest import Result, Run, assert_one_line_error, dump

if TYPE_CHECKING:
    from kapdesk.storage.server_url import ServerURL

NOWHERE = "postgresql://kapdesk:secret@127.0.0.1:1/clinic"
needs_server = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")


def test_two_files_are_a_usage_error(run: Run, demo_db: Path, tmp_path: Path) -> None:
    result = run("migrate", "--from", demo_db, "--to", tmp_path / "b.sqlite")
    line = assert_one_line_error(result, code=2)
    assert "are two files" in line
    assert "postgresql://" in line


def test_a_url_that_is_not_postgresql_is_named(run: Run, demo_db: Path) -> None:
    result = run("migrate", "--from", demo_db, "--to", "mysql://root:pw@db/clinic")
    line = assert_one_line_error(result, code=2)
    assert "--to" in line
    assert "postgresql://" in line
    assert "pw" not in line


def test_missing_source_file(run: Run, tmp_path: Path) -> None:
    result = run("migrate", "--from", tmp_path / "nope.sqlite", "--to", NOWHERE)
    line = assert_one_line_error(result, code=1)
    assert "nope.sqlite: no such file" in line


def test_unreachable_server_is_one_line_without_the_password(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite"
    result = run("migrate", "--from", NOWHERE, "--to", out)
    line = assert_one_line_error(result, code=1)
    assert "cannot reach the clinic server postgresql://kapdesk:***@127.0.0.1:1/clinic" in line
    assert "secret" not in result.err
    assert not out.exists()


def test_backup_of_an_unreachable_server(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "server.bak"
    line = assert_one_line_error(run("backup", "--db", NOWHERE, "-o", out), code=1)
    assert "cannot reach the clinic server" in line
    assert not out.exists()


def test_existing_output_file_is_refused(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "there.sqlite"
    out.write_text("keep me")
    line = assert_one_line_error(run("migrate", "--from", NOWHERE, "--to", out), code=1)
    assert "already exists" in line
    assert out.read_text() == "keep me"


def server_actions(server: ServerURL) -> list[str]:
    from sqlalchemy import select

    from kapdesk.storage.db import Database
    from kapdesk.storage.orm import AuditEntry

    with Database.open(server, create=False) as db, db.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def final_error(result: Result, *, code: int) -> str:
    """A failure after progress lines: the last stderr line is the one error, no traceback."""
    assert result.code == code, result.err
    assert "Traceback" not in result.err + result.out
    last = result.err.splitlines()[-1]
    assert last.startswith("kapdesk: ")
    assert all(ln.startswith("kapdesk ") for ln in result.err.splitlines()[:-1])
    return last


@needs_server
def test_interrupted_move_exits_130_and_leaves_the_server_empty(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = clinic_move.copy_clinic

    def copy_then_stop(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # every row written, not yet committed
        raise KeyboardInterrupt

    with throwaway_database() as server:
        url = server.url.render_as_string(hide_password=False)
        monkeypatch.setattr(clinic_move, "copy_clinic", copy_then_stop)
        line = final_error(run("migrate", "--from", demo_db, "--to", url), code=130)
        assert f"interrupted; nothing was committed to {server.redacted()}" in line
        monkeypatch.setattr(clinic_move, "copy_clinic", real)
        assert run("migrate", "--from", demo_db, "--to", url).code == 0  # still empty


@needs_server
def test_migrate_to_server_and_back_then_backup(run: Run, demo_db: Path, tmp_path: Path) -> None:
    with throwaway_database() as server:
        url = server.url.render_as_string(hide_password=False)
        first = run("migrate", "--from", demo_db, "--to", url)
        assert first.code == 0, first.err
        assert "verified" in first.out
        assert "copied audit_log:" in first.err
        assert f":{server.url.password}@" not in first.out + first.err

        again = run("migrate", "--from", demo_db, "--to", url)
        assert "already holds a clinic" in final_error(again, code=1)

        back = tmp_path / "back.sqlite"
        assert run("migrate", "--from", url, "--to", back).code == 0
        backup = tmp_path / "server-backup.sqlite"
        made = run("backup", "--db", url, "-o", backup)
        assert made.code == 0, made.err
        assert f"Backed up {server.redacted()} to {backup}" in made.out
        assert server_actions(server)[-1] == "backup.create_console"  # audited on the server
        line = final_error(run("backup", "--db", url, "-o", backup), code=1)
        assert "already exists" in line
    for copy in (back, backup):
        assert dump(copy) == dump(demo_db)
        checked = run("check", "--db", copy, "--full")
        assert checked.code == 0, checked.out + checked.err


def test_backup_of_a_server_into_a_server_is_a_usage_error(run: Run) -> None:
    line = assert_one_line_error(run("backup", "--db", NOWHERE, "-o", NOWHERE), code=2)
    assert "a backup is a file" in line
    assert "secret" not in line


def test_unreachable_destination_is_refused_before_the_source_check(
    run: Run, demo_db: Path
) -> None:
    result = run("migrate", "--from", demo_db, "--to", NOWHERE)
    line = assert_one_line_error(result, code=1)  # no "checking ..." progress line first
    assert "cannot reach the clinic server postgresql://kapdesk:***@127.0.0.1:1/clinic" in line
