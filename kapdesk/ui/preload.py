"""What signing in, the main window and the first chart need, loaded while the sign-in
window waits for the password, without freezing that window (issue 13: never more than
50 ms after it paints).

The work is split in two, and the two halves do not overlap:

* first a worker thread imports what does not touch Qt: the log file's modules
  (``logging.handlers``, platformdirs; the log file itself is opened on the GUI thread as
  soon as they are in), SQLAlchemy's ORM, the models, argon2, the services the pages use,
  numpy, reportlab and the PDF code; it parses the clinic's protocols and warms the Today
  board (``warm_protocols``, ``warm_board``: their own session; the engine's pool is
  thread-safe), lists the Qt types, reads the import order of the kapdesk.ui modules
  (from their source, or their code objects in a frozen build: kapdesk.ui.preload_order),
  and compiles pyqtgraph's package ``__init__`` statement by statement when its source is
  at hand. Meanwhile the GUI thread only polls (a few microseconds a turn): a GUI step
  sharing the GIL with the worker took two to four times its own CPU time (the GIL
  changes hands every 1 ms, and a loaded machine deschedules the holder), which made the
  sign-in window's longest stalls (form guards, log file and Qt-type slices run beside
  the worker's imports: 30-50 ms each on two loaded cores). Each part that fails is
  logged once (and noted in ``Preloader.errors``); the others still run.
* then the GUI thread runs everything that creates Qt types, one short step per
  event-loop turn (a 0-ms QTimer chain). PySide6 creates the Python type of a Qt class
  lazily, on its first use, and changes shiboken's type map without a lock while doing so
  (a re-entrant creation crashes: TimeLineAnnotator/desktop#586), so that never runs on
  two threads at once: the Qt types pyqtgraph copies (every name of QtCore, QtGui and
  QtWidgets, ~100 ms) in slices of ~4 ms; each kapdesk.ui module on its own turn, leaves
  first (without an import order: each of UI_ROOTS on its own turn); the form guards
  (their module imported on a turn of its own before); pyqtgraph's ``__init__`` one
  import statement per turn (in one go, ~90-110 ms, only if its source is missing;
  build.spec ships it). A GUI step that fails is logged and dropped; the next one runs.

Signing in before all that is done calls :meth:`Preloader.finish`: it waits for the
worker and runs the remaining steps at once (the person sees the wait cursor of the
password check meanwhile). :func:`preload_now` does everything at once (benchmarks).
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import logging
import sys
import threading
import time
from collections.abc import Callable
from types import CodeType, ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kapdesk.ui import switch_interval
from kapdesk.ui.preload_order import import_order, pyqtgraph_statements

__all__ = ["UI_ROOTS", "Preloader", "import_order", "preload_now", "pyqtgraph_statements"]

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext

_log = logging.getLogger(__name__)

# A time-sliced step yields to the event loop after this long. One Qt type alone can take
# ~11 ms (QStyle and its enums), so a slice may last up to ~15 ms of CPU.
SLICE_S = 0.004
# While the worker runs, the GUI thread waiting for the GIL gets it within ~1 ms of
# Python bytecode instead of the default 5 ms (ui/switch_interval.py; restored when done).
AGAIN_MS = 3  # then the next turn of a sliced or waiting step, after the worker had its go

# The modules the signed-in app builds its windows from: their kapdesk.ui imports are
# imported on the GUI thread (leaves first), everything else they import in the worker.
UI_ROOTS = (
    "kapdesk.ui.widgets.no_wheel",  # the form guards' module, so installing them is short
    "kapdesk.ui.handover",
    "kapdesk.ui.help_menu",
    "kapdesk.ui.main_window",
    "kapdesk.ui.patient_chart",
    "kapdesk.ui.widgets.bp_chart",
    "kapdesk.ui.widgets.outcome_chart",
    "kapdesk.ui.change_password",
    "kapdesk.ui.preferences",
    "kapdesk.ui.sign_in_language",
    "kapdesk.ui.printing",
    "kapdesk.ui.print_preview",
)
# What the log file needs (kapdesk.logs imports them inside its functions): imported first by
# the worker, so the GUI thread only opens the file (~15-30 ms of imports otherwise).
LOGGING_IMPORTS = ("logging.handlers", "platformdirs", "kapdesk.paths", "kapdesk.logs")
# Imported inside functions of those modules (so not found in their module-level imports).
WORKER_EXTRA = (
    "kapdesk.services.users",
    "kapdesk.services.settings",
    "kapdesk.services.reports",
    "kapdesk.services.remote_changes",  # by the first write's commit (services.changes)
    "kapdesk.reports.pdf",
    "kapdesk.reports.render_session",  # reportlab
    "kapdesk.reports.render_course",
    "numpy",
    "xml.etree.ElementTree",  # pyqtgraph's imports that are not Qt
    "colorsys",
    "decimal",
    "subprocess",
    "multiprocessing.connection",
    "pickle",
    "socket",
    "inspect",
    "pydoc",  # pyqtgraph.parametertree (~8-20 ms on the GUI thread otherwise)
    "pkgutil",
    "cProfile",
    "colorama",
    "mmap",
    "numpy.typing",
    "kapdesk.domain.timetext",
    "kapdesk.domain.backup_retention",
)
QT_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph")
QT_TYPE_MODULES = ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets")
# Qt modules pyqtgraph imports, each on a turn of its own before its pieces (QtOpenGL's
# extension module alone took ~8 ms of pyqtgraph's longest piece, ColorBarItem's).
PYQTGRAPH_QT = ("PySide6.QtOpenGL", "PySide6.QtSvg", "PySide6.QtOpenGLWidgets", "PySide6.QtTest")

# ------------------------------------------------------------------ the worker's imports


def _import_in_worker(name: str) -> None:
    """Import ``name`` unless it is Qt's (GUI thread only) or not a module at all (a name
    imported from a module: its module came just before it in the list)."""
    if name.split(".")[0] in QT_PACKAGES or name in sys.modules:
        return
    parent, _, leaf = name.rpartition(".")
    owner = sys.modules.get(parent) if parent else None
    if owner is not None:
        if not hasattr(owner, "__path__"):
            return  # a name defined in a plain module
        attr = getattr(owner, leaf, None)
        if attr is not None and not isinstance(attr, ModuleType):
            return  # a name defined in a package's __init__
    try:
        importlib.import_module(name)
    except ImportError as exc:  # no module, or an optional one this build lacks
        _log.debug("not preloaded: %s (%s)", name, exc)


# ------------------------------------------------------------------ pyqtgraph, sliced


class _SlicedImport:
    """Runs a package's ``__init__`` piece by piece, as the import system would in one go:
    the module is in ``sys.modules`` (marked initialising) from the first piece on, and
    taken out again if a piece fails (the chart then imports it the ordinary way)."""

    def __init__(self, name: str, pieces: list[CodeType]) -> None:
        self.name, self.pieces = name, list(pieces)
        self.module: ModuleType | None = None
        self.failed = False

    def steps(self) -> list[Callable[[], None]]:
        return [self._begin, *[self._runner(i) for i in range(len(self.pieces))], self._end]

    def _begin(self) -> None:
        spec = importlib.util.find_spec(self.name)
        if spec is None or self.name in sys.modules:
            self.failed = True
            return
        module = importlib.util.module_from_spec(spec)
        spec._initializing = True  # type: ignore[attr-defined]
        sys.modules[self.name] = module
        self.module = module

    def _runner(self, index: int) -> Callable[[], None]:
        def run() -> None:
            if self.failed or self.module is None:
                return
            try:
                exec(self.pieces[index], self.module.__dict__)
            except Exception as exc:
                self.failed = True
                sys.modules.pop(self.name, None)
                _log.warning("preloading %s failed (imported when needed): %s", self.name, exc)

        return run

    def abandon(self) -> None:
        """Not to be finished (the login window closed): no half-run package stays."""
        module = self.module
        spec = module.__spec__ if module is not None else None
        if sys.modules.get(self.name) is module and getattr(spec, "_initializing", False):
            sys.modules.pop(self.name, None)
        self.failed = True

    def _end(self) -> None:
        if self.module is not None and self.module.__spec__ is not None:
            self.module.__spec__._initializing = False  # type: ignore[attr-defined]
        if self.module is not None and not self.failed:
            parent = self.name.rpartition(".")[0]
            if parent:
                setattr(sys.modules[parent], self.name.rpartition(".")[2], self.module)


# ------------------------------------------------------------------ the preloader


class Preloader(QObject):
    """See the module doc. ``start()`` after the sign-in window's first paint."""

    done = Signal()

    def __init__(self, app: AppContext | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.steps: list[Callable[[], object]] = []
        self.ran: list[str] = []  # the steps run, by name (tests)
        self.turns = 0  # event-loop turns taken (tests)
        self.finished = False
        self._worker: threading.Thread | None = None
        # Set by the worker once the log file's modules are imported (or it gave up on them).
        self._logging_ready = threading.Event()
        self.errors: list[str] = []  # what failed, one line a part or step (logged too)
        # The kapdesk.ui modules to import on the GUI thread, leaves first; the roots
        # themselves unless their import order could be read.
        self._ui_modules: list[str] = list(UI_ROOTS)
        self._outside: list[str] = []
        self._pyqtgraph: list[CodeType] | None = None
        self._type_names: list[tuple[ModuleType, str]] = []
        self._collector_paused: bool | None = None
        self._stopping = False
        self._sliced: _SlicedImport | None = None
        # Held while a GUI step runs: the worker waits for it before each import, so a
        # step does not share the GIL with the worker (its wall time would double, more
        # on a busy machine) beyond the import the worker is in already.
        self._gui_step = threading.Lock()
        self._switch_interval = False  # holding the shared short GIL interval

    # -------------------------------------------------------------- driving
    def start(self) -> None:
        self._pause_collector()
        self._worker = threading.Thread(target=self._work, name="kapdesk-preload", daemon=True)
        self._worker.start()
        self.steps = self._first_steps()
        QTimer.singleShot(0, self._next)

    def finish(self) -> None:
        """Everything left, now (the person signed in before the preload was done)."""
        if self.finished:
            return
        self._pause_collector()
        if self._worker is None:
            self._work()
            self.steps = self._first_steps()
        else:
            self._worker.join()
        while self.steps:
            step = self.steps[0]
            if not self._run_step(step):  # True: a sliced step that wants another turn
                self.steps.pop(0)
        self._done()

    def stop(self) -> None:
        """The login window closed: the worker stops after its current import (the
        database must not be closed under it) and no further step runs."""
        self._stopping = True
        if self._worker is not None:
            self._worker.join()
        if not self.finished:
            self.steps = []
            if self._sliced is not None:
                self._sliced.abandon()
            self._done()

    def _first_steps(self) -> list[Callable[[], object]]:
        """The log file once its modules are in; then, once the worker is done, the Qt steps
        (``_after_worker`` puts them in the list): no Qt step runs beside the worker."""
        return [self._logging, self._after_worker]

    def _next(self) -> None:
        if self.finished or not self.steps:
            return
        self.turns += 1
        step = self.steps[0]
        with self._gui_step:
            again = self._run_step(step)
        if not again:
            self.steps.pop(0)
        if self.steps:
            # A step that waits or was sliced leaves the worker a few ms of the GIL.
            QTimer.singleShot(AGAIN_MS if again else 0, self._next)
        else:
            self._done()

    def _run_step(self, step: Callable[[], object]) -> bool:
        """Runs one GUI step; True if it wants another turn. A step that fails is logged
        and dropped: the steps after it still run, and the preload still finishes."""
        try:
            return step() is True
        except Exception as exc:
            name = getattr(step, "__name__", repr(step))
            self.errors.append(f"{name}: {exc!r}")
            _log.warning("preloading: step %s failed (done when needed): %r", name, exc)
            return False

    def _pause_collector(self) -> None:
        """No full garbage collection while the imports run: one walks every object of
        the process holding the GIL (~60-120 ms here, a frozen sign-in window). What the
        imports make lives as long as the process; it is frozen at the end (as run_gui
        freezes what start-up imported) and collection resumes. The GIL changes hands
        every 1 ms meanwhile (ui/switch_interval.py)."""
        if self._collector_paused is None:
            self._collector_paused = gc.isenabled()
            gc.disable()
            switch_interval.begin()
            self._switch_interval = True

    def _done(self) -> None:
        if not self.finished:
            self.finished = True
            if self._collector_paused:
                gc.freeze()
                gc.enable()
            if self._switch_interval:
                self._switch_interval = False
                switch_interval.end()
            self.done.emit()

    # -------------------------------------------------------------- the worker
    def _after_gui_step(self) -> None:
        """In the worker, before each piece of work: wait while a GUI step runs."""
        with self._gui_step:
            pass

    def _warm(self, app: AppContext) -> None:
        """The protocols parsed, the Today board's SQL compiled and its pages read, the
        chart's SQL compiled, and a reading's (nothing written; a failure here is the board's
        or the chart's to report when it runs; the preload goes on)."""
        from kapdesk.services.board import warm_board
        from kapdesk.services.chart_reads import warm_chart
        from kapdesk.services.protocol_store import warm_protocols
        from kapdesk.services.vitals_warm import warm_vitals

        for warm in (warm_protocols, warm_board, warm_chart, warm_vitals):
            self._after_gui_step()
            try:
                warm(app.ctx)
            except Exception as exc:
                self.errors.append(f"{warm.__name__}: {exc!r}")
                _log.warning("preloading: %s failed: %r", warm.__name__, exc)

    def _part(self, what: str, action: Callable[[], None]) -> None:
        """One part of the worker's job: a failure is logged once and the rest goes on
        (what it would have loaded is then loaded when needed, as without a preload)."""
        self._after_gui_step()
        if self._stopping:
            return
        try:
            action()
        except Exception as exc:
            self.errors.append(f"{what}: {exc!r}")
            _log.warning("preloading: %s failed (done when needed): %r", what, exc)

    def _list_qt_types(self) -> None:
        self._type_names = [
            (module, name)
            for module in map(importlib.import_module, QT_TYPE_MODULES)
            for name in dir(module)
            if not name.startswith("_")
        ]

    def _read_import_order(self) -> None:
        self._ui_modules, self._outside = import_order(UI_ROOTS, "kapdesk.ui", self._after_gui_step)

    def _import_outside(self) -> None:
        for name in [*self._outside, *WORKER_EXTRA]:
            self._after_gui_step()
            if self._stopping:
                return
            _import_in_worker(name)

    def _read_pyqtgraph(self) -> None:
        self._pyqtgraph = pyqtgraph_statements()

    def _import_for_logging(self) -> None:
        try:
            for name in LOGGING_IMPORTS:
                _import_in_worker(name)
        finally:
            self._logging_ready.set()

    def _work(self) -> None:
        try:
            self._part("importing for the log file", self._import_for_logging)
            self._logging_ready.set()  # also when stopping skipped the part
            self._part("listing the Qt types", self._list_qt_types)
            self._part("reading the import order", self._read_import_order)
            self._part("importing", self._import_outside)
            if self.app is not None and not self._stopping:
                self._warm(self.app)
            self._part("reading pyqtgraph", self._read_pyqtgraph)
        finally:
            self.ran.append("worker")

    # -------------------------------------------------------------- GUI steps
    def _form_guards(self) -> None:
        from PySide6.QtWidgets import QApplication

        from kapdesk.ui.run import install_form_guards

        qapp = QApplication.instance()
        if isinstance(qapp, QApplication):
            install_form_guards(qapp)
        self.ran.append("form guards")

    def _logging(self) -> bool | None:
        worker = self._worker
        if worker is not None and worker.is_alive() and not self._logging_ready.is_set():
            return True  # the worker imports what the log file needs; next turn
        from kapdesk.logs import current_log_path, start_logging  # imported by run_gui

        if current_log_path() is None:
            start_logging()  # the log file, once the login window is on screen
        self.ran.append("logging")
        return None

    def _qt_types(self) -> bool | None:
        """The lazily created Qt types, a slice at a time (pyqtgraph touches them all)."""
        if self._worker is not None and self._worker.is_alive() and not self._type_names:
            return True  # the worker lists them; try again next turn
        until = time.perf_counter() + SLICE_S
        while self._type_names and time.perf_counter() < until:
            module, name = self._type_names.pop()
            getattr(module, name, None)
        if self._type_names:
            return True
        self.ran.append("qt types")
        return None

    def _after_worker(self) -> bool | None:
        if self._worker is not None and self._worker.is_alive():
            return True  # polled each turn; the GUI thread stays free meanwhile
        later: list[Callable[[], object]] = [self._qt_types]
        later += [self._ui_import(n) for n in self._ui_modules]
        later += [self._form_guards, *[self._ui_import(n) for n in PYQTGRAPH_QT]]
        if self._pyqtgraph is not None:
            self._sliced = _SlicedImport("pyqtgraph", self._pyqtgraph)
            later += self._sliced.steps()
        else:  # no source to cut it by (a frozen build): in one step
            later.append(self._ui_import("pyqtgraph", noted="pyqtgraph in one step"))
        later.append(lambda: self.ran.append("pyqtgraph"))
        self.steps[1:1] = later
        return None

    def _ui_import(self, name: str, noted: str | None = None) -> Callable[[], None]:
        def run() -> None:
            try:
                importlib.import_module(name)
            except ImportError as exc:  # an optional Qt module missing from this build
                _log.info("not preloaded: %s (%s)", name, exc)
            except Exception as exc:  # a broken module: its screen reports it when opened
                self.errors.append(f"importing {name}: {exc!r}")
                _log.warning("preloading: importing %s failed: %r", name, exc)
            self.ran.append(noted or name)

        return run


def preload_now(app: AppContext | None = None) -> Preloader:
    """Everything at once, on this thread (benchmarks; tests)."""
    loader = Preloader(app)
    loader.finish()
    return loader
