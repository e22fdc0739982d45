"""The Help menu: keyboard shortcuts, the user guide for each role, and About.

"Keyboard shortcuts" is generated each time it opens from the QActions and QShortcuts
that exist in the main window at that moment (menus, the Today board, the Patients page
and the session workspace once they are built, and any kapdesk window opened from it),
so it cannot drift from what the keys really do (the Patients page, built on first
visit, is built when the list opens, for a role that may see it). A menu action is described by its
text; a QShortcut by its ``whatsThis`` (every kapdesk shortcut sets one), grouped by
the menu or page it belongs to. Actions hidden from the signed-in role are left out.
The user guide and About are in :mod:`kapdesk.ui.help_dialogs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QMainWindow,
    QMenu,
    QMenuBar,
    QWidget,
)

from kapdesk.domain.permissions import Action, can
from kapdesk.ui.help_dialogs import BrowserDialog
from kapdesk.ui.words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from kapdesk.ui.main_window import MainWindow

EVERYWHERE = QT_TRANSLATE_NOOP("ShortcutsDialog", "Everywhere in the main window")


@dataclass(frozen=True)
class KeyRow:
    where: str  # "File menu", "Today", "Session", "Audit log", ...
    keys: str  # as Qt writes them on this platform: "Ctrl+Shift+U"
    what: str
    rank: int  # groups in menu-bar order, then pages in navigation order, then the rest
    order: int = 0  # a menu's items in the menu's order


def plain(text: str) -> str:
    """A menu text without its mnemonic marks and trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def keys_text(sequences: list[QKeySequence]) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(s.toString(native) for s in sequences if not s.isEmpty())


def _page_of(window: QMainWindow, widget: QWidget | None) -> tuple[str, int]:
    """(where, rank) of a widget: its page in the main window's navigation, the title of
    the kapdesk window it is in, or the main window as a whole."""
    stack = getattr(window, "stack", None)
    nav = getattr(window, "nav", None)
    w = widget
    while w is not None and w is not window:
        if stack is not None and nav is not None and (index := stack.indexOf(w)) >= 0:
            return plain(nav.item(index).text()), 100 + index
        if w.isWindow():
            return plain(w.windowTitle()) or w.objectName(), 200
        w = w.parentWidget()
    return QCoreApplication.translate("ShortcutsDialog", EVERYWHERE), 300


def _menu_of(action: QAction, menus: list[QMenu]) -> tuple[str, int, int] | None:
    for rank, menu in enumerate(menus):
        items = menu.actions()
        if action in items:
            where = QCoreApplication.translate("ShortcutsDialog", "{menu} menu")
            return where.format(menu=plain(menu.title())), rank, items.index(action)
    return None


def shortcut_rows(window: QMainWindow) -> list[KeyRow]:
    """Every key the main window and its pages and windows answer to, right now."""
    menus = [m for a in window.menuBar().actions() if isinstance(m := a.menu(), QMenu)]
    rows: list[KeyRow] = []
    in_menus: set[str] = set()
    for action in window.findChildren(QAction):
        keys = keys_text(action.shortcuts())
        if not keys or not action.isVisible():
            continue
        found = _menu_of(action, menus)
        if found is not None:
            in_menus.add(keys)
            rows.append(KeyRow(found[0], keys, plain(action.text()), found[1], found[2]))
        else:
            parent = action.parent()
            where, rank = _page_of(window, parent if isinstance(parent, QWidget) else None)
            rows.append(KeyRow(where, keys, plain(action.text()), rank))
    merged: dict[tuple[str, str], KeyRow] = {}
    for shortcut in window.findChildren(QShortcut):
        keys = keys_text([shortcut.key()])
        if not keys or not shortcut.isEnabled():
            continue
        parent = shortcut.parent()
        widget = parent if isinstance(parent, QWidget) else None
        where, rank = _page_of(window, widget)
        what = shortcut.whatsThis() or (widget.accessibleName() if widget else "") or "–"
        before = merged.get((where, what))
        if before is not None:  # two keys for one thing: "V, Ctrl+R"
            keys = f"{before.keys}, {keys}"
        merged[(where, what)] = KeyRow(where, keys, what, rank)
    rows.extend(merged.values())
    # A page's own action for a key its menu item already shows (Print, Save as PDF).
    rows = [r for r in rows if r.rank < 100 or r.keys not in in_menus]
    unique = {(r.where, r.keys, r.what): r for r in rows}
    return sorted(unique.values(), key=lambda r: (r.rank, r.where, r.order, r.keys.lower()))


