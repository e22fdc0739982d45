"""How the sign-in preload is cut up so the login window never waits long for it: the
worker thread's imports do not run beside a GUI step (a step sharing the GIL with them
took two to four times its own time), every GUI step has an event-loop turn of its own,
and what the first GUI steps need but does not touch Qt is imported by the worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kapdesk.ui import preload
from kapdesk.ui.preload import Preloader

from .test_preload import _drive


@pytest.fixture
def waited(db_path: Path) -> dict[str, object]:
    """A fresh process whose sign-in window waits until the preload is done."""
    return _drive(db_path, "wait")


def test_no_qt_step_runs_until_the_worker_is_done(waited: dict[str, object]) -> None:
    ran = waited["ran"]
    assert isinstance(ran, list)
    worker_done = ran.index("worker")
    qt_steps = ["qt types", "form guards", "pyqtgraph"]
    qt_steps += [name for name in ran if str(name).startswith("kapdesk.ui")]
    assert len(qt_steps) > 20
    for step in qt_steps:
        assert ran.index(step) > worker_done, step
    assert "logging" in ran  # the log file is opened meanwhile (it creates no Qt type)


def test_every_gui_step_has_an_event_loop_turn_of_its_own(waited: dict[str, object]) -> None:
    ran = waited["ran"]
    turns = waited["turns"]
    assert isinstance(ran, list)
    assert isinstance(turns, int)
    # each entry but the worker's is a step run on its own turn; sliced steps and
    # pyqtgraph's pieces (not named in ``ran``) take more
    assert len(ran) > 40
    assert turns >= len(ran) - 1 + 20


def test_what_the_first_gui_steps_need_is_imported_by_the_worker(
    waited: dict[str, object],
) -> None:
    where = waited["imported_on"]
    ran = waited["ran"]
    assert isinstance(where, dict)
    assert isinstance(ran, list)
    for module in (*preload.LOGGING_IMPORTS, "pydoc"):  # pydoc: pyqtgraph's parametertree
        assert where[module] == "worker", module
    # The Qt modules pyqtgraph needs (QtOpenGL's extension module: ~8 ms) have turns of
    # their own before its pieces.
    for module in preload.PYQTGRAPH_QT:
        assert where[module] == "gui", module
        assert ran.index(module) < ran.index("pyqtgraph"), module
    # The form guards' module is imported on a turn of its own, before they are installed.
    assert where["kapdesk.ui.widgets.no_wheel"] == "gui"
    assert ran.index("kapdesk.ui.widgets.no_wheel") < ran.index("form guards")


@pytest.fixture
def busy_worker() -> Iterator[threading.Event]:
    """A stand-in worker thread that runs until the event is set."""
    release = threading.Event()
    yield release
    release.set()


def test_the_log_file_waits_for_its_imports_and_the_qt_steps_for_the_worker(
    busy_worker: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []
    monkeypatch.setattr("kapdesk.logs.current_log_path", lambda: None)
    monkeypatch.setattr("kapdesk.logs.start_logging", lambda: opened.append(True))
    loader = Preloader()
    loader._worker = threading.Thread(target=busy_worker.wait, daemon=True)
    loader._worker.start()
    loader.steps = loader._first_steps()
    assert loader.steps == [loader._logging, loader._after_worker]

    assert loader._logging() is True  # asks for another turn: its modules are not in yet
    assert opened == []
    loader._logging_ready.set()
    assert loader._logging() is None
    assert opened == [True]

    assert loader._after_worker() is True  # the worker still runs: nothing Qt is queued
    assert loader.steps == [loader._logging, loader._after_worker]
    busy_worker.set()
    loader._worker.join()
    loader._ui_modules = ["kapdesk.ui.widgets.no_wheel"]
    loader.steps = [loader._after_worker]
    assert loader._after_worker() is None
    queued = loader.steps[1:]
    assert queued[0] == loader._qt_types  # the Qt types first, then the modules
    assert queued.index(loader._form_guards) == 2
