"""With pt-PT active, no window or dialog of kapdesk shows English.

The walk signs in each role to the main window of a clinic with sessions in every phase,
reads every page, opens every session's workspace and a patient's chart with each tab,
and triggers every menu item; each dialog it opens (modal ones are read instead of run)
and each window it shows are read too. A text fails when one of its words is English
(tests/ui/english_text.py), unless it is the clinic's own data typed by staff (names,
rooms, lot numbers) listed in DATA below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QRadioButton,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.translation import speak

from .conftest import PASSWORD, actor_for, show_main_window, window_address
from .english_text import english_words, words
from .visible_text import visible_texts

# Staff-typed data of the walk's clinic: shown as typed, in any language.
DATA = frozenset(
    words("Simões Conceição Sala LOT racemic ketamine Test Nurse Clinician Therapist Admin")
)


class Reader:
    """Collects what each window says, and the English in it."""

    def __init__(self) -> None:
        self.found: dict[str, set[str]] = {}

    def read(self, where: str, texts: list[str]) -> None:
        for text in texts:
            bad = english_words(text, DATA)
            if bad:
                self.found.setdefault(f"{where}: {text!r}", set()).update(bad)

    def read_widget(self, where: str, widget: QWidget) -> None:
        self.read(f"{where} / {type(widget).__name__}", visible_texts(widget))

    def report(self) -> str:
        lines = [f"{key}  <- {sorted(bad)}" for key, bad in sorted(self.found.items())]
        return "\n".join(lines)


@pytest.fixture
def reader(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reader]:
    """pt-PT spoken; modal dialogs and Qt's static dialogs read and answered 'no'."""
    found = Reader()
    where = ["?"]

    def read_dialog(dialog: QDialog, *_: Any) -> int:
        found.read_widget(f"{where[0]} > dialog", dialog)
        return 0

    def note(name: str, result: Any) -> Callable[..., Any]:
        def static(_parent: Any, *texts: Any, **_kw: Any) -> Any:
            found.read(f"{where[0]} > {name}", [t for t in texts if isinstance(t, str)])
            return result

        return staticmethod(static)

    monkeypatch.setattr(QDialog, "exec", read_dialog)
    monkeypatch.setattr(QMessageBox, "exec", read_dialog)
    no = QMessageBox.StandardButton.No
    for name, result in (
        ("question", no),
        ("warning", QMessageBox.StandardButton.Ok),
        ("information", QMessageBox.StandardButton.Ok),
        ("critical", QMessageBox.StandardButton.Ok),
    ):
        monkeypatch.setattr(QMessageBox, name, note(f"QMessageBox.{name}", result))
    for name in ("getSaveFileName", "getOpenFileName"):
        monkeypatch.setattr(QFileDialog, name, note(f"QFileDialog.{name}", ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", note("QFileDialog", ""))
    monkeypatch.setattr(QInputDialog, "getText", note("QInputDialog", ("", False)))
    found.where = where  # type: ignore[attr-defined]
    speak(qapp, "pt-PT")
    try:
        yield found
    finally:
        speak(qapp, "en")


def _clinic(kit: Any, app: AppContext) -> dict[str, int]:
    """Sessions in each phase, each of a patient of its own; the monitored patient has a
    PHQ-9 and a GAD-7 (their rows, bands and outcome lines on the chart)."""
    sessions = {
        "scheduled": kit.scheduled(mrn="100001", room="Sala 1"),
        "checked in": kit.checked_in(mrn="100002", room="Sala 2"),
        "pre-dose": kit.ready(mrn="100003", room="Sala 3", bp=(168, 104)),
        "monitoring": kit.dosed(mrn="100004", room="Sala 4"),
    }
    kit.advance(minutes=2)  # a post-dose reading within limits: its result line
    kit.vitals.record(kit.nurse, sessions["monitoring"], 118, 76, pulse=70, spo2=98)
    from kapdesk.services.instruments import InstrumentService
    from kapdesk.services.sessions import SessionService

    patient = SessionService(app.ctx).get(sessions["monitoring"]).patient_id
    clinician = actor_for(app, Role.CLINICIAN)
    InstrumentService(app.ctx).record(clinician, patient, "PHQ-9", (2, 2, 1, 1, 1, 1, 1, 1, 0))
    InstrumentService(app.ctx).record(clinician, patient, "GAD-7", (1, 1, 1, 1, 1, 1, 1))
    kit.advance(minutes=40)  # readings due and missed, alerts raised
    return sessions


def _shown_windows() -> set[int]:
    """The C++ addresses of the windows shown now."""
    return {window_address(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def _new_windows(before: set[int]) -> list[QWidget]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and window_address(w) not in before and not isinstance(w, QMenu)
    ]


def _menu_actions(window: Any) -> Iterator[Any]:
    skip = {window.quit_action, window.switch_user_action, window.screen_lock.lock_action}
    for top in window.menuBar().actions():
        menu = top.menu()
        if not top.isVisible() or menu is None:
            continue
        menu.aboutToShow.emit()
        for action in menu.actions():
            usable = action.isVisible() and action.isEnabled() and not action.isSeparator()
            if usable and action not in skip and action.menu() is None:
                yield action


def _walk_menus(qtbot: QtBot, reader: Reader, window: Any, role: str) -> None:
    for action in list(_menu_actions(window)):
        reader.where[0] = f"{role} > {action.text()}"  # type: ignore[attr-defined]
        before = _shown_windows()
        action.trigger()
        qtbot.wait(20)
        for opened in _new_windows(before):
            reader.read_widget(reader.where[0], opened)  # type: ignore[attr-defined]
            opened.close()


def _press_buttons(qtbot: QtBot, reader: Reader, where: str, page: QWidget) -> None:
    """Press each enabled button of ``page`` once (dialogs it opens are read, not run),
    then read the page again: the texts a press shows (results, messages) count too."""
    pressed: set[str] = set()
    for _ in range(3):  # a press may show new buttons
        buttons = [
            b
            for b in page.findChildren(QAbstractButton)
            if b.isVisibleTo(page)
            and b.isEnabled()
            and f"{b.objectName()}|{b.text()}" not in pressed
            and not isinstance(b, QRadioButton | QCheckBox)
        ]
        if not buttons:
            return
        for button in buttons:
            pressed.add(f"{button.objectName()}|{button.text()}")
            reader.where[0] = f"{where} [{button.text() or button.objectName()}]"  # type: ignore[attr-defined]
            before = _shown_windows()
            try:
                button.click()
            except RuntimeError:  # the button went with the page it was on
                continue
            qtbot.wait(10)
            for opened in _new_windows(before):
                reader.read_widget(reader.where[0], opened)  # type: ignore[attr-defined]
                opened.close()
        reader.read_widget(f"{where} after pressing", page)


def _read_tabs(reader: Reader, where: str, page: QWidget) -> None:
    reader.read_widget(where, page)
    for tabs in page.findChildren(QTabWidget):
        if not tabs.isVisibleTo(page):
            continue
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            reader.read_widget(f"{where} tab {index}", page)


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN])
def test_no_window_shows_english_in_portuguese(
    qtbot: QtBot, app: AppContext, kit: Any, reader: Reader, role: Role
) -> None:
    sessions = _clinic(kit, app)
    app.actor = actor_for(app, role)
    window = show_main_window(qtbot, app, activate=True)
    window.resize(1280, 860)
    try:
        window.today.refresh()
        qtbot.wait(50)
        reader.read_widget(f"{role.value} today", window)
        window.show_page(1)
        qtbot.wait(50)
        reader.read_widget(f"{role.value} patients", window)
        for phase, session_id in sessions.items():
            window.open_session(session_id)
            qtbot.wait(50)
            _read_tabs(reader, f"{role.value} session {phase}", window)
            _press_buttons(qtbot, reader, f"{role.value} session {phase}", window.stack)
        from kapdesk.services.sessions import SessionService

        patient = SessionService(app.ctx).get(sessions["monitoring"]).patient_id
        app.signals.navigate_patient.emit(patient)  # as a board row or search does
        qtbot.wait(50)
        _read_tabs(reader, f"{role.value} chart", window)
        _press_buttons(qtbot, reader, f"{role.value} chart", window.stack)
        window.show_page(1)
        _press_buttons(qtbot, reader, f"{role.value} patients", window.stack)
        _walk_menus(qtbot, reader, window, role.value)
        before = _shown_windows()
        window.screen_lock.lock("manual")
        qtbot.wait(20)
        reader.read_widget(f"{role.value} locked", window)
        for opened in _new_windows(before):
            reader.read_widget(f"{role.value} locked", opened)
        window.screen_lock.unlock(PASSWORD)
    finally:
        window.close()
    assert not reader.found, "English shown in pt-PT:\n" + reader.report()
