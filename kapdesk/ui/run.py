"""Start-up of the desktop app: open the database, sign in, show the main window.

``run_gui`` builds one ``AppContext`` (kapdesk.ui.app_context) and hands it to
every view. Start-up is kept light: Qt widgets and the storage layer only; the
login window is painted before the ORM, argon2 and the pages are imported
(``preload_for_sign_in`` loads them right after that paint), and pyqtgraph and
reportlab are imported by the widgets that need them, when they are first shown.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject

from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.titles import window_title

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QDialog, QWidget

    from kapdesk.composition import ServerURL
    from kapdesk.ui.crash import ErrorReporter
    from kapdesk.ui.login import FirstAdminDialog, LoginDialog
    from kapdesk.ui.main_window import MainWindow
    from kapdesk.ui.preload import Preloader

APP_NAME = "kapdesk"


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
    # No display name: Qt would append " — kapdesk" to every title (see ui/titles.py).
    qapp.setOrganizationName(APP_NAME)
    qapp.setWindowIcon(app_icon())
    qapp.setStyleSheet(stylesheet())
    from kapdesk.i18n import current
    from kapdesk.ui.translation import speak

    speak(qapp, current())  # --lang, KAPDESK_LANG or the computer's, until someone signs in
    return qapp


def install_form_guards(qapp: QApplication) -> None:
    """App-wide behaviour the forms need (the sign-in window has none of those boxes):
    installed once the login window is painted, to keep start-up light."""
    from kapdesk.ui.widgets.no_wheel import install_wheel_guard

    install_wheel_guard(qapp)  # the wheel scrolls panels, never a combo/spin box on the way


def _ensure_demo_database(path: Path, key: str | None = None) -> str | None:
    """Create the demo clinic on first use, or offer to rebuild it around today when its
    day is past; a message if the generator is unavailable.

    Built off the GUI thread behind a progress window (kapdesk.ui.demo_start), under a
    temporary name renamed when complete, so a run killed mid-way never leaves a
    half-built demo clinic behind. With ``key`` it is built encrypted (SQLCipher).
    """
    try:
        import kapdesk.demo.rebuild  # noqa: F401  (not in every build)
        from kapdesk.ui.demo_start import ensure_demo_clinic
    except ImportError:
        return QCoreApplication.translate(
            "Startup", "The demo clinic generator is not available in this build."
        )
    ensure_demo_clinic(path, key)
    return None


def run_gui(
    db_path: Path | ServerURL | None,
    demo: bool,
    quit_after_paint: bool = False,
    key: str | None = None,
    encrypted: bool = False,
) -> int:
    """The desktop app: open the database, sign in, show the main window. Returns the exit code.

    An encrypted database (``encrypted``, or a file that looks encrypted) without
    ``key`` takes KAPDESK_DB_KEY, else asks with the passphrase dialog. ``db_path`` may
    be a clinic server (no single-instance claim there: a server is shared by design).
    ``None``: this workstation's first start, nothing remembered: it asks first where the
    clinic's records are (kapdesk.ui.store_choice), before the first administrator.
    """
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.logs import log_unexpected
    from kapdesk.ui.errors import show_error
    from kapdesk.ui.xcb_check import xcb_problem

    # The objects made by importing Qt, SQLAlchemy and kapdesk live as long as the process:
    # moved out of the collector's view, the full collection their number would set off
    # before the sign-in window paints (~10 ms) and every later one skip them.
    gc.freeze()
    problem = xcb_problem() if QCoreApplication.instance() is None else None
    if problem is not None:  # Qt would abort (SIGABRT) naming only one missing library
        print(problem, file=sys.stderr)
        return 1
    qapp = _qapplication()
    if db_path is None and (db_path := _ask_where_records_are()) is None:
        return 0  # the person quit at the first-run question
    instance = None
    if isinstance(db_path, str | os.PathLike):  # a file (a ServerURL is neither)
        db_path = Path(db_path)
    # A second kapdesk on this file says so, offers to raise the first.
    if not quit_after_paint and isinstance(db_path, Path):
        from kapdesk.ui.single_instance import claim_database

        instance = claim_database(db_path, qapp)
        if instance is None:
            return 0
    reporter = install_error_reporting()  # log file, sys/threading excepthook, Qt messages
    title = window_title(None, demo=demo)
    try:
        try:
            opened = (
                _open_database(db_path, demo=demo, key=key, encrypted=encrypted)
                if isinstance(db_path, Path)
                else build_app_context(db_path, demo=demo)
            )
        except KapdeskError as exc:  # SchemaTooNew, NotAKapdeskDatabase, WrongPassphrase, ...
            show_error(None, opening_refused(exc, db_path), title=title)
            return 1
        except Exception as exc:  # never a traceback, never a silent exit
            from kapdesk.composition import storage_failure_in

            # full, I/O error, read-only
            failure = storage_failure_in(db_path, exc) if isinstance(db_path, Path) else None
            if failure is not None:
                reporter.start_log()
                log_unexpected(exc, "opening the database")
                show_error(None, failure, title=title)
            else:
                reporter.report(exc, "opening the database")
            return 1
        if opened is None:  # the passphrase dialog was cancelled
            return 0
        app = opened
        reporter.app = app  # "nothing after HH:MM was saved": this database's last commit
        try:
            return _signed_in_session(qapp, app, quit_after_paint)
        finally:
            app.close()
    finally:
        reporter.uninstall()
        if instance is not None:
            instance.close()


def opening_refused(exc: Exception, db_path: Path | ServerURL) -> str:
    """Why the database did not open; for the server this workstation remembers, also how
    to choose another (kapdesk.workstation.forget_hint)."""
    from kapdesk.composition import ServerUnreachable
    from kapdesk.workstation import forget_hint, remembered_server_in

    # The app stops here: "reconnects by itself" (the running app's wording) would be untrue.
    said = exc.at_start_up() if isinstance(exc, ServerUnreachable) else str(exc)
    folder = None if isinstance(db_path, Path) else remembered_server_in(db_path)
    return said if folder is None else f"{said}\n\n{forget_hint(folder)}"


def _ask_where_records_are() -> Path | ServerURL | None:
    """This workstation's first start: the clinic's records on this workstation or on the
    clinic's server? (kapdesk.ui.store_choice; the answer is remembered.)"""
    from kapdesk.paths import default_db_path
    from kapdesk.ui.store_choice import ask_store

    return ask_store(default_db_path())


