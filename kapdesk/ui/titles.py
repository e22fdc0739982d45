"""Window titles: one pattern, one dash.

A window that stands on its own (the main window, sign-in, the passphrase prompt, a
start-up message) is '<what> – kapdesk'; a dialog over one of them is just '<what>'.
DEMO comes just before the app name ('Harbour Clinic – DEMO – kapdesk', 'Users – DEMO').
The only separator is ' – ' (an en dash). The QApplication sets no display name: with
one, Qt appends ' — <name>' (an em dash, on X11) to every title by itself.
"""

from __future__ import annotations

from typing import Final

APP_NAME: Final = "kapdesk"
SEPARATOR: Final = " – "


def dialog_title(what: str, *, demo: bool = False) -> str:
    """'Users', 'Users – DEMO'."""
    return f"{what}{SEPARATOR}DEMO" if demo else what


def window_title(what: str | None, *, demo: bool = False) -> str:
    """'Harbour Clinic – kapdesk', 'Harbour Clinic – DEMO – kapdesk'; 'kapdesk' alone."""
    parts = [p for p in (what, "DEMO" if demo else None, APP_NAME) if p]
    return SEPARATOR.join(parts)
