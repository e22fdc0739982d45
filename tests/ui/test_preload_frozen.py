"""The sign-in preload in a PyInstaller build, where modules come from the PYZ archive as
code objects: no kapdesk.ui or pyqtgraph source exists, yet every spec's origin names a
``.py`` file under sys._MEIPASS (PyInstaller's PyiFrozenFinder/PyiFrozenLoader). A
meta-path finder that does the same stands in for it; the preload must still import the
main window, the chart and pyqtgraph before sign-in, and no failure may stop the rest."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import kapdesk.ui
from kapdesk.ui.preload import UI_ROOTS, import_order
from kapdesk.ui.preload_order import _code_imports, _module_level_imports

# A fresh process: in the test process everything is imported already.
_DRIVER = r"""
import importlib, json, os, sys, threading
from importlib._bootstrap_external import _get_supported_file_loaders
from importlib.machinery import FileFinder, ModuleSpec, SourceFileLoader
from pathlib import Path

MEIPASS = Path("/nonexistent/_MEIPASS")
MAIN = threading.get_ident()
imported_on = {}

class FrozenLoader:  # as PyiFrozenLoader: code objects, no source
    def __init__(self, real):
        self.real = real
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        exec(self.real.get_code(module.__name__), module.__dict__)
    def get_code(self, name):
        return self.real.get_code(name)
    def get_source(self, name):
        return None  # PyiFrozenLoader reads spec.origin, which is not there
    def is_package(self, name):
        return self.real.is_package(name)

class Witness:  # asked first for every module loaded: notes the thread, finds nothing
    @staticmethod
    def find_spec(name, path=None, target=None):
        imported_on.setdefault(name, "gui" if threading.get_ident() == MAIN else "worker")
        return None

class FrozenFinder:  # as PyiFrozenFinder, a path-entry finder for every folder
    def __init__(self, path):
        self.real = FileFinder.path_hook(*_get_supported_file_loaders())(path)
    def invalidate_caches(self):
        self.real.invalidate_caches()
    def find_spec(self, name, target=None):
        spec = self.real.find_spec(name, target)
        if not (name.startswith("pyqtgraph") or name.startswith("kapdesk.ui")):
            return spec
        if spec is None or not isinstance(spec.loader, SourceFileLoader):
            return spec
        package = spec.submodule_search_locations is not None
        where = MEIPASS.joinpath(*name.split("."))
        origin = where / "__init__.py" if package else where.with_suffix(".py")
        frozen = ModuleSpec(name, FrozenLoader(spec.loader), origin=str(origin), is_package=package)
        frozen.has_location = True
        if package:
            frozen.submodule_search_locations = spec.submodule_search_locations
        return frozen

def frozen_hook(path):
    if not os.path.isdir(path):
        raise ImportError("only directories")
    return FrozenFinder(path)

sys.meta_path.insert(0, Witness)
sys.path_hooks.insert(0, frozen_hook)
sys.path_importer_cache.clear()
from PySide6.QtCore import QTimer
from kapdesk.ui.app_context import build_app_context
import kapdesk.ui.preload as preload
from kapdesk.ui.run import _qapplication, login_window

if sys.argv[2] == "broken-order":
    def broken(*args, **kwargs):
        raise FileNotFoundError("no source")
    preload.import_order = broken

qapp = _qapplication()
app = build_app_context(Path(sys.argv[1]), demo=False)
dialog = login_window(app)
preloader = dialog.findChild(preload.Preloader)

def poll():
    if preloader._worker is None or not preloader.finished:
        QTimer.singleShot(5, poll)
        return
    dialog.reject()

