"""The GUI's context: one AppContext, built once, handed to every view.

``AppContext`` bundles the ServiceContext (database, clock, protocols), the
signed-in ``Actor`` (changed by "Switch user"), the demo flag and ``AppSignals``,
the signal hub views refresh on: ``data_changed`` carries each committed write's
ChangeSet, turned into that signal in one place (``kapdesk.ui.change_bridge``). There
are no module-level globals: tests build as many contexts as they like.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kapdesk.ui.change_bridge import ChangeBridge

if TYPE_CHECKING:
    from datetime import datetime

    from kapdesk.composition import ServerURL
    from kapdesk.domain.clock import Clock
    from kapdesk.services.context import Actor, ServiceContext


class AppSignals(QObject):
    """The signal hub views refresh and navigate on."""

    # What a committed write changed (services.changes.ChangeSet), emitted by the one
    # ChangeBridge on the GUI thread: views never emit it themselves.
    data_changed = Signal(object)
    actor_changed = Signal()
    navigate_session = Signal(int)
    navigate_patient = Signal(int)


class AppContext:
    """Everything a view needs. ``actor`` is None only before the first sign-in."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        demo: bool = False,
        actor: Actor | None = None,
        signals: AppSignals | None = None,
    ) -> None:
        self.ctx = ctx
        self.demo = demo
        self.signals = signals or AppSignals()
        self._actor = actor
        self.changes = ChangeBridge(ctx.changes, self.signals)

    @property
    def actor(self) -> Actor | None:
        return self._actor

    @actor.setter
    def actor(self, actor: Actor | None) -> None:
        changed = actor != self._actor
        self._actor = actor
        if changed:
            self.signals.actor_changed.emit()

    def require_actor(self) -> Actor:
        """The signed-in user; a view that changes data is only reachable after sign-in."""
        if self._actor is None:
            raise RuntimeError("no user is signed in")
        return self._actor

    def now(self) -> datetime:
        return self.ctx.now()

    def clinic_name(self) -> str:
        """The clinic's name as shown (window titles, sign-in): the default in the
        user's language."""
        from kapdesk.composition import clinic_name
        from kapdesk.services.wording import shown_clinic_name

        return shown_clinic_name(clinic_name(self.ctx))

    def close(self) -> None:
        self.changes.close()
        self.ctx.db.close()


def build_app_context(
    db_path: Path | ServerURL, *, demo: bool, clock: Clock | None = None, key: str | None = None
) -> AppContext:
    """Open (create/migrate) the database at ``db_path`` (a file or a clinic server);
    storage errors propagate."""
    from kapdesk.composition import ServerURL, build_context

    where = db_path if isinstance(db_path, ServerURL) else Path(db_path)
    # key: the SQLCipher passphrase of an encrypted file
    return AppContext(ctx=build_context(where, clock=clock, key=key), demo=demo)
