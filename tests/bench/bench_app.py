"""The real app for the GUI benchmarks: application, clinic and sign-in as users get them.

Every GUI benchmark builds on this harness so it measures what a person feels:

* :func:`real_qapp`: the QApplication exactly as ``kapdesk.ui.run`` makes it (``gc.freeze()``
  as ``run_gui`` does first, then ``_qapplication()``: stylesheet, icon, names). Never a bare
  QApplication.
* :func:`open_clinic`: the AppContext as ``run_gui`` opens it (``build_app_context``), with a
  ``FakeClock`` at the clinic's build day so the Today board is that day's board; not demo
  unless asked (a clinic in use is not).
* :func:`sign_in`: the sign-in window from ``kapdesk.ui.run.login_window`` (its post-paint
  preload scheduled as start-up does), shown modal with ``exec()``; once painted and its
  preload done, one second later (a person takes longer to type), the username and password
  are typed into its
  fields (``QTest.keyClicks``) and Enter pressed; then what ``_signed_in_session`` does after
  the dialog is accepted (``require_new_password``, ``install_form_guards``,
  ``open_main_window``: idle lock, daily backup check, shown). It returns the main window and
  a :class:`SignIn` with the timings: the password check (Enter to accepted: argon2), and from
  the dialog accepted to the Today board's table viewport painted (``painted``: the event-loop
  turn of its first paint has finished) and to the first moment the event loop is idle after
  that paint (``accepts_input``: a 0-ms QTimer started at the paint fires only once posted and
  window-system events are processed).
* :func:`sign_out`: what the app does to sign out (``MainWindow.sign_out``, the window
  deleted as ``run_gui`` deletes it); the next :func:`sign_in` (``again=True``: a plain
  ``LoginDialog`` as run_gui's sign-in loop shows it) is then a warm one.
* :func:`wait_painted`, :func:`wait_idle`, :func:`run_loop_for`, :class:`PaintWatch`,
  :class:`LastPaintWatch` (to the last paint of a burst and the loop idle after it) and
  :class:`StallMonitor` (a precise 2-ms QTimer recording the longest gap between its firings:
  the longest time the GUI thread could not have handled input).

Import this module before anything Qt: it sets the offscreen platform (a 1920x1080 screen).
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Offscreen, on a 1920x1080 screen (the offscreen default, 800x800, would shrink the main
# window below its 1280x800 default size and the board below what a clinic's desktop shows).
SCREEN = Path(__file__).resolve().with_name("screen-1920x1080.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QApplication, QWidget

    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.main_window import MainWindow

SETTLE_MS = 2500  # from the sign-in window's first paint to typing: a person takes longer
PRELOAD_LIMIT_MS = 10_000  # typing starts then even if the preload is not done


def now_ms() -> float:
    return time.perf_counter() * 1000


def real_qapp() -> QApplication:
    """The application as ``kapdesk.ui.run.run_gui`` makes it (stylesheet, icon, names)."""
    from PySide6.QtCore import QCoreApplication

    from kapdesk.ui.run import _qapplication

    if QCoreApplication.instance() is None:
        gc.freeze()  # run_gui does this before the QApplication
    return _qapplication()


def open_clinic(db: Path, end: datetime, *, demo: bool = False) -> AppContext:
    """The clinic as run_gui opens it, its clock at ``end`` (the clinic's build day)."""
    from kapdesk.domain.clock import FakeClock
    from kapdesk.ui.app_context import build_app_context

    return build_app_context(Path(db), demo=demo, clock=FakeClock(end))


class _PaintTimes:
    """The timer logic shared by :class:`PaintWatch` and :class:`LastPaintWatch`: at a paint
    event (:meth:`_on_paint`) ``paint_ms``; ``painted_ms`` once that paint's event-loop turn
    is over (a queued call posted at the paint); ``idle_ms`` when a 0-ms QTimer started at the
    paint fires (after every posted and window-system event pending: the first moment the
    GUI thread would handle a key press), never before ``painted_ms``. A later paint starts
    all three again."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.paints = 0
        self.paint_ms: float | None = None  # the (last) paint event arrived
        self.painted_ms: float | None = None
        self.idle_ms: float | None = None
        self._idle = QTimer()
        self._idle.setSingleShot(True)
        self._idle.setInterval(0)
        self._idle.timeout.connect(self._on_idle)

    def _on_paint(self) -> None:
        from PySide6.QtCore import QTimer

        self.paints += 1
        self.paint_ms, self.painted_ms, self.idle_ms = now_ms(), None, None
        seq = self.paints
        QTimer.singleShot(0, lambda: self._on_painted(seq))
        self._idle.start()

    def _on_painted(self, seq: int) -> None:
        if seq == self.paints and self.painted_ms is None:
            self.painted_ms = now_ms()

    def _on_idle(self) -> None:
        if self.painted_ms is None:  # the paint's turn is not over yet: idle after it
            self._idle.start()
            return
        self.idle_ms = now_ms()


class PaintWatch(_PaintTimes):
    """Records when ``widget`` is first painted: ``painted_ms`` once the event-loop turn of
    that paint is over, ``idle_ms`` when the GUI thread would handle a key press after it
    (see :class:`_PaintTimes`). Install before the paint."""

    def __init__(self, widget: QWidget, on_paint: Callable[[], None] | None = None) -> None:
        from PySide6.QtCore import QEvent, QObject

        super().__init__()
        watch = self

        class _Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and watch.paint_ms is None:
                    watch._on_paint()
                    watched.removeEventFilter(self)
                    if on_paint is not None:
                        on_paint()
                return False

        self._filter = _Filter()
        widget.installEventFilter(self._filter)

    @property
    def done(self) -> bool:
        return self.painted_ms is not None and self.idle_ms is not None


class LastPaintWatch(_PaintTimes):
    """Every paint event of the application from :meth:`start` on, to the LAST one: a key
    press is over for the user only when the GUI thread is done painting (a reload's paint
    can be followed by another full repaint, e.g. the window re-activated after a dialog).
    ``painted_ms``: the last paint's event-loop turn was over; ``idle_ms``: a 0-ms QTimer
    started at that paint fired (the input convention of :class:`PaintWatch`); ``paints``:
    how many there were. :meth:`settled` once no paint came for ``quiet_ms`` after
    ``idle_ms`` (the quiet wait itself is not in either figure)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject

        super().__init__()
        watch = self

        class _Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    watch._on_paint()
                return False

        self._filter = _Filter()

    def start(self) -> LastPaintWatch:
        real_qapp().installEventFilter(self._filter)
        return self

    def stop(self) -> None:
        real_qapp().removeEventFilter(self._filter)

    def settled(self, quiet_ms: float) -> bool:
        return self.idle_ms is not None and now_ms() - self.idle_ms >= quiet_ms


def run_until(done: Callable[[], bool], timeout_ms: int = 30_000, what: str = "") -> None:
    """Run the event loop (as a QEventLoop) until ``done()``; RuntimeError after the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(lambda: loop.quit() if done() else None)
    limit = QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    if done():
        return
    poll.start()
    limit.start(timeout_ms)
    loop.exec()
    poll.stop()
    limit.stop()
    if not done():
        raise RuntimeError(f"not done within {timeout_ms} ms: {what}")


def run_loop_for(ms: float) -> None:
    """Let the event loop run ``ms`` milliseconds (timers, paints, deferred work)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(ms), loop.quit)
    loop.exec()


