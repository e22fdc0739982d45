"""warm_vitals (run by the sign-in preload): after it, the first reading a process records
compiles no statement (issue 13: ~15 ms of the key press otherwise), and it writes nothing,
nor takes the write lock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import ServiceContext
from kapdesk.services.protocol_store import warm_protocols
from kapdesk.services.vitals import VitalsService
from kapdesk.services.vitals_warm import warm_vitals

from .conftest import _actor, table_counts
from .sessionkit import Kit

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|BEGIN IMMEDIATE)|pg_advisory", re.IGNORECASE)


@contextmanager
def sent(ctx: ServiceContext) -> Iterator[list[tuple[str, CacheStats]]]:
    """Each statement sent, with whether its compiled form came from the cache."""
    seen: list[tuple[str, CacheStats]] = []

    def on_execute(_c: Any, _cur: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        seen.append((" ".join(statement.split()), context.cache_hit))

    event.listen(ctx.db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", on_execute)


@pytest.fixture
def fresh(
    ctx: ServiceContext, store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Any]:
    """A new process's context (its own engine: nothing compiled yet) on the test's clinic."""
    made: list[ServiceContext] = []

    def make() -> ServiceContext:
        if store == "postgresql":
            server = request.getfixturevalue("server_clinic").server
            context = build_context(server, clock=ctx.clock, create=False)
        else:
            context = build_context(tmp_path / "clinic.sqlite", clock=ctx.clock)
        made.append(context)
        return context

    yield make
    for context in made:
        context.db.close()


def _running_session(ctx: ServiceContext, clock: FakeClock) -> tuple[Kit, int]:
    kit = Kit(ctx, clock, _actor(ctx, Role.NURSE))
    sid = kit.dosed()  # the next reading is the first post-dose one: it moves the session
    kit.advance(minutes=5)
    return kit, sid


def _first_reading(ctx: ServiceContext, sid: int) -> list[tuple[str, CacheStats]]:
    nurse = _actor(ctx, Role.NURSE)
    with sent(ctx) as statements:
        VitalsService(ctx).record(nurse, sid, 130, 84, 80, 97)
    return [(s, hit) for s, hit in statements if hit is CacheStats.CACHE_MISS]


def test_without_the_warm_up_the_first_reading_compiles(
    ctx: ServiceContext, clock: FakeClock, fresh: Any
) -> None:
    _, sid = _running_session(ctx, clock)
    compiled = _first_reading(fresh(), sid)
    assert any("INSERT INTO vital_readings" in s for s, _ in compiled), compiled
    assert len(compiled) >= 5, compiled


def test_after_the_warm_up_the_first_reading_compiles_nothing(
    ctx: ServiceContext, clock: FakeClock, fresh: Any
) -> None:
    _, sid = _running_session(ctx, clock)
    new = fresh()
    warm_protocols(new)  # as the preload does first: the courses' protocols are parsed
    warm_vitals(new)
    assert _first_reading(new, sid) == []


def test_a_pre_dose_reading_after_the_warm_up_compiles_nothing(
    ctx: ServiceContext, clock: FakeClock, fresh: Any
) -> None:
    kit = Kit(ctx, clock, _actor(ctx, Role.NURSE))
    sid = kit.checked_in()  # the first pre-dose reading: the hold check, the session moves
    new = fresh()
    warm_protocols(new)  # as the preload does first: the courses' protocols are parsed
    warm_vitals(new)
    assert _first_reading(new, sid) == []


def test_the_warm_up_writes_nothing(
    ctx: ServiceContext, clock: FakeClock, fresh: Any, store: str
) -> None:
    _running_session(ctx, clock)
    before = table_counts(ctx.db, include_denials=True)
    new = fresh()
    with sent(new) as statements:
        warm_vitals(new)
    assert table_counts(ctx.db, include_denials=True) == before
    assert statements  # it did read
    assert [s for s, _ in statements if WRITES.search(s)] == []
    assert not any("vital_readings" in s and not s.startswith("SELECT") for s, _ in statements)


def test_the_sign_in_preload_warms_the_first_reading(
    ctx: ServiceContext, clock: FakeClock, fresh: Any
) -> None:
    from kapdesk.ui.preload import Preloader

    _, sid = _running_session(ctx, clock)
    new = fresh()
    loader = Preloader()
    loader._warm(SimpleNamespace(ctx=new))  # type: ignore[arg-type]  # what it reads of an app
    assert loader.errors == []
    assert _first_reading(new, sid) == []
