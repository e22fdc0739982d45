"""A second kapdesk on the same database file says so and can bring the first to the front."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from kapdesk.ui.single_instance import (
    InstanceServer,
    already_open,
    claim_database,
    offer_to_bring_to_front,
    request_front,
    server_name,
)


@pytest.fixture
def first(tmp_path: Path) -> Iterator[InstanceServer]:
    """The first kapdesk's claim on tmp_path/clinic.sqlite."""
    server = claim_database(tmp_path / "clinic.sqlite")
    assert server is not None
    yield server
    server.close()


def test_the_name_is_the_files_whatever_path_names_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    same = tmp_path / "sub" / ".." / "clinic.sqlite"
    assert server_name(same) == server_name(tmp_path / "clinic.sqlite")
    assert server_name(tmp_path / "other.sqlite") != server_name(tmp_path / "clinic.sqlite")


def test_nobody_has_the_file_nothing_answers(tmp_path: Path) -> None:
    assert already_open(tmp_path / "clinic.sqlite", timeout_ms=100) is None


def test_another_database_is_not_the_same_instance(first: InstanceServer, tmp_path: Path) -> None:
    assert already_open(tmp_path / "other.sqlite", timeout_ms=100) is None


def test_the_first_window_comes_to_the_front_when_the_second_asks(
    qtbot: QtBot, first: InstanceServer, tmp_path: Path
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.showMinimized()
    assert window.windowState() & Qt.WindowState.WindowMinimized

    socket = already_open(tmp_path / "clinic.sqlite")
    assert socket is not None
    with qtbot.waitSignal(first.front_requested, timeout=3000):
        assert request_front(socket)
    assert not window.windowState() & Qt.WindowState.WindowMinimized
    assert window.isVisible()


def _answer_box(button_text: str, seen: list[str]) -> None:
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(20, lambda: _answer_box(button_text, seen))
        return
    seen.append(f"{box.text()}\n{box.informativeText()}")
    for button in box.buttons():
        if button.text().replace("&", "") == button_text:
            button.click()


def test_the_second_names_the_file_and_brings_the_first_to_the_front(
    qtbot: QtBot, first: InstanceServer, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / ".." / "clinic.sqlite"  # another way of naming the same file
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_box("Bring it to the front", seen))
    with qtbot.waitSignal(first.front_requested, timeout=3000):
        assert claim_database(path) is None  # the second kapdesk does not open the file
    assert f"{(tmp_path / 'clinic.sqlite').resolve()}\n" in seen[0]
    assert "already open" in seen[0]


def test_closing_the_message_leaves_the_first_alone(
    qtbot: QtBot, first: InstanceServer, tmp_path: Path
) -> None:
    path = tmp_path / "clinic.sqlite"
    socket = already_open(path)
    assert socket is not None
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_box("Close", seen))
    with qtbot.assertNotEmitted(first.front_requested, wait=300):
        assert not offer_to_bring_to_front(path, socket)
    assert seen


@pytest.mark.skipif(sys.platform == "win32", reason="a Unix socket file")
def test_a_socket_left_by_a_crashed_kapdesk_does_not_block_the_next(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    stale = Path(QDir.tempPath()) / server_name(path)
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(str(stale))  # the file stays after close: nobody listens on it any more
    left.close()
    try:
        assert stale.exists()
        server = claim_database(path)
        assert server is not None
        assert already_open(path) is not None
        server.close()
    finally:
        stale.unlink(missing_ok=True)


def test_run_gui_on_a_file_open_elsewhere_exits_0_without_opening_it(
    qtbot: QtBot, first: InstanceServer, tmp_path: Path
) -> None:
    from kapdesk.ui.run import run_gui

    path = tmp_path / "clinic.sqlite"
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_box("Close", seen))
    assert run_gui(path, demo=False) == 0
    assert str(path.resolve()) in seen[0]
    assert not path.exists()


def test_a_second_process_brings_this_one_to_the_front(
    qtbot: QtBot, first: InstanceServer, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from PySide6.QtWidgets import QApplication
        from kapdesk.ui.single_instance import already_open, request_front
        app = QApplication([])
        socket = already_open(Path({str(tmp_path / "sub" / ".." / "clinic.sqlite")!r}))
        sys.exit(0 if socket is not None and request_front(socket) else 3)
        """
    )
    (tmp_path / "sub").mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with qtbot.waitSignal(first.front_requested, timeout=20000):
        process = subprocess.Popen([sys.executable, "-c", script], env=env)
    assert process.wait(timeout=30) == 0
