"""Where the database lives: --db beats KAPDESK_DB beats the per-user default."""

from __future__ import annotations

from pathlib import Path

import pytest

from kapdesk import paths


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "userdata" / "kapdesk"
    monkeypatch.setattr(paths, "data_dir", lambda: folder)
    return folder


def test_default_is_in_the_platform_user_data_folder() -> None:
    from platformdirs import user_data_path

    assert paths.default_db_path() == user_data_path("kapdesk", appauthor=False) / "kapdesk.sqlite"
    assert paths.demo_db_path() == paths.default_db_path().with_name("demo.sqlite")


def test_default_path_and_its_folder_is_created(data_dir: Path) -> None:
    assert not data_dir.exists()
    assert paths.resolve_db_path(None, demo=False, environ={}) == data_dir / "kapdesk.sqlite"
    assert data_dir.is_dir()


def test_environment_beats_default(data_dir: Path, tmp_path: Path) -> None:
    env = {"KAPDESK_DB": str(tmp_path / "env" / "clinic.sqlite")}
    assert paths.resolve_db_path(None, demo=False, environ=env) == tmp_path / "env/clinic.sqlite"
    assert (tmp_path / "env").is_dir()


def test_cli_beats_environment(data_dir: Path, tmp_path: Path) -> None:
    env = {"KAPDESK_DB": str(tmp_path / "env.sqlite")}
    chosen = paths.resolve_db_path(str(tmp_path / "cli.sqlite"), demo=False, environ=env)
    assert chosen == tmp_path / "cli.sqlite"
    assert paths.resolve_db_path(str(tmp_path / "d.sqlite"), demo=True, environ=env) == (
        tmp_path / "d.sqlite"
    )


def test_demo_never_uses_the_clinic_database_from_the_environment(
    data_dir: Path, tmp_path: Path
) -> None:
    env = {"KAPDESK_DB": str(tmp_path / "real-clinic.sqlite")}
    assert paths.resolve_db_path(None, demo=True, environ=env) == data_dir / "demo.sqlite"


def test_empty_values_count_as_not_given(data_dir: Path) -> None:
    assert paths.resolve_db_path("", demo=False, environ={"KAPDESK_DB": ""}) == (
        data_dir / "kapdesk.sqlite"
    )


def test_relative_and_home_paths_become_absolute(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.resolve_db_path("rel/x.sqlite", demo=False, environ={}) == (
        tmp_path / "rel" / "x.sqlite"
    )
    assert paths.resolve_db_path("~/k.sqlite", demo=False, environ={}) == (
        tmp_path / "home" / "k.sqlite"
    )


SERVER = "postgresql://app:s3cret@db.clinic:5432/kapdesk?sslmode=verify-full"


def test_a_server_url_is_handed_back_as_given_and_creates_nothing(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert paths.resolve_db(SERVER, demo=False, environ={}) == SERVER
    assert paths.resolve_db(None, demo=False, environ={"KAPDESK_DB": f"  {SERVER} "}) == SERVER
    assert list(tmp_path.iterdir()) == []  # no "postgresql:" folder
    assert not data_dir.exists()


def test_a_file_is_still_a_path_through_resolve_db(data_dir: Path, tmp_path: Path) -> None:
    assert paths.resolve_db(str(tmp_path / "c.sqlite"), demo=False, environ={}) == (
        tmp_path / "c.sqlite"
    )
    env = {"KAPDESK_DB": SERVER}
    assert paths.resolve_db(None, demo=True, environ=env) == data_dir / "demo.sqlite"
    assert paths.resolve_db(str(tmp_path / "d.sqlite"), demo=False, environ=env) == (
        tmp_path / "d.sqlite"
    )


@pytest.mark.parametrize(
    ("text", "url"),
    [
        (SERVER, True),
        ("postgres://h/db", True),
        ("POSTGRESQL+psycopg://u@h/db", True),
        ("sqlite:///x.sqlite", True),  # a URL, refused later as not a server kapdesk takes
        ("C:\\clinic\\kapdesk.sqlite", False),
        ("C:/clinic/kapdesk.sqlite", False),
        ("/srv/postgresql/clinic.sqlite", False),
        ("postgresql:clinic.sqlite", False),
        ("", False),
    ],
)
def test_looks_like_url(text: str, url: bool) -> None:
    assert paths.looks_like_url(text) is url


def test_resolve_db_path_refuses_a_url_without_showing_it(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="--db names a URL, not a file") as raised:
        paths.resolve_db_path(SERVER, demo=False, environ={})
    assert "s3cret" not in str(raised.value)
    with pytest.raises(ValueError, match="KAPDESK_DB names a URL"):
        paths.resolve_db_path(None, demo=False, environ={"KAPDESK_DB": SERVER})
