"""A use case whose earlier committed step wrote rows only inside a savepoint that was rolled
back saved nothing: a later step broken off by the server is run again from the start, not
refused as "an earlier step of it was saved". Rows a released savepoint wrote do count."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select, text

from kapdesk.storage.db import Database
from kapdesk.storage.orm import Setting
from kapdesk.storage.write_retry import WriteConflict, run_use_case
from tests.storage.pg_server_kit import FreshDatabase, fresh_database

__all__ = ["fresh_database"]

BREAK_OFF = "DO $$ BEGIN RAISE EXCEPTION 'broken off by the test' USING ERRCODE = '40P01'; END $$"


@pytest.fixture
def db(fresh_database: FreshDatabase) -> Iterator[Database]:
    database = Database.open(fresh_database.owner)
    yield database
    database.close()


def _use_case(db: Database, calls: list[int], *, release: bool) -> Callable[[], str]:
    """Step 1 commits a transaction whose only rows were written in a savepoint (rolled back,
    or released when ``release``); step 2 is broken off by the server on its first run."""

    def call() -> str:
        calls.append(1)
        with db.write() as s:
            savepoint = s.begin_nested()
            s.add(Setting(key=f"step1-{len(calls)}", value=1))
            s.flush()
            if release:
                savepoint.commit()
            else:
                savepoint.rollback()
        with db.write() as s:
            if len(calls) == 1:
                s.execute(text(BREAK_OFF))
            s.add(Setting(key="step2", value=2))
        return "done"

    return call


def _keys(db: Database) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Setting.key).where(Setting.key.like("step%"))))


def test_a_rolled_back_savepoint_is_not_a_saved_step(db: Database) -> None:
    calls: list[int] = []
    assert run_use_case(db, _use_case(db, calls, release=False), pause=0) == "done"
    assert len(calls) == 2  # run again: nothing of the first run was saved
    assert _keys(db) == ["step2"]


def test_a_released_savepoint_is_a_saved_step(db: Database) -> None:
    calls: list[int] = []
    with pytest.raises(WriteConflict) as raised:
        run_use_case(db, _use_case(db, calls, release=True), pause=0)
    assert raised.value.partly
    assert "an earlier step of it was saved" in str(raised.value)
    assert len(calls) == 1
    assert _keys(db) == ["step1-1"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Setting)) >= 1
