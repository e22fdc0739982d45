"""The desktop app's database when no --db is given (kapdesk.cli.workstation.gui_target) and
``kapdesk workstation show|forget``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kapdesk import workstation as ws
from kapdesk.cli import main
from kapdesk.cli.parser import CliError
from kapdesk.cli.workstation import gui_target
from kapdesk.storage.server_url import ServerURL

SECRET = "not-in-any-output-42"


def _args(db: str | None = None, *, demo: bool = False) -> argparse.Namespace:
    return argparse.Namespace(db=db, demo=demo, encrypted=False)


def _remember_server(config: Path) -> None:
    fields = ws.ServerFields("db.clinic.lan", "5432", "kapdesk", "kapdesk_app", "require", "")
    ws.remember_server(ws.server_from_fields(fields), SECRET, config)


def test_first_start_with_nothing_asks(folders: tuple[Path, Path]) -> None:
    assert gui_target(_args()) is None
    assert not folders[0].exists()


def test_an_existing_default_file_is_taken_and_remembered(folders: tuple[Path, Path]) -> None:
    config, data = folders
    data.mkdir()
    (data / "kapdesk.sqlite").write_bytes(b"x")
    assert gui_target(_args()) == data / "kapdesk.sqlite"
    assert ws.read_choice(config) == ws.Remembered(ws.THIS_WORKSTATION)


def test_the_remembered_server_is_opened_with_its_passfile(folders: tuple[Path, Path]) -> None:
    config, data = folders
    _remember_server(config)
    (data).mkdir()
    (data / "kapdesk.sqlite").write_bytes(b"x")  # the remembered choice beats the file
    target = gui_target(_args())
    assert isinstance(target, ServerURL)
    assert target.host == "db.clinic.lan"
    assert target.query["passfile"] == str(config / ws.PASSFILE)


def test_db_and_kapdesk_db_beat_the_remembered_choice(
    folders: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _remember_server(folders[0])
    assert gui_target(_args(str(tmp_path / "given.sqlite"))) == tmp_path / "given.sqlite"
    monkeypatch.setenv("KAPDESK_DB", str(tmp_path / "env.sqlite"))
    assert gui_target(_args()) == tmp_path / "env.sqlite"
    assert gui_target(_args(demo=True)) == folders[1] / "demo.sqlite"


def test_the_demo_ignores_the_remembered_choice(folders: tuple[Path, Path]) -> None:
    _remember_server(folders[0])
    assert gui_target(_args(demo=True)) == folders[1] / "demo.sqlite"


def test_encrypted_with_a_remembered_server_is_refused(folders: tuple[Path, Path]) -> None:
    _remember_server(folders[0])
    args = _args()
    args.encrypted = True
    with pytest.raises(CliError, match="--encrypted is for a database file"):
        gui_target(args)


def test_show_and_forget(folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config, data = folders
    assert main(["workstation", "show"]) == 0
    assert "Nothing remembered yet" in capsys.readouterr().out
    _remember_server(config)
    assert main(["workstation", "show"]) == 0
    out = capsys.readouterr().out
    assert "postgresql://kapdesk_app@db.clinic.lan:5432/kapdesk?sslmode=require" in out
    assert f"kept in {config / ws.PASSFILE} (mode 0600)" in out
    assert SECRET not in out
    assert main(["workstation", "forget"]) == 0
    out = capsys.readouterr().out
    assert f"Removed {config / ws.CHOICE_FILE}." in out
    assert not config.joinpath(ws.PASSFILE).exists()
    ws.remember_this_workstation(config)
    assert main(["workstation", "show"]) == 0
    assert f"keeps the records in {data / 'kapdesk.sqlite'}" in capsys.readouterr().out


def test_a_damaged_choice_stops_the_app_with_one_line(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = folders[0]
    config.mkdir()
    (config / ws.CHOICE_FILE).write_text("{oops")
    assert main(["workstation", "show"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kapdesk: The workstation's remembered choice")
    assert "kapdesk workstation forget" in err
