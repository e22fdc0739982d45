"""The SQL statements an engine sends while a block runs, for tests that count queries:
``with statements_seen(ctx.db.engine) as seen:`` around the call, then ``len(seen)``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def statements_seen(engine: Engine, *, selects_only: bool = False) -> Iterator[list[str]]:
    """Every statement ``engine`` sends to the database in the block (only the SELECTs with
    ``selects_only``), in order."""
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not selects_only or statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
