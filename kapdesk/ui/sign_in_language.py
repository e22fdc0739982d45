"""Each sign-in speaks the signed-in user's language (their setting, see ui.preferences).

``speak_for(actor)`` before the main window is built (run_gui: at start-up and after a
sign-out). A sign-in inside a running main window (File > Switch user, "Sign in as someone
else" at the lock screen) whose user works in another language than the one spoken:
:func:`rebuild_in_their_language` closes the window, flagged ``relanguage``, and run_gui
builds it anew in that language for the same user, as after a sign-out but without asking
anyone to sign in again. A half-filled session page asks first (discard_guard): kept, the
window stays as it is and the language waits for the next sign-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from kapdesk.i18n import UnknownLanguage, current
from kapdesk.ui.translation import language_at_sign_in, speak

if TYPE_CHECKING:
    from kapdesk.services.context import Actor
    from kapdesk.ui.main_window import MainWindow


def language_for(actor: Actor) -> str:
    """The language to speak to ``actor``: --lang, their setting, KAPDESK_LANG, the computer's."""
    try:
        return language_at_sign_in(actor.language)
    except UnknownLanguage:  # KAPDESK_LANG was refused at start-up: nothing better to say
        return current()


def speak_for(actor: Actor) -> str:
    """Speak ``actor``'s language in every window built from now on; returns it."""
    app = QCoreApplication.instance()
    assert app is not None
    return speak(app, language_for(actor))


def rebuild_in_their_language(window: MainWindow) -> bool:
    """After someone signed in within ``window``: True when it closes to be built anew in
    their language (``window.relanguage``), False when it stays (same language, or a
    half-filled session page kept)."""
    from kapdesk.ui.discard_guard import may_leave
    from kapdesk.ui.errors import close_windows_of

    actor = window.app.actor
    if actor is None or language_for(actor) == current():
        return False
    if not may_leave(window, window.session_page):
        return False
    close_windows_of(window)  # as after a revoked sign-in: editors save their drafts
    window.relanguage = True
    window.close()
    return True