def wait_painted(widget: QWidget, timeout_ms: int = 30_000) -> PaintWatch:
    """Run the event loop until ``widget`` has been painted and the loop was idle after."""
    watch = PaintWatch(widget)
    run_until(lambda: watch.done, timeout_ms, f"{type(widget).__name__} painted")
    return watch


def wait_idle(timeout_ms: int = 30_000) -> float:
    """Run the event loop until a 0-ms timer fires (nothing else pending); the time it took."""
    from PySide6.QtCore import QTimer

    start = now_ms()
    fired: list[float] = []
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setInterval(0)
    timer.timeout.connect(lambda: fired.append(now_ms()))
    timer.start()
    run_until(lambda: bool(fired), timeout_ms, "idle")
    return fired[0] - start


class StallMonitor:
    """A precise ``interval_ms`` QTimer; ``longest_ms`` is the longest gap between two of its
    firings (or from the last one to :meth:`stop`) while running: the longest time the GUI
    thread could not have handled a key press or a click."""

    def __init__(self, interval_ms: int = 2) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._fired)
        self.last: float | None = None
        self.longest_ms = 0.0
        self.longest_at: float | None = None  # when the longest gap ended
        self.ticks = 0

    def _fired(self) -> None:
        t = now_ms()
        if self.last is not None and t - self.last > self.longest_ms:
            self.longest_ms = t - self.last
            self.longest_at = t
        self.last = t
        self.ticks += 1

    def start(self) -> StallMonitor:
        self.last = now_ms()
        self.timer.start()
        return self

    def stop(self) -> float:
        self._fired()  # the gap up to now counts: the thread may be blocked until here
        self.timer.stop()
        return self.longest_ms


