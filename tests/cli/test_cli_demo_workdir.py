"""``kapdesk demo --years N --db URL`` builds the big clinic in the user data folder (or
``--work-dir``), not the system temp folder; too little room there is refused before
anything is built, and a disk filling up anyway is said plainly, naming the folder."""

from __future__ import annotations

import errno
import re
from collections import namedtuple
from pathlib import Path

import pytest

from kapdesk import demo as demo_module
from kapdesk import paths
from kapdesk.cli import demo_server
from kapdesk.storage.server_init import initialise_server
from kapdesk.storage.server_url import ServerURL
from tests.storage.pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database

from .conftest import Run, assert_one_line_error

__all__ = ["fresh_database"]

UNREACHABLE = "postgresql://clinic_owner@127.0.0.1:1/kapdesk?sslmode=disable"
Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setattr(paths, "data_dir", lambda: folder)
    return folder


def _owner_url(fresh: FreshDatabase) -> str:
    initialise_server(fresh.owner, fresh.app_role, lambda: APP_PASSWORD)
    owner: ServerURL = fresh.owner
    return owner.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_too_little_room_is_refused_before_anything_is_built(
    run: Run, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_server.shutil, "disk_usage", lambda _p: Usage(10**9, 0, 2 * 10**8))
    monkeypatch.setattr(demo_module, "build_big_clinic", pytest.fail)
    line = assert_one_line_error(
        run("demo", "--db", UNREACHABLE, "--years", "5", "--patients", "5000")
    )
    assert f"not enough disk space in {data} " in line
    assert "about 4.5 GB there" in line
    assert "0.2 GB are free" in line
    assert "--work-dir" in line
    assert "Nothing was written" in line


def test_work_dir_must_be_a_folder_and_is_only_for_a_server(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    line = assert_one_line_error(
        run("demo", "--db", UNREACHABLE, "--years", "1", "--work-dir", missing), code=2
    )
    assert f"--work-dir {missing}: no such folder" in line
    line = assert_one_line_error(
        run("demo", "--db", tmp_path / "d.sqlite", "--years", "1", "--work-dir", tmp_path),
        code=2,
    )
    assert "only for building the big clinic on a clinic server" in line
    assert not (tmp_path / "d.sqlite").exists()


@pytest.mark.parametrize("given", [False, True])
def test_the_clinic_is_built_in_the_data_folder_or_work_dir_then_removed(
    run: Run, data: Path, tmp_path: Path, fresh_database: FreshDatabase, given: bool
) -> None:
    work = tmp_path / "big-disk"
    work.mkdir()
    extra = ("--work-dir", work) if given else ()
    url = _owner_url(fresh_database)
    made = run("demo", "--db", url, "--years", "1", "--patients", "2", *extra)
    assert made.code == 0, made.err
    built_in = re.search(r"building the clinic in (\S+) first", made.err)
    assert built_in is not None
    base = work if given else data
    assert Path(built_in.group(1)).parent.parent == base
    assert list(base.iterdir()) == []  # its folder removed once moved
    assert "2 patients" in made.out


def test_a_disk_filling_up_during_the_build_names_the_folder(
    run: Run, data: Path, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _owner_url(fresh_database)

    def full(path: Path, **_kwargs: object) -> None:
        path.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(demo_module, "build_big_clinic", full)
    failed = run("demo", "--db", url, "--years", "1", "--patients", "2")
    assert failed.code == 1
    assert "Traceback" not in failed.err
    line = failed.err.splitlines()[-1]  # after the progress line naming the file
    assert f"the disk holding {data} filled up" in line
    assert "nothing was written to the server" in line
    assert list(data.iterdir()) == []
