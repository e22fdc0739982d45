"""Fixtures for storage tests: a fresh database file on a fake clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.db import Database

from .helpers import T0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.sqlite"


@pytest.fixture
def db(db_path: Path, clock: FakeClock) -> Iterator[Database]:
    database = Database.open(db_path, clock=clock)
    yield database
    database.close()


@pytest.fixture(scope="module")
def demo_seed() -> int:
    """The seed of the module's demo clinic (a module overrides it for another one)."""
    return 5


@pytest.fixture(scope="module")
def demo_template(demo_seed: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo clinic (3 patients, built for 2026-03-04), built once per module."""
    from kapdesk.demo import build_demo_clinic

    path = tmp_path_factory.mktemp(f"demo-seed{demo_seed}") / "demo.sqlite"
    build_demo_clinic(path, seed=demo_seed, patients=3, today=date(2026, 3, 4))
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    """A copy of the module's demo clinic for one test."""
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(demo_template, path)
    return path
