"""Window titles: one pattern, one dash.

A window that stands on its own (the main window, sign-in, the passphrase prompt, a
start-up message) is '<what> – kapdesk'; a dialog over one of them is just '<what>'.
DEMO comes just before the app name ('Harbour Clinic – DEMO – kapdesk', 'Users – DEMO').
The only separator is ' – ' (an en dash). The QApplication sets no display name: with
one, Qt appends ' — <name>' (an em dash, on X11) to every title by itself.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QCoreApplication

APP_NAME: Final = "kapdesk"
SEPARATOR: Final = " – "


def demo_word() -> str:
    """'DEMO' in the active language ('DEMONSTRAÇÃO')."""
    return QCoreApplication.translate("WindowTitle", "DEMO")


def dialog_title(what: str, *, demo: bool = False) -> str:
    """'Users', 'Users – DEMO'. ``what`` is already in the active language."""
    return f"{what}{SEPARATOR}{demo_word()}" if demo else what


def window_title(what: str | None, *, demo: bool = False) -> str:
    """'Harbour Clinic – kapdesk', 'Harbour Clinic – DEMO – kapdesk'; 'kapdesk' alone."""
    parts = [p for p in (what, demo_word() if demo else None, APP_NAME) if p]
    return SEPARATOR.join(parts)
