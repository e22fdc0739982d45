"""The preload after the login window's first paint: in steps and in a worker thread, so the
window keeps responding; signing in before it is done still works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kapdesk.ui
from kapdesk.ui.preload import import_order, pyqtgraph_statements

from .conftest import PASSWORD

# A fresh process: in the test process everything is imported already.
_DRIVER = r"""
import json, sys, threading
from pathlib import Path

MAIN = threading.get_ident()
imported_on = {}

class Witness:  # asked first for every module loaded: notes the thread, finds nothing
    @staticmethod
    def find_spec(name, path=None, target=None):
        imported_on.setdefault(name, "gui" if threading.get_ident() == MAIN else "worker")
        return None

sys.meta_path.insert(0, Witness)
from PySide6.QtCore import QTimer
from kapdesk.ui.app_context import build_app_context
from kapdesk.ui.preload import Preloader
from kapdesk.ui.run import _qapplication, login_window

qapp = _qapplication()
app = build_app_context(Path(sys.argv[1]), demo=False)
dialog = login_window(app)
preloader = dialog.findChild(Preloader)
mode = sys.argv[2]
seen = {}

def poll():
    if preloader._worker is None:  # the first paint is still to come
        QTimer.singleShot(1, poll)
        return
    if mode == "sign-in":
        seen["main window loaded before"] = "kapdesk.ui.main_window" in sys.modules
        dialog.username.edit.setText("admin")
        dialog.password.edit.setText(sys.argv[3])
        dialog.buttons.accepted.emit()
        return
    if not preloader.finished:
        QTimer.singleShot(5, poll)
        return
    dialog.reject()

QTimer.singleShot(0, poll)
accepted = dialog.exec() == dialog.DialogCode.Accepted
import pyqtgraph
print(json.dumps({
    **seen,
    "accepted": accepted,
    "actor": dialog.actor.username if dialog.actor else None,
    "finished": preloader.finished,
    "turns": preloader.turns,
    "ran": preloader.ran,
    "imported_on": imported_on,
    "plot_widget": pyqtgraph.PlotWidget.__name__,
}))
"""


def _drive(db_path: Path, mode: str) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(db_path), mode, PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_the_preload_runs_in_many_event_loop_turns_qt_on_the_gui_thread(db_path: Path) -> None:
    result = _drive(db_path, "wait")
    assert result["finished"]
    assert not result["accepted"]
    ran = result["ran"]
    for step in ("form guards", "logging", "worker", "qt types", "pyqtgraph"):
        assert step in ran
    assert ran.index("kapdesk.ui.main_window") < ran.index("pyqtgraph")
    assert result["turns"] > 100  # one module (or one 8 ms slice) a turn
    where = result["imported_on"]
    # What does not touch Qt was imported in the worker thread...
    for module in ("sqlalchemy.orm", "argon2", "kapdesk.services.users", "numpy"):
        assert where[module] == "worker", module
    # ... and every module that creates Qt types on the GUI thread.
    for module in ("kapdesk.ui.main_window", "kapdesk.ui.patient_chart", "pyqtgraph.Qt"):
        assert where[module] == "gui", module
    assert not [m for m, on in where.items() if on == "worker" and m.startswith("PySide6")]
    assert result["plot_widget"] == "PlotWidget"


def test_signing_in_during_the_preload_finishes_it_first(db_path: Path) -> None:
    result = _drive(db_path, "sign-in")
    assert result["main window loaded before"] is False  # signed in before the preload
    assert result["accepted"]
    assert result["actor"] == "admin"
    assert result["finished"]
    assert "pyqtgraph" in result["ran"]
    assert result["plot_widget"] == "PlotWidget"  # a whole pyqtgraph, not half of one


def test_the_ui_modules_come_after_what_they_import() -> None:
    order, outside = import_order(
        ["kapdesk.ui.main_window", "kapdesk.ui.patient_chart"], "kapdesk.ui"
    )
    assert order[0] == "kapdesk.ui"
    assert {"kapdesk.ui.main_window", "kapdesk.ui.patient_chart", "kapdesk.ui.widgets"} <= set(
        order
    )
    assert len(order) == len(set(order))
    ui = Path(kapdesk.ui.__file__).parent
    for position, name in enumerate(order):
        parts = name.split(".")[2:]
        file = ui.joinpath(*parts).with_suffix(".py") if parts else ui / "__init__.py"
        if not file.is_file():
            file = ui.joinpath(*parts, "__init__.py")
        source = file.read_text(encoding="utf-8")
        for earlier in order[position + 1 :]:  # nothing later is imported at its top level
            assert f"\nfrom {earlier} import" not in source, (name, earlier)
            assert f"\nimport {earlier}\n" not in source, (name, earlier)
    assert "kapdesk.services.sessions" in outside
    assert not [name for name in outside if name.startswith("kapdesk.ui")]


def test_pyqtgraph_init_is_cut_into_pieces_of_one_import_each() -> None:
    if "pyqtgraph" in sys.modules:
        pytest.skip("pyqtgraph is imported in this process already")
    pieces = pyqtgraph_statements()
    assert pieces is not None
    assert len(pieces) > 20
