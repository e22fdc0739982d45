"""The demo clinic at start-up (``kapdesk --demo``): made on first use, offered a rebuild
around today when its day is past, built off the GUI thread behind a progress window.

Decisions a caller must know:

* :func:`ensure_demo_clinic` is called by :mod:`kapdesk.ui.run` before the app opens the
  file. The build runs on a worker thread (:class:`_BuildThread`) that opens, writes and
  closes its own database on the file (no SQLite connection crosses threads) and has
  closed it before this returns; meanwhile :class:`DemoBuildWindow` shows the builder's
  steps ("Creating patients 5 of 12 and sessions 20 of 70") and the event loop keeps
  running, so the window paints and moves under a window manager.
* The demo's day is read from the file (:func:`kapdesk.demo.rebuild.read_demo`); when it
  is before today (``clock``), :func:`ask_rebuild` asks "Keep / Rebuild", naming where the
  current demo is kept (``<name>.before-reset<suffix>``). Keep is the default button and
  Esc, always: a rebuild replaces whatever was tried in the demo (kept only in that one
  copy, itself replaced by the next rebuild), so it takes a deliberate click or Alt+R,
  never a reflex Enter. Rebuild does what ``kapdesk demo --reset`` does
  (:func:`kapdesk.demo.rebuild.rebuild_demo_file`): the old demo stays untouched until
  the new one is complete.
* A demo someone started using for real (accounts or patients added since the build, the
  rule in :mod:`kapdesk.demo.rebuild`) is never offered a rebuild:
  :func:`tell_not_rebuilt` says what was added and offers only Keep.
* A failed build raises a KapdeskError with a plain sentence (the run shows it in a
  message box); an unexpected error is logged first. Never a traceback on screen.
* This module is imported only on the ``--demo`` path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QThread, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QVBoxLayout, QWidget

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.domain.errors import KapdeskError
from kapdesk.ui.titles import window_title
from kapdesk.ui.words import QT_TRANSLATE_NOOP, long_day

if TYPE_CHECKING:
    from kapdesk.demo.output import BuildProgress
    from kapdesk.demo.rebuild import DemoFile

T = TypeVar("T")
DEMO_PATIENTS = 12
DEMO_SEED = 1
CREATING = QT_TRANSLATE_NOOP(
    "DemoBuildWindow", "Creating the demo clinic (first use only; it takes less than a minute)…"
)
REBUILDING = QT_TRANSLATE_NOOP(
    "DemoBuildWindow", "Rebuilding the demo clinic around today (it takes less than a minute)…"
)


def title() -> str:
    """'Demo clinic – kapdesk', in the active language."""
    return window_title(QCoreApplication.translate("DemoBuildWindow", "Demo clinic"))


def long_date(day: date) -> str:
    return long_day(day, f"{day:%A} {day.day} {day:%B %Y}")


class DemoBuildWindow(QWidget):
    """A small window with the build's heading, a progress bar and the current step."""

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(title())
        self.building = True
        self.heading = QLabel(self.tr(heading))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the builder knows how much there is to do
        self.bar.setTextVisible(True)
        self.step = QLabel(self.tr("Starting…"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        for widget in (self.heading, self.bar, self.step):
            layout.addWidget(widget)
        self.setMinimumWidth(max(460, self.heading.sizeHint().width() + 48))
        self.adjustSize()
        self.setCursor(Qt.CursorShape.BusyCursor)

    def centre_on_screen(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            self.move(screen.availableGeometry().center() - self.rect().center())

    def show_step(self, done: int, total: int, words: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        self.step.setText(words)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.building:  # the build cannot stop half-way; it finishes in seconds
            event.ignore()
            return
        super().closeEvent(event)


class _BuildThread(QThread, Generic[T]):
    """Runs ``work(progress)`` off the GUI thread; its steps arrive as queued signals."""

    progressed = Signal(int, int, str)

    def __init__(self, work: Callable[[BuildProgress], T]) -> None:
        super().__init__()
        self.work = work
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work(self.progressed.emit)
        except Exception as exc:  # handed to the GUI thread, shown there
            self.error = exc


def run_with_progress(work: Callable[[BuildProgress], T], heading: str) -> T:
    """``work(progress)`` on a worker thread while :class:`DemoBuildWindow` shows its steps;
    its result, or its exception raised here on the GUI thread once it has finished."""
    window = DemoBuildWindow(heading)
    window.centre_on_screen()
    window.show()
    thread: _BuildThread[T] = _BuildThread(work)
    thread.progressed.connect(window.show_step)  # queued: emitted on the worker thread
    loop = QEventLoop()
    thread.finished.connect(loop.quit)
    thread.start()
    loop.exec()  # the window paints, timers tick, the build runs
    thread.wait()
    window.building = False
    window.close()
    window.deleteLater()
    if thread.error is not None:
        raise thread.error
    return thread.result  # type: ignore[return-value]  # set when no error was raised


def ask_rebuild(day: date, kept_as: Path, parent: QWidget | None = None) -> bool:
    """Rebuild (True) or Keep (the default and Esc) the demo clinic made for ``day``."""
    translate = QCoreApplication.translate
    box = QMessageBox(QMessageBox.Icon.Question, title(), "", parent=parent)
    text = translate(
        "DemoBuildWindow", "The demo clinic was made for {day}. Rebuild it around today?"
    )
    box.setText(text.format(day=long_date(day)))
    more = translate(
        "DemoBuildWindow",
        "Rebuilding replaces the demo's patients and sessions with new ones around today; "
        "it takes less than a minute and keeps the current one as {file} (replacing "
        "any earlier copy there). Keep opens it as it is.",
    )
    box.setInformativeText(more.format(file=kept_as))
    rebuild = box.addButton(
        translate("DemoBuildWindow", "&Rebuild"), QMessageBox.ButtonRole.AcceptRole
    )
    keep = box.addButton(translate("DemoBuildWindow", "&Keep"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is rebuild


def tell_not_rebuilt(demo: DemoFile, parent: QWidget | None = None) -> None:
    """Why the demo clinic is not offered a rebuild (someone added accounts or patients);
    the only answer is Keep."""
    translate = QCoreApplication.translate
    box = QMessageBox(QMessageBox.Icon.Information, title(), "", parent=parent)
    text = translate(
        "DemoBuildWindow",
        "The demo clinic was made for {day} and has {added} added since then, "
        "so it is not rebuilt around today.",
    )
    box.setText(text.format(day=long_date(demo.day), added=demo.added_since_built()))
    more = translate(
        "DemoBuildWindow",
        "It looks like real use of {file}. Keep opens it as it is. Copy what you need, "
        "or make a new demo clinic in another file with kapdesk demo --db NEWPATH.",
    )
    box.setInformativeText(more.format(file=demo.path))
    keep = box.addButton(translate("DemoBuildWindow", "&Keep"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()


def ensure_demo_clinic(
    path: Path,
    key: str | None = None,
    *,
    clock: Clock | None = None,
    patients: int = DEMO_PATIENTS,
) -> None:
    """A demo clinic at ``path`` around today: made if missing, rebuilt if its day is past
    and the person chose Rebuild. KapdeskError (a plain sentence) if that fails."""
    from kapdesk.demo import rebuild

    path = Path(path)
    now = (clock or SystemClock()).now().astimezone()
    build = _small_demo(now, key, patients, shown_as=path)
    if not path.exists():
        _build(lambda progress: rebuild.create_demo_file(path, build(progress)), CREATING)
        return
    try:
        old = rebuild.read_demo(path, key)
    except KapdeskError:  # not a demo (or unreadable): opened as it is, the open says why
        return
    if old.day >= now.date():
        return
    if old.real_use_refusal() is not None:
        tell_not_rebuilt(old)
        return
    if not ask_rebuild(old.day, rebuild.kept_path(path)):
        return
    _build(
        lambda progress: rebuild.rebuild_demo_file(path, build(progress), key=key),
        REBUILDING,
    )


def _small_demo(
    now: datetime, key: str | None, patients: int, shown_as: Path
) -> Callable[[BuildProgress], Callable[[Path], str]]:
    """The app's demo (seed 1) ending at ``now``, written to a new file with progress."""

    def with_progress(progress: BuildProgress) -> Callable[[Path], str]:
        def write(target: Path) -> str:
            progress(
                0, 0, QCoreApplication.translate("DemoBuildWindow", "Loading the demo generator")
            )
            from kapdesk.demo.small import build_demo_clinic

            return build_demo_clinic(
                target,
                seed=DEMO_SEED,
                patients=patients,
                today=now.date(),
                end_time=now.time().replace(second=0, microsecond=0, tzinfo=None),
                key=key,
                progress=progress,
                shown_as=shown_as,
            )

        return write

    return with_progress


def _build(work: Callable[[BuildProgress], object], heading: str) -> None:
    try:
        run_with_progress(work, heading)
    except KapdeskError:
        raise
    except Exception as exc:
        from kapdesk.logs import log_unexpected

        log_unexpected(exc, "building the demo clinic")
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        text = (
            QCoreApplication.translate(
                "DemoBuildWindow",
                "The demo clinic could not be created: {why}. Any earlier demo clinic was "
                "left as it was; details are in the log.",
            )
            if heading == CREATING
            else QCoreApplication.translate(
                "DemoBuildWindow",
                "The demo clinic could not be rebuilt: {why}. Any earlier demo clinic was "
                "left as it was; details are in the log.",
            )
        )
        raise KapdeskError(text.format(why=why)) from exc
