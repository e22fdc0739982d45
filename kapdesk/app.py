"""Composition root of the desktop app: one AppContext, built once, handed to every view.

``AppContext`` bundles the ServiceContext (database, clock, protocols), the
signed-in ``Actor`` (changed by "Switch user"), the demo flag and ``AppSignals``,
the one signal hub views use to tell each other that data changed. There are no
module-level globals: tests build as many contexts as they like.

Start-up is kept light: Qt widgets and the storage layer only; pyqtgraph and
reportlab are imported by the widgets that need them, when they are first shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kapdesk.domain.clock import Clock, SystemClock

if TYPE_CHECKING:
    from datetime import datetime

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QWidget

    from kapdesk.services.context import Actor, ServiceContext

APP_NAME = "kapdesk"


class AppSignals(QObject):
    """The signal hub: views emit after a successful service call and refresh on these."""

    data_changed = Signal(str, int)  # (entity, id), e.g. ("reading", 12)
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

    def changed(self, entity: str, entity_id: int) -> None:
        """Announce a successful change (views refresh from this, never from each other)."""
        self.signals.data_changed.emit(entity, entity_id)

    def clinic_name(self) -> str:
        from kapdesk.storage.settings_store import get_setting

        with self.ctx.db.read() as s:
            return str(get_setting(s, "clinic_name"))

    def close(self) -> None:
        self.ctx.db.close()


def build_app_context(
    db_path: Path, *, demo: bool, clock: Clock | None = None, key: str | None = None
) -> AppContext:
    """Open (create/migrate) the database at ``db_path``; storage errors propagate."""
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.db import Database

    clock = clock or SystemClock()
    db = Database.open(Path(db_path), clock=clock, key=key)  # key: SQLCipher passphrase
    return AppContext(ctx=ServiceContext(db=db, clock=clock), demo=demo)


# ---------------------------------------------------------------- the running app


def app_icon() -> QIcon:
    """The hand-drawn SVG icon, read through importlib.resources (works from a wheel too)."""
    from importlib.resources import files

    from PySide6.QtGui import QIcon, QPixmap

    data = (files("kapdesk.resources") / "icons" / "kapdesk.svg").read_bytes()
    pixmap = QPixmap()
    pixmap.loadFromData(data, "SVG")
    return QIcon(pixmap)


def stylesheet() -> str:
    from importlib.resources import files

    return (files("kapdesk.resources") / "styles" / "kapdesk.qss").read_text(encoding="utf-8")


def _qapplication() -> QApplication:
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qapp = QApplication([APP_NAME])
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName(APP_NAME)
    qapp.setOrganizationName(APP_NAME)
    qapp.setWindowIcon(app_icon())
    qapp.setStyleSheet(stylesheet())
    return qapp


class _QuitAfterPaint(QObject):
    """Quits the event loop right after the watched window is first painted."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: object) -> bool:
        from PySide6.QtCore import QEvent, QTimer
        from PySide6.QtWidgets import QApplication

        if isinstance(event, QEvent) and event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False


def _ensure_demo_database(path: Path) -> str | None:
    """Create the demo clinic on first use; a message if the generator is unavailable.

    It is built under a temporary name and renamed when complete, so a run
    killed mid-way never leaves a half-built demo clinic behind.
    """
    if path.exists():
        return None
    try:
        from kapdesk.services.demo import build_demo_clinic
    except ImportError:
        return "The demo clinic generator is not available in this build."
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QLabel

    partial = path.with_name(f"{path.stem}.building{path.suffix}")
    for leftover in (partial, *(Path(f"{partial}{x}") for x in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    notice = QLabel("Creating the demo clinic (first use only; this takes a few seconds)…")
    notice.setWindowTitle(f"{APP_NAME} – DEMO")
    notice.setContentsMargins(24, 18, 24, 18)
    notice.adjustSize()
    screen = QGuiApplication.primaryScreen()
    if screen is not None:
        notice.move(screen.availableGeometry().center() - notice.rect().center())
    notice.show()
    QApplication.processEvents()
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        build_demo_clinic(partial, seed=1, patients=12)
        partial.replace(path)
    finally:
        QGuiApplication.restoreOverrideCursor()
        notice.close()
    return None


def run_gui(
    db_path: Path, demo: bool, quit_after_paint: bool = False, key: str | None = None
) -> int:
    """The desktop app: open the database, sign in, show the main window. Returns the exit code."""
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.ui.errors import show_error

    qapp = _qapplication()
    title = f"{APP_NAME} – DEMO" if demo else APP_NAME
    try:
        if demo:
            problem = _ensure_demo_database(Path(db_path))
            if problem:
                show_error(None, problem, title=title)
                return 1
        app = build_app_context(Path(db_path), demo=demo, key=key)
    except KapdeskError as exc:  # SchemaTooNew, NotAKapdeskDatabase, DatabaseBusy, ...
        show_error(None, exc, title=title)
        return 1
    try:
        return _signed_in_session(qapp, app, quit_after_paint)
    finally:
        app.close()


def _signed_in_session(qapp: QApplication, app: AppContext, quit_after_paint: bool) -> int:
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.services.users import UserService
    from kapdesk.ui.errors import show_error
    from kapdesk.ui.login import FirstAdminDialog, LoginDialog

    try:
        first_run = not UserService(app.ctx).has_users()
    except KapdeskError as exc:
        show_error(None, exc)
        return 1
    dialog = FirstAdminDialog(app) if first_run else LoginDialog(app)
    if quit_after_paint:
        dialog.show()
        _QuitAfterPaint(dialog)
        qapp.exec()
        dialog.close()
        dialog.deleteLater()
        return 0
    if dialog.exec() != dialog.DialogCode.Accepted or dialog.actor is None:
        return 0
    app.actor = dialog.actor

    from kapdesk.ui.main_window import MainWindow

    window = MainWindow(app)
    window.show()
    code = int(qapp.exec())
    # Destroy the window (and its pyqtgraph plots) while Qt is still fully up:
    # left to interpreter shutdown, plot teardown order can crash the process.
    import shiboken6

    window.close()
    shiboken6.delete(window)
    return code
