"""Issue 12: quitting while patients are in monitoring asks and names the rooms."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.quit_guard import QuitQuestion
from kapdesk.ui.session.workspace import STEP_DOSE

from .conftest import PASSWORD


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Questions asked; the answer is 'Keep kapdesk open' unless 'quit' is appended."""
    texts: list[str] = []

    def ask(_cls: type, _parent: object, text: str) -> bool:
        texts.append(text)
        return "quit" in texts

    monkeypatch.setattr(QuitQuestion, "ask", classmethod(ask))
    return texts


def test_quit_with_two_patients_in_monitoring_names_the_rooms_and_no_keeps_it_open(
    qtbot: QtBot, window: MainWindow, kit: Kit, asked: list[str]
) -> None:
    kit.dosed(mrn="MRN-1", room="1")
    kit.dosed(mrn="MRN-3", room="Room 3")
    kit.checked_in(mrn="MRN-4", room="4")  # not dosed: not in monitoring
    window.quit_action.trigger()
    assert asked == [
        "2 patients are in monitoring (Room 1: Simões, Conceição; Room 3: Simões, Conceição). "
        "Quit anyway?"
    ]
    assert window.isVisible()


def test_quit_anyway_closes_the_window(
    qtbot: QtBot, window: MainWindow, kit: Kit, asked: list[str]
) -> None:
    kit.dosed(mrn="MRN-2", room="2")
    asked.append("quit")
    window.quit_action.trigger()
    assert asked[-1] == "1 patient is in monitoring (Room 2: Simões, Conceição). Quit anyway?"
    assert not window.isVisible()


def test_quit_with_nobody_in_monitoring_does_not_ask(
    window: MainWindow, kit: Kit, asked: list[str]
) -> None:
    kit.scheduled(mrn="MRN-5", room="5")
    window.quit_action.trigger()
    assert asked == []
    assert not window.isVisible()


def test_a_close_made_by_kapdesk_itself_does_not_ask(
    window: MainWindow, kit: Kit, asked: list[str]
) -> None:
    kit.dosed(mrn="MRN-2", room="2")
    window.sign_out()  # after a restore or a revoked sign-in
    assert asked == []
    assert not window.isVisible()


def test_the_close_button_of_a_locked_window_names_nobody_and_discards_nothing(
    qtbot: QtBot, window: MainWindow, kit: Kit, asked: list[str], discard_asked: list[str]
) -> None:
    """Whoever is at the locked screen is not signed in: no names, no discard question; the
    lock screen says to sign in to quit. Unlocked again, quitting asks as before."""
    first = kit.ready(mrn="MRN-1", room="1")
    kit.dosed(mrn="MRN-2", room="2")
    window.open_session(first)
    dose = window.session_page.pages[STEP_DOSE]  # type: ignore[union-attr]
    qtbot.keyClicks(dose.amount, "0.5")
    window.screen_lock.lock("idle")
    window.quit()  # the close button and File > Quit take this path
    assert asked == []
    assert discard_asked == []
    assert window.isVisible()
    assert window.screen_lock.locked
    assert window.screen_lock.screen_page.message.text() == "Sign in to quit kapdesk."
    assert window.screen_lock.screen_page.message.isVisible()
    assert dose.amount.text() == "0.5"
    assert window.screen_lock.unlock(PASSWORD)
    window.quit()
    assert asked == ["1 patient is in monitoring (Room 2: Simões, Conceição). Quit anyway?"]
    assert window.isVisible()
