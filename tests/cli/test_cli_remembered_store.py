"""Console commands (list, report, check, backup, user add) open the store the desktop app
opens: ``--db`` > ``KAPDESK_DB`` > this workstation's remembered choice > the default file.
They never ask and never remember anything themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kapdesk import workstation as ws
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import throwaway_database
from tests.storage.pg_server_kit import admin_server

from .conftest import Run, assert_one_line_error

UNREACHABLE = ws.ServerFields("127.0.0.1", "1", "kapdesk", "kapdesk_app", "disable", "")


def test_a_remembered_server_is_what_list_opens(run: Run, folders: tuple[Path, Path]) -> None:
    config, _ = folders
    ws.remember_server(ws.server_from_fields(UNREACHABLE), "", config)
    line = assert_one_line_error(run("list", "patients"))
    assert "127.0.0.1:1" in line  # it went to the remembered server, not the default file
    assert "remembered" in line
    assert "kapdesk workstation forget" in line
    assert "--db" in line


def test_db_and_kapdesk_db_beat_the_remembered_server(
    run: Run, folders: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = folders
    ws.remember_server(ws.server_from_fields(UNREACHABLE), "", config)
    made = run("demo", "--db", tmp_path / "given.sqlite", "--patients", "1")
    assert made.code == 0, made.err
    listed = run("list", "patients", "--db", tmp_path / "given.sqlite", "--json")
    assert listed.code == 0, listed.err
    monkeypatch.setenv("KAPDESK_DB", str(tmp_path / "given.sqlite"))
    from_env = run("list", "patients", "--json")
    assert from_env.code == 0, from_env.err
    assert len(json.loads(from_env.out)) == 1


def test_remembered_this_workstation_is_the_default_file(
    run: Run, folders: tuple[Path, Path]
) -> None:
    config, data = folders
    data.mkdir()
    assert run("demo", "--db", data / "kapdesk.sqlite", "--patients", "2").code == 0
    ws.remember_this_workstation(config)
    listed = run("list", "patients", "--json")
    assert listed.code == 0, listed.err
    assert len(json.loads(listed.out)) == 2


def test_file_only_commands_refuse_the_remembered_server(
    run: Run, folders: tuple[Path, Path], tmp_path: Path
) -> None:
    config, data = folders
    ws.remember_server(ws.server_from_fields(UNREACHABLE), "", config)
    backup = tmp_path / "b.sqlite"
    assert run("demo", "--db", backup, "--patients", "1").code == 0
    line = assert_one_line_error(run("restore", str(backup)), code=2)
    assert "not yet supported for a clinic server" in line
    assert not (data / "kapdesk.sqlite").exists()  # never restored into a file not in use
    line = assert_one_line_error(run("list", "patients", "--encrypted"), code=2)
    assert "--encrypted" in line
    assert "remembered" in line


def test_the_remembered_server_is_opened_with_its_kept_password(
    run: Run, folders: tuple[Path, Path]
) -> None:
    config, _ = folders
    admin_server()  # skips, saying why, without a test server
    with throwaway_database() as server:
        url = server.url.set(drivername="postgresql").render_as_string(hide_password=False)
        made = run("demo", "--db", url, "--patients", "2", "--seed", "4")
        assert made.code == 0, made.err
        password = str(server.url.password)
        without = ServerURL(server.url._replace(password=None))
        ws.remember_server(without, password, config)
        listed = run("list", "patients", "--json")
        assert listed.code == 0, listed.err
        assert len(json.loads(listed.out)) == 2
        assert password not in listed.out + listed.err