def install_error_reporting() -> ErrorReporter:
    """The ErrorReporter hooks (kapdesk.ui.crash); the rotating log file (kapdesk.logs)
    starts at the first error, or right after the first paint (preload_for_sign_in)."""
    from kapdesk.ui.crash import ErrorReporter

    return ErrorReporter().install()


def _open_database(
    path: Path, *, demo: bool, key: str | None, encrypted: bool
) -> AppContext | None:
    """The AppContext; None if the person cancelled the passphrase prompt."""
    from kapdesk.composition import (
        NotEncrypted,
        check_passphrase,
        has_sqlite_header,
        key_from_environment,
        looks_encrypted,
        require_sqlcipher,
    )
    from kapdesk.domain.errors import KapdeskError

    def open_with(passphrase: str | None) -> AppContext:
        if demo:
            problem = _ensure_demo_database(path, passphrase)
            if problem:
                raise KapdeskError(problem)
        return build_app_context(path, demo=demo, key=passphrase)

    exists = path.is_file() and path.stat().st_size > 0
    if key is not None or not (encrypted or (exists and looks_encrypted(path))):
        return open_with(key)
    require_sqlcipher()
    if exists and has_sqlite_header(path):
        raise NotEncrypted(path)
    from_env = key_from_environment()
    if from_env is not None:
        return open_with(check_passphrase(from_env, new=not exists))
    from kapdesk.ui.passphrase import ask_passphrase

    return ask_passphrase(path, open_with, new=not exists)


class _AfterFirstPaint(QObject):
    """Runs ``action`` once, on the event-loop turn after the window's first paint."""

    def __init__(self, window: QWidget, action: Callable[[], object]) -> None:
        super().__init__(window)
        self.action = action
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: object) -> bool:
        from PySide6.QtCore import QEvent, QTimer

        if isinstance(event, QEvent) and event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.action)
        return False


def preload_for_sign_in(app: AppContext | None = None) -> None:
    """Import what signing in, the main window and the first chart need (ORM, models,
    argon2, pages, pyqtgraph, reportlab), and parse ``app``'s protocols, all at once.

    The app itself does this while the login window waits for the password, in steps
    that never freeze that window (kapdesk.ui.preload); benchmarks call this instead.
    """
    from kapdesk.ui.preload import preload_now

    preload_now(app)


