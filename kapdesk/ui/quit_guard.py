"""Quitting while patients are in monitoring asks first and names the rooms.

A person's quit (File > Quit, Ctrl+Q, the window's close button) with dosed sessions or
sessions in monitoring asks "2 patients are in monitoring (Room 1: ...; Room 3: ...).
Quit anyway?" with No the default; then each open integration note editor saves its draft
(asking again when its autosave is paused after an edit conflict, and before discarding a
draft that cannot be saved: ``IntegrationNoteEditor.may_quit``), and a half-filled session
page asks before its input is discarded (``discard_guard.may_leave``). While the screen
is locked the close button and File > Quit are refused with "Sign in to quit kapdesk." on
the lock screen: no names, no question. A close made by kapdesk itself (signing out after
a restore or a revoked sign-in) does not ask. ``QuitQuestion.ask`` is the hook tests
replace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.session_state import SessionState
from kapdesk.services.board import BoardService
from kapdesk.ui.discard_guard import may_leave
from kapdesk.ui.models.board import room_text
from kapdesk.ui.words import QT_TRANSLATE_NOOP, counts

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import BoardRow
    from kapdesk.ui.integration_note import IntegrationNoteEditor
    from kapdesk.ui.main_window import MainWindow

MONITORED: Final = (SessionState.DOSED.value, SessionState.MONITORING.value)
LOCKED_QUIT: Final = QT_TRANSLATE_NOOP("QuitQuestion", "Sign in to quit kapdesk.")


def monitoring_question(rows: Sequence[BoardRow]) -> str | None:
    """The question for the sessions in monitoring among ``rows`` (None: there are none)."""
    watched = [r for r in rows if r.state in MONITORED]
    if not watched:
        return None
    who = "; ".join(f"{room_text(r.room)}: {r.patient_name}" for r in watched)
    return counts().in_monitoring(len(watched)).format(who=who)


class QuitQuestion:
    """Quit or keep kapdesk open (tests replace ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, text: str) -> bool:
        """True: quit."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("QuitQuestion", "Quit kapdesk"),
            text,
            parent=parent,
        )
        box.setInformativeText(
            QCoreApplication.translate(
                "QuitQuestion", "Their readings and alerts are not watched while kapdesk is closed."
            )
        )
        quit_ = box.addButton(
            QCoreApplication.translate("QuitQuestion", "&Quit anyway"),
            QMessageBox.ButtonRole.DestructiveRole,
        )
        keep = box.addButton(
            QCoreApplication.translate("QuitQuestion", "&Keep kapdesk open"),
            QMessageBox.ButtonRole.RejectRole,
        )
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is quit_


def may_quit(window: MainWindow) -> bool:
    """Ask about patients in monitoring, then about a half-filled session page. While the
    screen is locked nothing is asked: whoever is at the lock screen may not see who is in
    monitoring nor discard what the signed-in person typed; the lock screen says
    LOCKED_QUIT and kapdesk stays open."""
    if window.screen_lock.locked:
        text = QCoreApplication.translate("QuitQuestion", LOCKED_QUIT)
        window.screen_lock.screen_page.show_error(text)
        return False
    try:
        rows = BoardService(window.app.ctx).running_sessions()
    except KapdeskError:  # the database cannot be read: nothing to name, let the person go
        rows = []
    question = monitoring_question(rows)
    if question is not None and not QuitQuestion.ask(window, question):
        return False
    if not all(editor.may_quit() for editor in open_note_editors(window)):
        return False
    return may_leave(window, window.session_page)


def open_note_editors(window: QWidget) -> list[IntegrationNoteEditor]:
    """The integration note editors open over ``window`` (windows of their own, parented to
    the chart or the handover that opened them)."""
    from kapdesk.ui.integration_note import IntegrationNoteEditor

    return [e for e in window.findChildren(IntegrationNoteEditor) if e.isVisible()]