@dataclass
class SignIn:
    """Timings of one sign-in, in milliseconds (see the module docstring)."""

    login_painted_ms: float = 0.0  # sign-in window shown -> its first paint
    password_check_ms: float = 0.0  # Enter -> dialog accepted (argon2 + account checks)
    painted_ms: float = 0.0  # dialog accepted -> Today board painted
    accepts_input_ms: float = 0.0  # dialog accepted -> event loop idle after that paint
    rows: int = 0
    login_stall_ms: float | None = None  # longest stall, login painted -> typing
    extra: dict[str, Any] = field(default_factory=dict)


def _type_credentials(dialog: Any, username: str, password: str, out: SignIn) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClicks(dialog.username.edit, username)
    QTest.keyClicks(dialog.password.edit, password)
    accepted: list[float] = []
    dialog.accepted.connect(lambda: accepted.append(now_ms()))
    start = now_ms()
    QTest.keyClick(dialog.password.edit, Qt.Key.Key_Return)
    if not accepted:
        raise RuntimeError(f"sign-in refused: {dialog.message.text()!r}")
    out.password_check_ms = accepted[0] - start
    out.extra["accepted_at"] = accepted[0]


def _preloader(dialog: Any) -> Any:
    """The sign-in window's preloader (kapdesk.ui.preload.Preloader), if it has one."""
    from PySide6.QtCore import QObject

    found = [o for o in dialog.findChildren(QObject) if type(o).__name__ == "Preloader"]
    return found[0] if found else None


def _login(app: AppContext, username: str, password: str, again: bool, out: SignIn) -> Any:
    """Show the sign-in window modal; type once it is painted, its preload done and a
    second more has passed (``SETTLE_MS`` after the paint when it has no preloader to
    ask, at most ``PRELOAD_LIMIT_MS``); the dialog."""
    from PySide6.QtCore import QTimer

    from kapdesk.ui.login import LoginDialog
    from kapdesk.ui.run import login_window

    # run_gui: login_window() first; after a sign-out its loop shows a plain LoginDialog
    dialog = LoginDialog(app) if again else login_window(app)
    preloader = _preloader(dialog)
    monitor = StallMonitor()
    shown = now_ms()
    poll = QTimer()
    poll.setInterval(10)

    def painted() -> None:
        out.login_painted_ms = now_ms() - shown
        monitor.start()
        if preloader is None:
            QTimer.singleShot(SETTLE_MS, type_now)
        else:
            poll.start()

    def check() -> None:
        waited = now_ms() - shown - out.login_painted_ms
        if preloader.finished or waited > PRELOAD_LIMIT_MS:
            poll.stop()
            out.extra["preload_ms"] = waited if preloader.finished else None
            QTimer.singleShot(1000, type_now)

    def type_now() -> None:
        out.login_stall_ms = monitor.stop()
        _type_credentials(dialog, username, password, out)

    poll.timeout.connect(check)
    PaintWatch(dialog, on_paint=painted)
    if dialog.exec() != dialog.DialogCode.Accepted or dialog.actor is None:
        raise RuntimeError("the sign-in window was not accepted")
    return dialog


def sign_in(
    app: AppContext, username: str = "clinician", password: str = "demo", *, again: bool = False
) -> tuple[MainWindow, SignIn]:
    """Sign in through the sign-in window as a person does, then show the main window as
    run_gui does; the window once its board is painted and the event loop idle after."""
    from kapdesk.ui.change_password import require_new_password
    from kapdesk.ui.run import install_form_guards, open_main_window

    qapp = real_qapp()
    out = SignIn()
    dialog = _login(app, username, password, again, out)
    # what _signed_in_session does after the dialog is accepted
    actor = require_new_password(app, dialog.actor)
    if actor is None:
        raise RuntimeError("a new password was asked for")
    app.actor = actor
    install_form_guards(qapp)
    window = open_main_window(app)
    if not window.today.table.isVisible():  # e.g. one running session: its page is shown
        raise RuntimeError("the main window opened without the Today board's table showing")
    watch = PaintWatch(window.today.table.viewport())
    run_until(lambda: watch.done, 60_000, "Today board painted")
    accepted = out.extra.pop("accepted_at")
    out.painted_ms = (watch.painted_ms or 0.0) - accepted
    out.accepts_input_ms = (watch.idle_ms or 0.0) - accepted
    out.rows = window.today.model.rowCount()
    out.extra["dialog"] = dialog  # run_gui keeps it until the session ends
    return window, out


def sign_out(window: MainWindow) -> None:
    """Sign out as after a restore: the window closes with nobody signed in and is deleted
    as run_gui deletes it."""
    import shiboken6

    window.sign_out()
    real_qapp().processEvents()
    shiboken6.delete(window)
    real_qapp().processEvents()


def close_window(window: MainWindow) -> None:
    """Close and delete the main window as run_gui does when its loop ends."""
    import shiboken6

    window.close()
    shiboken6.delete(window)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