def _preload_while_signing_in(dialog: QDialog, app: AppContext) -> Preloader:
    """The preload starts on the turn after the login window's first paint; signing in
    before it is done finishes it first (the imports it still needs, at once)."""
    from kapdesk.ui.preload import Preloader

    preloader = Preloader(app, dialog)
    _AfterFirstPaint(dialog, preloader.start)
    buttons = getattr(dialog, "buttons", None)
    submit = getattr(dialog, "submit", None)
    if buttons is not None and callable(submit):

        def finish_then_submit() -> None:
            preloader.finish()
            submit()

        buttons.accepted.disconnect(submit)
        buttons.accepted.connect(finish_then_submit)
    return preloader


def _stop_preload(dialog: QDialog) -> None:
    from kapdesk.ui.preload import Preloader

    preloader = dialog.findChild(Preloader)
    if preloader is not None:
        preloader.stop()  # the worker stops after its current import


def login_window(app: AppContext, *, first_run: bool = False) -> LoginDialog | FirstAdminDialog:
    """The sign-in window (the first administrator's on an empty database), with the
    preload started after its first paint (the benchmarks sign in through it)."""
    from kapdesk.ui.login import FirstAdminDialog, LoginDialog

    dialog = FirstAdminDialog(app) if first_run else LoginDialog(app)
    _preload_while_signing_in(dialog, app)
    return dialog


def open_main_window(app: AppContext) -> MainWindow:
    """The main window of ``app.actor``, shown as after a sign-in (idle lock, daily backup)."""
    from kapdesk.ui.main_window import MainWindow

    window = MainWindow(app)
    window.screen_lock.watch_idle()
    window.backup_actions.start_daily_check()
    window.show()
    return window


def _signed_in_session(qapp: QApplication, app: AppContext, quit_after_paint: bool) -> int:
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.services.startup import has_users
    from kapdesk.ui.errors import show_error
    from kapdesk.ui.login import FirstAdminDialog, LoginDialog
    from kapdesk.ui.sign_in_language import speak_for

    try:
        first_run = not has_users(app.ctx)
    except KapdeskError as exc:
        show_error(None, exc)
        return 1
    if quit_after_paint:
        dialog = FirstAdminDialog(app) if first_run else LoginDialog(app)
        dialog.show()
        _AfterFirstPaint(dialog, qapp.quit)
        qapp.exec()
        dialog.close()
        dialog.deleteLater()
        return 0
    dialog = login_window(app, first_run=first_run)
    accepted = dialog.exec() == dialog.DialogCode.Accepted
    _stop_preload(dialog)  # signed in: done already; cancelled: before the database closes
    if not accepted or dialog.actor is None:
        return 0
    from kapdesk.ui.change_password import require_new_password

    # LoginDialog has the new password chosen already; this only guards the main window.
    actor = require_new_password(app, dialog.actor)
    if actor is None:
        return 0
    app.actor = actor
    speak_for(actor)  # their language, for every window built from now on

    import shiboken6

    from kapdesk.ui.exit_backup import back_up_on_exit

    install_form_guards(qapp)  # done after the first paint already; once per application
    while True:
        window = open_main_window(app)
        code = int(qapp.exec())
        signed_out, relanguage = window.signed_out, window.relanguage
        # Destroy the window (and its pyqtgraph plots) while Qt is still fully up:
        # left to interpreter shutdown, plot teardown order can crash the process.
        window.close()
        shiboken6.delete(window)
        if relanguage and app.actor is not None:  # someone who works in another language
            speak_for(app.actor)
            continue
        if not signed_out:
            break
        # Signed out (after a restore): sign in again; every view is built anew.
        again = LoginDialog(app)
        accepted = again.exec() == again.DialogCode.Accepted
        actor = again.actor if accepted else None
        actor = require_new_password(app, actor) if actor is not None else None
        again.deleteLater()
        app.actor = actor
        if actor is None:
            break
        speak_for(actor)  # their language, for every window built from now on
    back_up_on_exit(app)  # a clean exit: the rolling "exit" backup, before the database closes
    return code
