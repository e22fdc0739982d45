"""Marking an entry "entered in error": the context menu on its row and the dialog.

Right-click a row (or press the Menu key or Shift+F10 on it) showing a reading, dose,
side effect, observation or PHQ-9/GAD-7 result: "Entered in error…" opens
``EnteredInErrorDialog``, which names the entry, asks why (required) and calls
``CorrectionService.mark_entered_in_error``. The entry stays in the record, struck
through with who, when and why; the services stop counting it. Once the session is
signed the menu says to write an addendum instead and offers the session's own
"Add addendum…"; while entries that rest on it stand (a dose on a pre-dose reading,
post-dose entries on the first dose) it names what to mark first. The service decides
(permission, signed, reason, what rests on the entry); its sentence is shown in the
dialog and nothing is stored on a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.corrections import RestingRefusal
from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.ui.entry_rows import Entry, EntryList, error_text
from kapdesk.ui.errors import message_of
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP, cannot_text
from kapdesk.ui.widgets import Field, error_label, ok_cancel, set_error

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableWidget

    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.signing import SignatureBanner

translate = QCoreApplication.translate

# The menu's and the dialog's words (translated where shown: translate("EntryMenu", X)).
MARK_TEXT = QT_TRANSLATE_NOOP("EntryMenu", "&Entered in error…")
SIGNED_TEXT = QT_TRANSLATE_NOOP("EntryMenu", "Signed session: correct it with an addendum")
ALREADY_TEXT = QT_TRANSLATE_NOOP("EntryMenu", "Already marked entered in error")
INTRO = QT_TRANSLATE_NOOP(
    "EnteredInErrorDialog",
    "The entry stays in the record, struck through, with your name, the time and the "
    "reason. It no longer counts for alerts, holds, charts, outcomes or discharge.",
)


class EnteredInErrorDialog(QDialog):
    """Names the entry, asks for the reason, stores the mark (or says why not)."""

    def __init__(self, app: AppContext, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.entry = entry
        self.setWindowTitle(translate("EnteredInErrorDialog", "Entered in error"))
        self.setModal(True)
        root = QVBoxLayout(self)
        self.what = QLabel(entry.label)
        self.what.setObjectName("pageTitle")
        self.what.setAccessibleName(translate("EnteredInErrorDialog", "Entry"))
        self.what.setWordWrap(True)
        self.what.setTextFormat(Qt.TextFormat.PlainText)
        root.addWidget(self.what)
        intro = QLabel(translate("EnteredInErrorDialog", INTRO))
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        intro.setMaximumWidth(520)
        root.addWidget(intro)
        form = QFormLayout()
        self.reason = QLineEdit()
        example = translate("EnteredInErrorDialog", "what was wrong, e.g. typed 182 for 128")
        self.reason.setPlaceholderText(example)
        # The example read whole, in a language that says it at more length too.
        self.reason.ensurePolished()  # the style sheet's font
        self.reason.setMinimumWidth(
            max(380, self.reason.fontMetrics().horizontalAdvance(example) + 24)
        )
        self.reason_field = Field(
            translate("EnteredInErrorDialog", "&Reason"), self.reason, name="Reason"
        )
        self.reason_field.add_to(form)
        root.addLayout(form)
        self.message = error_label()
        self.message.setAccessibleName(
            translate("EnteredInErrorDialog", "Entered in error message")
        )
        root.addWidget(self.message)
        self.buttons, self.ok = ok_cancel(
            translate("EnteredInErrorDialog", "&Mark entered in error"), self.submit, self.reject
        )
        root.addWidget(self.buttons)
        self.reason.textEdited.connect(lambda _t: set_error(self.message, ""))
        self.reason.setFocus()

    def submit(self) -> None:
        """Ask the service; close only when the mark is stored."""
        self.reason_field.clear_error()
        set_error(self.message, "")
        actor = self.app.actor
        if actor is None:
            set_error(
                self.message,
                translate("EnteredInErrorDialog", "Sign in to mark an entry entered in error."),
            )
            return
        try:
            self.app.ctx.corrections.mark_entered_in_error(
                actor, self.entry.kind, self.entry.id, self.reason.text()
            )
        except ValidationError as exc:
            if "reason" in exc.field.lower():
                self.reason_field.show_error(exc.message)
            else:
                set_error(self.message, exc.message)
            return
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
            return
        self.accept()


# ---------------------------------------------------------------- the context menu


def _signed(app: AppContext, entry: Entry) -> bool:
    if entry.session_id is None:
        return False
    from kapdesk.services.signing import SigningService

    try:
        return SigningService(app.ctx).is_signed("dosing_session", entry.session_id)
    except KapdeskError:
        return False  # the service refuses a signed session itself


def _resting(app: AppContext, entry: Entry) -> RestingRefusal | None:
    """The service's own rule (entries resting on this one stand), asked before typing."""
    try:
        return app.ctx.corrections.refusal(entry.kind, entry.id)
    except KapdeskError:
        return None  # the service says it again when the mark is stored


def _banner(widget: QWidget, session_id: int) -> SignatureBanner | None:
    """The session's signature banner on the same screen (its "Add addendum…")."""
    from kapdesk.ui.signing import SignatureBanner

    for banner in widget.window().findChildren(SignatureBanner):
        if banner.entity.value == "dosing_session" and banner.entity_id == session_id:
            return banner
    return None


