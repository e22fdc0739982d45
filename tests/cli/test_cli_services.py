"""The command line goes through the same services as the desktop app: a console restore of
an older backup is upgraded and audited exactly like the app's Restore, a console backup is
anchored where the app's backups are, encrypting is audited, and `list` reads through the
listing service; the composition root and the command line load no Qt."""

from __future__ import annotations

import getpass
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kapdesk.composition import build_context
from kapdesk.domain.permissions import Role
from kapdesk.services import listing
from kapdesk.services.context import ServiceContext
from kapdesk.services.settings import SettingsService
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.orm import AuditEntry

from .conftest import Run, assert_one_line_error, sql

FIXTURES = Path(__file__).parents[1] / "storage" / "fixtures"
ACTOR = "console:alice"
KEY = "a long enough passphrase for the clinic"


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")


def _last_entry(path: Path) -> tuple[str, dict[str, Any]]:
    [(action, after)] = sql(path, "SELECT action, after FROM audit_log ORDER BY id DESC LIMIT 1")
    return action, json.loads(after)


def test_restoring_an_older_backup_upgrades_it_like_the_apps_restore(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    old = tmp_path / "r0003.bak"
    shutil.copyfile(FIXTURES / "r0003.sqlite", old)
    result = run("restore", old, "--db", demo_db)
    assert result.code == 0, result.err
    assert "upgraded from schema 0003" in result.out
    assert sql(demo_db, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    action, after = _last_entry(demo_db)
    assert action == "backup.restore_console"
    assert after["actor"] == ACTOR
    assert after["upgraded_from"] == "0003"  # recorded, as the app's restore records it
    assert after["restored_from"] == str(old.absolute())
    # the upgrade made its own copy of the restored content first, as on every upgrade
    assert list(demo_db.parent.glob(f"{demo_db.name}.pre-{head_revision()}-*.bak"))


def test_restore_replaces_a_damaged_database_without_opening_it(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite"
    assert run("backup", "--db", demo_db, "-o", copy).code == 0
    demo_db.write_bytes(b"this is not a database any more")
    assert_one_line_error(run("list", "patients", "--db", demo_db))
    result = run("restore", copy, "--db", demo_db)
    assert result.code == 0, result.err
    assert _last_entry(demo_db)[0] == "backup.restore_console"
    assert run("check", "--db", demo_db).code == 0


def test_restore_into_a_new_file(run: Run, demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    assert run("backup", "--db", demo_db, "-o", copy).code == 0
    target = tmp_path / "elsewhere" / "new.sqlite"
    result = run("restore", copy, "--db", target)
    assert result.code == 0, result.err
    action, after = _last_entry(target)
    assert (action, after["replaced_kept_at"], after["upgraded_from"]) == (
        "backup.restore_console",
        None,
        None,
    )


def test_a_console_backup_is_anchored_in_the_clinics_backup_folder(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    chosen = tmp_path / "usb"
    chosen.mkdir()
    ctx = build_context(demo_db, create=False)
    admin = next(u for u in UserService(ctx).list_users() if u.role is Role.ADMIN)
    SettingsService(ctx).update(actor_of(admin), backup_folder=str(chosen))
    ctx.db.close()
    copy = tmp_path / "out" / "copy.sqlite"
    assert run("backup", "--db", demo_db, "-o", copy).code == 0
    # `kapdesk check` reads the anchors in the clinic's backup folder: the console backup
    # anchored the chain there, as the app's own backups do
    assert (chosen / f"{demo_db.stem}.anchors").is_file()
    assert (copy.parent / f"{demo_db.stem}.anchors").is_file()
    action, after = _last_entry(demo_db)
    assert (action, after["actor"], after["file"]) == (
        "backup.create_console",
        ACTOR,
        str(copy.absolute()),
    )
    check = run("check", "--db", demo_db)
    assert check.code == 0, check.out
    assert "anchors outside the file" in check.out


def test_encrypting_is_audited_in_the_encrypted_database(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAPDESK_DB_KEY", KEY)
    result = run("encrypt", "--db", demo_db)
    assert result.code == 0, result.err
    ctx = build_context(demo_db, create=False, key=KEY)
    try:
        with ctx.db.read() as s:
            entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    finally:
        ctx.db.close()
    assert entry is not None
    assert entry.action == "database.encrypt_console"
    after = json.loads(entry.after or "{}")
    assert after["actor"] == ACTOR
    assert Path(after["plain_copy"]).is_file()
    assert run("check", "--db", demo_db, "--encrypted").code == 0


def test_list_reads_through_the_listing_service(
    run: Run, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str]] = []
    real = listing.export_list

    def spy(
        ctx: ServiceContext, what: listing.Listing, *, fmt: str
    ) -> AbstractContextManager[Iterator[dict[str, Any]]]:
        calls.append((what, fmt))
        return real(ctx, what, fmt=fmt)

    monkeypatch.setattr(listing, "export_list", spy)
    assert run("list", "sessions", "--db", demo_db, "--json").code == 0
    assert calls == [("sessions", "json")]


def test_the_listing_service_audits_the_export(demo_db: Path) -> None:
    ctx = build_context(demo_db, create=False)
    try:
        with listing.export_list(ctx, "patients", fmt="table") as taken:
            rows = list(taken)
    finally:
        ctx.db.close()
    action, after = _last_entry(demo_db)
    assert (action, after["rows"], after["format"], after["actor"]) == (
        "list.patients_console",
        len(rows),
        "table",
        ACTOR,
    )


def test_the_composition_root_and_the_command_line_load_no_qt() -> None:
    code = (
        "import sys, kapdesk.composition, kapdesk.cli, kapdesk.cli.commands, "
        "kapdesk.services.backups, kapdesk.services.listing; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout
