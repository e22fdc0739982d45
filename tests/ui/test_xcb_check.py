"""A window on a fresh machine: missing X libraries are named before Qt can abort."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kapdesk.ui import xcb_check
from kapdesk.ui.xcb_check import (
    XCB_PACKAGES,
    libraries_to_check,
    needed_libraries,
    qt_folder,
    wants_xcb,
    xcb_problem,
)

X_DESKTOP = {"DISPLAY": ":0"}


def failing_for(*fragments: str) -> xcb_check.Loader:
    def load(soname: str) -> object:
        if any(fragment in soname for fragment in fragments):
            raise OSError(f"{soname}: cannot open shared object file")
        return object()

    return load


def test_the_plugins_own_needs_are_read_and_each_has_a_debian_package() -> None:
    qt = qt_folder()
    assert qt is not None
    needs = needed_libraries(qt / "plugins" / "platforms" / "libqxcb.so")
    assert "libxcb-icccm.so.4" in needs
    assert "libQt6XcbQpa.so.6" in needs
    checked = libraries_to_check(qt)
    assert "libxcb-keysyms.so.1" in checked  # from libQt6XcbQpa.so.6
    assert not [name for name in checked if name.startswith("libQt6")]
    assert [name for name in checked if name not in XCB_PACKAGES] == []


def test_missing_icccm_and_keysyms_are_named_in_one_line_with_the_install_command() -> None:
    problem = xcb_problem(X_DESKTOP, "linux", loader=failing_for("icccm", "keysyms"))
    assert problem is not None
    assert "\n" not in problem
    assert "libxcb-icccm4" in problem
    assert "libxcb-keysyms1" in problem
    assert "libxcb-cursor0" not in problem  # not blamed when it is there
    if Path("/etc/debian_version").exists():
        assert problem.endswith("sudo apt-get install libxcb-icccm4 libxcb-keysyms1")


def test_nothing_missing_no_message() -> None:
    assert xcb_problem(X_DESKTOP, "linux", loader=failing_for()) is None


def test_a_library_read_from_the_plugin_but_unknown_is_named_by_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_needs(path: Path) -> list[str]:
        return ["libxcb-cursor.so.0", "libxcb-newthing.so.3"] if path.name == "libqxcb.so" else []

    monkeypatch.setattr(xcb_check, "needed_libraries", fake_needs)
    load = failing_for("cursor", "newthing")
    problem = xcb_problem(X_DESKTOP, "linux", loader=load, qt=tmp_path)
    assert problem is not None
    assert "libxcb-cursor0" in problem
    assert "libxcb-newthing.so.3" in problem


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({}, "linux"),  # no X display: nothing to check
        ({"DISPLAY": ":0"}, "win32"),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux"),
    ],
)
def test_no_check_when_qt_will_not_use_xcb(environ: dict[str, str], platform: str) -> None:
    def never(soname: str) -> object:
        raise AssertionError(f"loaded {soname}")

    assert not wants_xcb(environ, platform)
    assert xcb_problem(environ, platform, loader=never) is None


def test_xcb_is_wanted_when_asked_for_or_by_default_on_x() -> None:
    assert wants_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux")
    assert wants_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, "linux")
    assert wants_xcb({"DISPLAY": ":0"}, "linux")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_run_gui_prints_one_line_and_exits_1_before_any_qapplication(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from kapdesk.ui import xcb_check
        def load(soname):
            if "icccm" in soname or "keysyms" in soname:
                raise OSError(soname)
        xcb_check.load_library = load
        from kapdesk.ui.run import run_gui
        from PySide6.QtCore import QCoreApplication
        code = run_gui(Path({str(tmp_path / "clinic.sqlite")!r}), demo=False)
        assert QCoreApplication.instance() is None
        sys.exit(code)
        """
    )
    env = {**os.environ, "DISPLAY": ":99", "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "libxcb-icccm4" in lines[0]
    assert "libxcb-keysyms1" in lines[0]
    assert not (tmp_path / "clinic.sqlite").exists()  # stopped before opening anything
