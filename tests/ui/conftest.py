"""Fixtures for GUI tests: a real database in tmp_path on a FakeClock, one user per role.

The users come from the services' session-wide template database (argon2
hashing is slow), copied for each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from services.conftest import PASSWORD, T0, insert_patient_and_course, table_counts
from services.conftest import server_clinic as server_clinic  # re-exported fixture
from services.conftest import template_db as template_db  # re-exported fixture
from services.sessionkit import Kit

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor
from kapdesk.services.screen_dtos import BoardRow
from kapdesk.services.users import UserService, actor_of
from kapdesk.ui.app_context import AppContext, build_app_context
from kapdesk.ui.session import SessionWorkspace

if TYPE_CHECKING:
    from kapdesk.ui.main_window import MainWindow
    from kapdesk.ui.today_board import TodayBoard

__all__ = ["PASSWORD", "T0", "insert_patient_and_course", "table_counts"]

Query = frozenset[int] | None  # the sessions a board query asked for; None: the whole board


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture(autouse=True)
def no_window_outlives_its_test(qapp: QApplication) -> Iterator[None]:
    """The windows a test made are deleted when it ends. pytest-qt only closes them, and a
    closed main window lives on (its menus, charts, timers: ~2,000 top-level widgets by the
    end of tests/ui), so every later ``topLevelWidgets()`` wrapped them all again, and a
    window walk crashed inside that call once in a full run. Only windows made in Python
    are deleted: Qt's own (a tooltip, a completer's popup) are owned by objects that delete
    them themselves."""
    before = {window_address(w) for w in QApplication.topLevelWidgets()}
    yield
    for widget in QApplication.topLevelWidgets():
        made_here = window_address(widget) not in before and widget.parent() is None
        if made_here and shiboken6.createdByPython(widget):
            widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def window_address(widget: QWidget) -> int:
    """A window's C++ address: its name while it lives (a wrapper's ``id`` is not: a
    wrapper made for Qt's own window is freed after use and the next may get another)."""
    return int(shiboken6.getCppPointer(widget)[0])


@pytest.fixture(autouse=True)
def discard_asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """'Discard the unsaved ...?' is answered Discard and remembered here (a modal question
    would wait forever offscreen); a test about the question patches ``ask`` itself."""
    from kapdesk.ui.discard_guard import DiscardQuestion

    asked: list[str] = []

    def discard(_cls: type, _parent: object, thing: str) -> bool:
        asked.append(thing)
        return True

    monkeypatch.setattr(DiscardQuestion, "ask", classmethod(discard))
    return asked


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The discard question is answered 'Keep editing' until ``answer.append('discard')``;
    the things it asked about are listed (test_edit_conflict.py's ``answer`` is another)."""
    from kapdesk.ui.discard_guard import DiscardQuestion

    asked: list[str] = []

    def ask(_cls: type, _parent: object, thing: str) -> bool:
        asked.append(thing)
        return asked.count("discard") > 0

    monkeypatch.setattr(DiscardQuestion, "ask", classmethod(ask))
    return asked


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def app(db_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    """Users exist; nobody is signed in yet."""
    context = build_app_context(db_path, demo=False, clock=clock)
    yield context
    context.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def stations(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[list[AppContext]]:
    """Two workstations' contexts on one clinic: a file, or the test server's database
    (skipped, saying why, without a server)."""
    if request.param == "sqlite":
        where = request.getfixturevalue("db_path")
    else:
        from tests.pg_support import pg_skip_reason

        reason = pg_skip_reason()
        if reason is not None:
            pytest.skip(reason)
        clinic = request.getfixturevalue("server_clinic")
        clinic.reset()
        where = clinic.server
    made = [AppContext(build_context(where, clock=clock, create=False)) for _ in range(2)]
    yield made
    for context in made:
        context.close()


@pytest.fixture
def empty_app(tmp_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    """A brand-new database without any user."""
    context = build_app_context(tmp_path / "new.sqlite", demo=False, clock=clock)
    yield context
    context.close()


def actor_for(app: AppContext, role: Role) -> Actor:
    for info in UserService(app.ctx).list_users():
        if info.role is role:
            return actor_of(info)
    raise AssertionError(f"no {role} in the database")


@pytest.fixture
def nurse(app: AppContext) -> Actor:
    return actor_for(app, Role.NURSE)


@pytest.fixture
def clinician(app: AppContext) -> Actor:
    return actor_for(app, Role.CLINICIAN)


@pytest.fixture
def admin(app: AppContext) -> Actor:
    return actor_for(app, Role.ADMIN)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    """Session steps through the services, with the nurse signed in to the app."""
    app.actor = nurse
    return Kit(app.ctx, clock, nurse)


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[Query]:
    """Every board query this process runs (the whole board, or some sessions' rows)."""
    seen: list[Query] = []
    original = BoardService.today_board

    def counting(self: BoardService, *args: object, **kw: object) -> list[BoardRow]:
        only = kw.get("only")
        seen.append(frozenset(only) if isinstance(only, Collection) and only else None)
        return original(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(BoardService, "today_board", counting)
    return seen


@pytest.fixture
def board(qtbot: QtBot, app: AppContext, kit: Kit) -> Iterator[TodayBoard]:
    """The Today board at 1100 x 500, the nurse signed in, its timer stopped: the tests tick
    it by hand after moving the fake clock."""
    from kapdesk.ui.today_board import TodayBoard

    widget = TodayBoard(app)
    widget.stop()
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.stop()


@pytest.fixture
def ws_size() -> tuple[int, int]:
    """The size open_ws shows a workspace at (a test module may override it)."""
    return (1280, 900)


@pytest.fixture
def open_ws(
    qtbot: QtBot, app: AppContext, ws_size: tuple[int, int]
) -> Iterator[Callable[[int], SessionWorkspace]]:
    """Opens a session's workspace, shown at a workstation's size; stopped afterwards."""
    made: list[SessionWorkspace] = []

    def make(session_id: int) -> SessionWorkspace:
        ws = SessionWorkspace(app, session_id)
        qtbot.addWidget(ws)
        ws.resize(*ws_size)
        ws.show()
        qtbot.waitExposed(ws)
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.stop()


@pytest.fixture
def window(qtbot: QtBot, app: AppContext, nurse: Actor) -> Iterator[MainWindow]:
    """The main window signed in as the nurse, shown, its timers stopped (a test file with
    a window of its own overrides this)."""
    app.actor = nurse
    w = show_main_window(qtbot, app, activate=True)
    yield w
    w.close()


def show_main_window(qtbot: QtBot, app: AppContext, *, activate: bool = False) -> MainWindow:
    """The main window of whoever is signed in to ``app``, shown, its board and alert timers
    stopped (a test ticks them by hand); with ``activate`` the active window too."""
    from kapdesk.ui.main_window import MainWindow

    w = MainWindow(app, resume=False)
    w.today.stop()
    w.alerts.stop()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    if activate:
        w.activateWindow()
    return w
