"""``PRAGMA integrity_check`` started before ``kapdesk check`` imports SQLAlchemy.

The check's longest single task reads the whole file; run in a thread from the command's
first moment (SQLite runs without Python's lock), it overlaps the command's imports
(~0.4 s of processor time) instead of starting after them. Imports nothing but the
standard library and :mod:`kapdesk.storage.sqlite_file`;
:func:`kapdesk.storage.backup.integrity_problems` words what it found.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kapdesk.storage.sqlite_file import connect_readonly, sidecars

INTEGRITY_PRAGMA = "PRAGMA integrity_check(100)"  # 5 x backup.MAX_LISTED rows at most


class EarlyIntegrity:
    """``integrity_check`` of an unencrypted file, running in a thread since creation on its
    own read-only connection (as :func:`kapdesk.storage.backup._sqlite_checks` opens it)."""

    def __init__(self, path: Path) -> None:
        self._conn: Any = None
        self._rows: list[Any] = []
        self._open_error: BaseException | None = None
        self._error: BaseException | None = None
        self._opened = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(path,), name="check-integrity", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            self._conn = connect_readonly(path, immutable=not sidecars(path)[0].exists())
        except BaseException as exc:  # raised to the caller of opened()
            self._open_error = exc
            return
        finally:
            self._opened.set()
        try:
            self._rows = [row[0] for row in self._conn.execute(INTEGRITY_PRAGMA)]
        except BaseException as exc:  # raised to the caller of rows()
            self._error = exc
        finally:
            self._conn.close()

    def opened(self) -> None:
        """Raises what opening the file raised, if it did."""
        self._opened.wait()
        if self._open_error is not None:
            raise self._open_error

    def rows(self) -> list[Any]:
        """Its rows, once done; raises what SQLite raised while checking."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._rows

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        """Stop it (the file is checked otherwise) and wait until it has stopped."""
        self._opened.wait()
        while self._thread.is_alive():  # again: an interrupt before the step starts is lost
            try:
                self._conn.interrupt()
            except Exception:  # closed meanwhile: it has finished
                break
            self._thread.join(0.05)
        self._thread.join()