QTimer.singleShot(0, poll)
dialog.exec()
main_window = sys.modules.get("kapdesk.ui.main_window")
print(json.dumps({
    "finished": preloader.finished,
    "errors": preloader.errors,
    "ran": preloader.ran,
    "imported_on": imported_on,
    "loaded": [m for m in ("kapdesk.ui.main_window", "kapdesk.ui.patient_chart", "pyqtgraph")
               if m in sys.modules],
    "frozen_like": type(main_window.__spec__.loader).__name__ if main_window else None,
    "main_window_file_exists": os.path.exists(main_window.__file__) if main_window else None,
}))
"""


def _drive(db_path: Path, mode: str) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(db_path), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_frozen_build_preloads_the_windows_and_pyqtgraph(db_path: Path) -> None:
    result = _drive(db_path, "frozen")
    assert result["frozen_like"] == "FrozenLoader"  # the stand-in loaded them, from code
    assert result["main_window_file_exists"] is False
    assert result["finished"]
    assert result["errors"] == []
    assert result["loaded"] == ["kapdesk.ui.main_window", "kapdesk.ui.patient_chart", "pyqtgraph"]
    ran = result["ran"]
    for step in ("worker", "qt types", "pyqtgraph in one step", "pyqtgraph"):
        assert step in ran
    # The import order was read from the code objects: the modules the roots import come
    # first, one a turn (not just the roots, each with all it imports in one go).
    ui_steps = [name for name in ran if name.startswith("kapdesk.ui")]
    assert len(ui_steps) > len(UI_ROOTS) + 10
    assert ran.index("kapdesk.ui.widgets") < ran.index("kapdesk.ui.main_window")
    assert ran.index("kapdesk.ui.main_window") < ran.index("pyqtgraph")
    where = result["imported_on"]
    for module in ("sqlalchemy.orm", "argon2", "kapdesk.services.users", "numpy"):
        assert where[module] == "worker", module
    # (pyqtgraph itself is looked up in the worker, whose find_spec the witness sees)
    for module in ("kapdesk.ui.main_window", "kapdesk.ui.patient_chart", "pyqtgraph.Qt"):
        assert where[module] == "gui", module


def test_a_failing_part_is_logged_and_the_rest_still_runs(db_path: Path) -> None:
    result = _drive(db_path, "broken-order")
    assert result["finished"]
    assert len(result["errors"]) == 1
    assert "reading the import order" in result["errors"][0]
    assert "FileNotFoundError" in result["errors"][0]
    # Without an import order the roots are imported directly, one a turn.
    ran = result["ran"]
    assert [name for name in ran if name.startswith("kapdesk.ui")] == list(UI_ROOTS)
    assert "qt types" in ran
    assert result["loaded"] == ["kapdesk.ui.main_window", "kapdesk.ui.patient_chart", "pyqtgraph"]
    assert result["imported_on"]["kapdesk.ui.main_window"] == "gui"


def test_the_import_order_from_code_objects_matches_the_one_from_source() -> None:
    order, _ = import_order(UI_ROOTS, "kapdesk.ui")
    ui = Path(kapdesk.ui.__file__).parent
    for name in order:
        parts = name.split(".")[2:]
        file = ui.joinpath(*parts).with_suffix(".py") if parts else ui / "__init__.py"
        if not file.is_file():
            file = ui.joinpath(*parts, "__init__.py")
        source = file.read_text(encoding="utf-8")
        package = file.name == "__init__.py"
        from_source = _module_level_imports(ast.parse(source), name, package)
        from_code = _code_imports(compile(source, str(file), "exec"), name, package)
        assert set(from_code) == set(from_source), name


def test_code_imports_skip_type_checking_blocks_and_functions() -> None:
    source = (
        "from __future__ import annotations\n"
        "import typing\n"
        "from typing import TYPE_CHECKING\n"
        "from . import sibling\n"
        "from ..up import thing as other\n"
        "if TYPE_CHECKING:\n    import typed_only\n"
        "if typing.TYPE_CHECKING:\n    import typed_too\nelse:\n    import at_run_time\n"
        "try:\n    import fast\nexcept ImportError:\n    import slow\n"
        "def later():\n    import inside_function\n"
    )
    found = _code_imports(compile(source, "m", "exec"), "pkg.sub.mod", False)
    assert set(found) == {
        "typing",
        "typing.TYPE_CHECKING",
        "pkg.sub",
        "pkg.sub.sibling",
        "pkg.up",
        "pkg.up.thing",
        "at_run_time",
        "fast",
        "slow",
    }