def not_built_yet(window: QMainWindow) -> list[str]:
    """Pages whose keys are listed only once they have been opened."""
    names = []
    if getattr(window, "patients_page", True) is None:
        names.append(QCoreApplication.translate("ShortcutsDialog", "Patients"))
    if getattr(window, "session_page", True) is None:
        names.append(QCoreApplication.translate("ShortcutsDialog", "Session (the guided steps)"))
    return names


def shortcuts_html(rows: list[KeyRow], missing: list[str]) -> str:
    translate = QCoreApplication.translate
    title = translate("ShortcutsDialog", "Keyboard shortcuts")
    parts = [f"<h2>{escape(title)}</h2>"]
    where = None
    for r in rows:
        if r.where != where:
            if where is not None:
                parts.append("</table>")
            where = r.where
            parts.append(f"<h3>{escape(where)}</h3><table cellspacing='0' cellpadding='4'>")
        parts.append(
            f"<tr><td width='170'><b>{escape(r.keys)}</b></td><td>{escape(r.what)}</td></tr>"
        )
    if where is not None:
        parts.append("</table>")
    heading = translate("ShortcutsDialog", "In lists and forms")
    keys = translate(
        "ShortcutsDialog",
        "Enter opens the selected row (a session on the Today board, a patient, a chart's "
        "session); Tab moves to the next field; Esc closes a dialog; Alt + an underlined "
        "letter presses that button or goes to that field.",
    )
    parts.append(f"<h3>{escape(heading)}</h3><p>{escape(keys, quote=False)}</p>")
    if missing:
        later = translate(
            "ShortcutsDialog",
            "Not opened yet, so not listed: {pages}. "
            "Their keys appear here once they have been opened.",
        )
        parts.append(f"<p><i>{escape(later.format(pages=', '.join(missing)))}</i></p>")
    return "".join(parts)


class ShortcutsDialog(BrowserDialog):
    """The keys of the window as it is now (built afresh each time it opens)."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        title = QCoreApplication.translate("ShortcutsDialog", "Keyboard shortcuts")
        super().__init__(parent or window, title, "shortcutsDialog", 580, 800)
        self.rows = shortcut_rows(window)
        self.browser.setHtml(shortcuts_html(self.rows, not_built_yet(window)))


class HelpActions(QObject):
    """Help > Keyboard shortcuts, User guide (F1), About kapdesk."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QDialog | None = None
        self.shortcuts_action = QAction(self.tr("&Keyboard shortcuts"), window)
        self.shortcuts_action.triggered.connect(lambda _=False: self.show_shortcuts())
        self.guide_action = QAction(self.tr("&User guide"), window)
        self.guide_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.guide_action.triggered.connect(lambda _=False: self.show_guide())
        self.about_action = QAction(self.tr("&About kapdesk"), window)
        self.about_action.triggered.connect(lambda _=False: self.show_about())

    def add_to(self, bar: QMenuBar) -> QMenu:
        menu = bar.addMenu(self.tr("&Help"))
        for action in (self.shortcuts_action, self.guide_action, self.about_action):
            menu.addAction(action)
        return menu

    def _show(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.close()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _=None, d=dialog: self._forget(d))
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def show_shortcuts(self) -> QDialog:
        actor = self.window.app.actor
        if actor is not None and can(actor.role, Action.VIEW_PATIENT):
            # The Patients page is built on first visit; build it now so its keys are listed
            # (it reads nothing about a patient until one is opened).
            self.window._ensure_patients_page()
        return self._show(ShortcutsDialog(self.window))

    def show_guide(self) -> QDialog:
        from kapdesk.ui.help_dialogs import UserGuideDialog

        actor = self.window.app.actor
        return self._show(UserGuideDialog(self.window, actor.role if actor else None))

    def show_about(self) -> QDialog:
        from kapdesk.ui.help_dialogs import AboutDialog

        return self._show(AboutDialog(self.window.app, self.window))
