"""Whether the clinic server answers, for the main window's one-line notice
(``kapdesk.ui.server_status``).

:class:`ServerHealth` is told of every connection failure on the app's engine (a failed
write, a failed read, a failed connect: SQLAlchemy's ``handle_error`` event, in whichever
thread it happened) and offers a cheap :meth:`~ServerHealth.probe` (one ``SELECT 1`` on a
pooled connection) to run off the GUI thread until the server answers again. A lock held
too long or any other refusal is not "unreachable": only a refused or lost connection is.
On a kapdesk file there is nothing to watch (:func:`server_health` gives None).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kapdesk.storage.server_errors import connection_lost

if TYPE_CHECKING:
    from collections.abc import Callable

    from kapdesk.services.context import ServiceContext


class ServerHealth:
    """Calls ``on_lost(when)`` (any thread) each time a connection to the server fails."""

    def __init__(self, ctx: ServiceContext, on_lost: Callable[[datetime], None]) -> None:
        from sqlalchemy import event

        self._engine = ctx.db.engine
        self._clock = ctx.clock
        self._on_lost = on_lost
        event.listen(self._engine, "handle_error", self._error)
        self._listening = True

    def _error(self, context: Any) -> None:  # sqlalchemy.engine.ExceptionContext
        if context.is_pre_ping:  # a stale pooled connection, replaced if the server answers
            return
        if context.is_disconnect or connection_lost(context.original_exception):
            self._on_lost(self._clock.now())

    def now(self) -> datetime:
        return self._clock.now()

    def probe(self) -> bool:
        """True when the server answers (a connection and ``SELECT 1``); blocks up to the
        connect timeout, so never on the GUI thread."""
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception:  # unreachable (already told through handle_error) or refusing
            return False
        return True

    def close(self) -> None:
        if self._listening:
            from sqlalchemy import event

            event.remove(self._engine, "handle_error", self._error)
            self._listening = False


def server_health(ctx: ServiceContext, on_lost: Callable[[datetime], None]) -> ServerHealth | None:
    """A :class:`ServerHealth` on a clinic server; None on a kapdesk file."""
    return ServerHealth(ctx, on_lost) if ctx.db.is_server else None