class EntryMenu(QObject):
    """The context menu of one widget whose rows are entries.

    ``entry_at(point)`` names the entry at a point of ``widget`` (None: the keyboard,
    meaning the current row). Right-click, the Menu key and Shift+F10 open it; the
    widget may be disabled (a signed session's pages are) and still answers a
    right-click. ``menu`` and ``dialog`` are the last ones opened.
    """

    def __init__(
        self,
        app: AppContext,
        widget: QWidget,
        entry_at: Callable[[QPoint | None], Entry | None],
        *,
        mouse_target: QWidget | None = None,
    ) -> None:
        super().__init__(widget)
        self.app = app
        self.widget = widget
        self.entry_at = entry_at
        self.menu: QMenu | None = None
        self.dialog: EnteredInErrorDialog | None = None
        self.mouse_target = mouse_target or widget
        self.mouse_target.installEventFilter(self)
        if self.mouse_target is not widget:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ContextMenu and isinstance(event, QContextMenuEvent):
            keyboard = event.reason() == QContextMenuEvent.Reason.Keyboard
            if watched is self.mouse_target and not keyboard:
                return self.open_at(event.pos())
            if keyboard and watched is self.widget:
                return self.open_at(None)
        if (
            watched is self.widget
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            menu_key = event.key() == Qt.Key.Key_Menu
            shift_f10 = (
                event.key() == Qt.Key.Key_F10
                and event.modifiers() == Qt.KeyboardModifier.ShiftModifier
            )
            if menu_key or shift_f10:
                return self.open_at(None)
        return False

    def open_at(self, point: QPoint | None) -> bool:
        """Show the menu for the entry at ``point`` (None: the current row)."""
        entry = self.entry_at(point)
        if entry is None:
            return False
        if point is None:
            point = QPoint(8, 8)
        menu = self.build_menu(entry)
        self.menu = menu
        menu.popup(self.mouse_target.mapToGlobal(point))
        return True

    def build_menu(self, entry: Entry) -> QMenu:
        # Parented to the window: a signed session's pages are disabled, the menu is not.
        menu = QMenu(self.widget.window())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = menu.addAction(entry.label)
        title.setEnabled(False)
        menu.addSeparator()
        if entry.error is not None:
            menu.addAction(translate("EntryMenu", ALREADY_TEXT)).setEnabled(False)
            menu.addAction(error_text(entry.error)).setEnabled(False)
        elif not self._may_mark():
            menu.addAction(self._refusal()).setEnabled(False)
        elif _signed(self.app, entry):
            menu.addAction(translate("EntryMenu", SIGNED_TEXT)).setEnabled(False)
            banner = _banner(self.widget, entry.session_id or 0)
            if banner is not None and banner.add_button.isVisibleTo(banner):
                menu.addAction(translate("EntryMenu", "Add a&ddendum…"), banner.add_addendum)
        elif (resting := _resting(self.app, entry)) is not None:
            # What rests on the entry is marked first: say which before a reason is typed.
            why = menu.addAction(resting.menu_text)
            why.setEnabled(False)
            why.setToolTip(resting.message)
            why.setStatusTip(resting.message)
            menu.setToolTipsVisible(True)
        else:
            menu.addAction(translate("EntryMenu", MARK_TEXT), lambda: self.ask(entry))
        return menu

    def _may_mark(self) -> bool:
        actor = self.app.actor
        return actor is not None and can(actor.role, Action.MARK_ENTERED_IN_ERROR)

    def _refusal(self) -> str:
        actor = self.app.actor
        what = translate("EntryMenu", "mark entries entered in error")
        if actor is None:
            return translate("EntryMenu", "Sign in to mark an entry entered in error")
        return cannot_text(actor.role, what).removesuffix(".")  # a menu item: no full stop

    def ask(self, entry: Entry) -> EnteredInErrorDialog:
        """Open the dialog for ``entry`` (window-modal; the service refreshes the screens)."""
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()
        self.dialog = EnteredInErrorDialog(self.app, entry, self.widget.window())
        self.dialog.open()
        return self.dialog


# ---------------------------------------------------------------- wiring helpers


def table_menu(app: AppContext, table: QTableWidget) -> EntryMenu:
    """The entry menu on a table filled by ``entry_rows.fill_entry_rows``."""
    from kapdesk.ui.entry_rows import table_entry

    def entry_at(point: QPoint | None) -> Entry | None:
        row = table.currentRow() if point is None else table.rowAt(point.y())
        return table_entry(table, row)

    _keyboard_ready(table)
    return EntryMenu(app, table, entry_at, mouse_target=table.viewport())


def list_menu(app: AppContext, entries: EntryList) -> EntryMenu:
    def entry_at(point: QPoint | None) -> Entry | None:
        row = entries.currentRow() if point is None else entries.indexAt(point).row()
        return entries.entry(row)

    _keyboard_ready(entries)
    return EntryMenu(app, entries, entry_at, mouse_target=entries.viewport())


def widget_menu(app: AppContext, widget: QWidget, entry: Callable[[], Entry | None]) -> EntryMenu:
    """The entry menu on a single widget standing for one entry (a side-effect row)."""
    return EntryMenu(app, widget, lambda _point: entry())


def _keyboard_ready(view: QAbstractItemView) -> None:
    """Rows reachable by keyboard: focus, one current row, whole rows selected."""
    view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
