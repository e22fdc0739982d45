"""One kapdesk window per database file on a workstation.

The first kapdesk on a database listens on a local socket (QLocalServer) whose
name is derived from the database's resolved path. A second one started on the
same file connects to it, says which file is already open and offers to bring
that window to the front; it then exits without opening the database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from kapdesk.ui.titles import window_title

FRONT_REQUEST = b"front\n"
CONNECT_MS = 500


def server_name(db_path: Path) -> str:
    """The local socket's name for this database file (the same for every way of naming it)."""
    resolved = str(Path(db_path).expanduser().resolve())
    return "kapdesk-" + hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:24]


class InstanceServer(QObject):
    """The first kapdesk's side: asks for its window to come to the front on request."""

    front_requested = Signal()

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(db_path)
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A socket left behind by a kapdesk that did not exit cleanly (nobody answers on it).
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        if bytes(socket.readLine().data()) == FRONT_REQUEST:
            self.front_requested.emit()


def already_open(db_path: Path, timeout_ms: int = CONNECT_MS) -> QLocalSocket | None:
    """A connection to the kapdesk that has this database open; None if there is none."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(db_path))
    if socket.waitForConnected(timeout_ms):
        return socket
    return None


def request_front(socket: QLocalSocket, timeout_ms: int = CONNECT_MS) -> bool:
    """Asks the other kapdesk to bring its window to the front."""
    socket.write(FRONT_REQUEST)
    sent = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return sent


def offer_to_bring_to_front(db_path: Path, socket: QLocalSocket) -> bool:
    """Says the file is open in another kapdesk; True if the person brought it to the front."""
    translate = QCoreApplication.translate
    title = window_title(translate("InstanceServer", "Already open"))
    box = QMessageBox(QMessageBox.Icon.Information, title, "")
    text = translate("InstanceServer", "kapdesk is already open on this database:\n{file}")
    box.setText(text.format(file=Path(db_path).expanduser().resolve()))
    box.setInformativeText(
        translate("InstanceServer", "Only one kapdesk window can use a database file at a time.")
    )
    front = box.addButton(
        translate("InstanceServer", "&Bring it to the front"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(translate("InstanceServer", "&Close"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(front)
    box.exec()
    if box.clickedButton() is front:
        return request_front(socket)
    socket.disconnectFromServer()
    return False


def front_window() -> QWidget | None:
    """The window a person would expect to see: a dialog in progress, else the main window."""
    modal = QApplication.activeModalWidget()
    if modal is not None:
        return modal
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()]
    mains = [w for w in shown if isinstance(w, QMainWindow)]
    return (mains or shown or [None])[0]


def bring_to_front(window: QWidget | None) -> None:
    if window is None:
        return
    if window.windowState() & Qt.WindowState.WindowMinimized:
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def claim_database(db_path: Path, parent: QObject | None = None) -> InstanceServer | None:
    """This kapdesk's claim on the file; None if another kapdesk has it (it was told)."""
    socket = already_open(db_path)
    if socket is not None:
        offer_to_bring_to_front(db_path, socket)
        return None
    server = InstanceServer(db_path, parent)
    server.listen()  # not listening (rare): kapdesk still runs, just without this guard
    server.front_requested.connect(lambda: bring_to_front(front_window()))
    return server
