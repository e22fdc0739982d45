"""Storage faults injected into a running kapdesk database (tests only).

``inject(engine)`` returns a :class:`Faults` switch. While ``faults.mode`` is set, every
write statement (INSERT/UPDATE/DELETE) on that engine fails as the disk would make it:

* ``"full"``: sqlite3.OperationalError("database or disk is full") (SQLITE_FULL);
* ``"real_full"``: the real thing: ``PRAGMA max_page_count`` pinned to the file's current
  size, so SQLite itself refuses the first statement that needs another page;
* ``"io"``: sqlite3.OperationalError("disk I/O error") (SQLITE_IOERR), reads included
  when ``reads=True``;
* ``"read_only"``: the real SQLite refusal ("attempt to write a readonly database"), via
  ``PRAGMA query_only`` on that connection (tests run as root, where chmod does not bite).

Set ``mode = None`` to let the disk recover.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
MODES = ("full", "real_full", "io", "read_only")


@dataclass
class Faults:
    mode: str | None = None
    reads: bool = False
    hits: list[str] = field(default_factory=list)

    def before(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if self.mode is None:
            return
        head = statement.lstrip().upper()
        is_write = head.startswith(WRITES)
        if not is_write and not (self.reads and head.startswith("SELECT")):
            return
        self.hits.append(head.split(None, 1)[0])
        raw = cursor.connection
        if self.mode == "full":
            raise sqlite3.OperationalError("database or disk is full")
        if self.mode == "io":
            raise sqlite3.OperationalError("disk I/O error")
        if self.mode == "read_only":
            raw.execute("PRAGMA query_only = ON")
            conn.connection.info["query_only"] = True  # the next write transaction resets it
        elif self.mode == "real_full":
            (pages,) = raw.execute("PRAGMA page_count").fetchone()
            raw.execute(f"PRAGMA max_page_count = {int(pages)}")
            conn.connection.info["max_pages_pinned"] = True


def inject(engine: Engine) -> Faults:
    faults = Faults()
    event.listen(engine, "before_cursor_execute", faults.before)

    def unpin(conn: Any) -> None:  # a recovered disk has room again
        info = conn.connection.info
        if faults.mode != "real_full" and info.pop("max_pages_pinned", False):
            conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")

    event.listen(engine, "begin", unpin)
    return faults
