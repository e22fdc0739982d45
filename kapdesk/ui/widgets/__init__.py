"""Small shared pieces for forms and charts: labelled fields with inline errors, banners, times.

Nothing heavy is imported here (chart modules such as ``outcome_chart`` import
pyqtgraph themselves, lazily), so importing ``kapdesk.ui.widgets.x`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kapdesk.domain import timetext
from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.ui.errors import message_of
from kapdesk.ui.widgets.edits import clear_when_edited
from kapdesk.ui.words import english

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QTableWidget

__all__ = [
    "Field",
    "FieldSet",
    "banner",
    "error_label",
    "fill_table",
    "fit_wrapped_labels",
    "local_date",
    "local_datetime",
    "local_time",
    "ok_cancel",
    "page_head",
    "plain_table",
    "row_id",
    "set_banner",
    "set_error",
    "with_error_line",
    "years_between",
]


def error_label() -> QLabel:
    """A red message line under a field; hidden while empty."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def set_error(label: QLabel, text: str) -> None:
    """Show (or with "" hide) an inline message; a dialog grows to fit wrapped text."""
    label.setText(text)
    label.setVisible(bool(text))
    window = label.window()
    if isinstance(window, QDialog) and window.isVisible():
        window.adjustSize()


def with_error_line(editor: QWidget, error: QLabel) -> QWidget:
    """The editor with its inline error line right under it, as one form cell."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(editor)
    lay.addWidget(error)
    return box


def local_time(moment: datetime) -> str:
    return timetext.clock(moment)


def local_date(moment: datetime) -> str:
    return timetext.day(moment)


def local_datetime(moment: datetime) -> str:
    return timetext.day_clock(moment)


def years_between(born: date, on: date) -> int:
    """Whole years of age on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Field:
    """An editor with its mnemonic buddy label and an inline error line under it.

    The label text is the domain's field name (with an ``&`` for the mnemonic),
    so a ValidationError's ``field`` finds its widget. A label in another language than
    English is found by its ``name`` (give it: the English) as well as by the label.
    """

    def __init__(self, text: str, editor: QWidget, *, name: str | None = None) -> None:
        self.editor = editor
        self.shown = text.replace("&", "")  # the label as it reads, without its mnemonic
        self.name = name or self.shown
        editor.setAccessibleName(self.shown)
        self.label = QLabel(text)
        self.label.setBuddy(editor)
        self.error = error_label()
        said = QCoreApplication.translate("Field", "{field} error")
        self.error.setAccessibleName(said.format(field=self.name if english() else self.shown))
        self.box = with_error_line(editor, self.error)
        clear_when_edited(editor, self.error)

    def add_to(self, form: QFormLayout) -> None:
        form.addRow(self.label, self.box)

    def show_error(self, message: str) -> None:
        set_error(self.error, message)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        select_all = getattr(self.editor, "selectAll", None)
        if callable(select_all):
            select_all()

    def clear_error(self) -> None:
        set_error(self.error, "")


class FieldSet:
    """Fields by the domain's field name; routes a ValidationError to its field."""

    def __init__(self, fields: Iterable[Field], aliases: dict[str, str] | None = None) -> None:
        self.fields = {f.name: f for f in fields}
        self.aliases = aliases or {}
        # the labels as shown (another language's): a translated field name finds them too
        self._shown = {f.shown: f for f in self.fields.values()}

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` at the named field (or the field labelled so); False if no
        field has that name."""
        name = self.aliases.get(field, field)
        target = self.fields.get(name) or self._shown.get(name)
        if target is None:
            return False
        target.show_error(message)
        return True

    def show_refusal(self, exc: KapdeskError, message: QLabel) -> None:
        """Say why a save was refused: a ValidationError at its field (on ``message`` when
        no field has that name), any other refusal (permission, lock, busy database) on
        ``message``."""
        if not isinstance(exc, ValidationError):
            set_error(message, message_of(exc))
        elif not self.show_error(exc.field, exc.message):
            set_error(message, exc.message)

    def clear_errors(self) -> None:
        for f in self.fields.values():
            f.clear_error()

    def messages(self) -> dict[str, str]:
        """Errors currently shown, by field name (for tests and screen readers)."""
        return {n: f.error.text() for n, f in self.fields.items() if not f.error.isHidden()}


def banner(object_name: str = "flagBanner") -> QLabel:
    """A full-width message strip; hidden until ``set_banner`` gives it text."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def ok_cancel(
    ok_text: str, accept: Callable[[], object], reject: Callable[[], object]
) -> tuple[QDialogButtonBox, QPushButton]:
    """A dialog's OK and Cancel: OK says ``ok_text`` and is the default button (Enter);
    OK calls ``accept``, Cancel (and Esc) ``reject``. Returns (button box, OK button)."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setDefault(True)
    ok.setAutoDefault(True)
    box.accepted.connect(accept)
    box.rejected.connect(reject)
    return box, ok


def page_head(title: str, hint: str) -> tuple[QHBoxLayout, QLabel, QLabel]:
    """A page's heading row: the title, a subtitle beside it (empty until set) and a key
    hint at the right. Returns (row, title label, subtitle label)."""
    title_label = QLabel(title)
    title_label.setObjectName("pageTitle")
    subtitle = QLabel()
    subtitle.setObjectName("pageSubtitle")
    head = QHBoxLayout()
    head.addWidget(title_label)
    head.addSpacing(12)
    head.addWidget(subtitle, 1, Qt.AlignmentFlag.AlignBottom)
    hint_label = QLabel(hint)
    hint_label.setObjectName("pageSubtitle")
    head.addWidget(hint_label, 0, Qt.AlignmentFlag.AlignBottom)
    return head, title_label, subtitle


def set_banner(label: QLabel, text: str, level: str = "alert") -> None:
    """``level``: "alert" (red) or "caution" (amber); "" text hides the banner."""
    label.setText(text)
    label.setAccessibleName(text)
    label.setProperty("level", level)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(text))


def fit_wrapped_labels(root: QWidget, width: int) -> None:
    """Reserve each word-wrapped label's height at its minimum width, else at ``width``.

    Qt sizes a top-level dialog without asking wrapped labels for their
    height-for-width, and then squeezes the other rows to make room for them.
    Call after the style sheet applies (``ensurePolished``) and after texts change.
    """
    root.ensurePolished()
    for label in root.findChildren(QLabel):
        if label.wordWrap() and label.text():
            label.setMinimumHeight(label.heightForWidth(label.minimumWidth() or width))


def plain_table(
    headers: Iterable[str], accessible_name: str, *, stretch: int | None = None
) -> QTableWidget:
    """A read-only, whole-row-selecting table for short lists; ``stretch``: column taking
    the spare width (default: the last)."""
    # Imported here: a PySide6 view class builds its enum types when first imported, which
    # the sign-in window (it imports this package) would otherwise pay for before it paints.
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

    heads = list(headers)
    table = QTableWidget(0, len(heads))
    table.setHorizontalHeaderLabels(heads)
    table.setAccessibleName(accessible_name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header = table.horizontalHeader()
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(False)
    return table


def fill_table(
    table: QTableWidget,
    rows: Iterable[tuple[int, Iterable[str]]],
    *,
    bold_rows: frozenset[int] | set[int] = frozenset(),
) -> None:
    """Replace the rows; each row is (id kept in UserRole of column 0, cell texts)."""
    from PySide6.QtWidgets import QTableWidgetItem

    from kapdesk.ui.widgets.fit import refilling

    keep = table.currentRow()
    with refilling(table):  # a fitted table: measured once, when filled
        table.setRowCount(0)
        for row_id, cells in rows:
            r = table.rowCount()
            table.insertRow(r)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row_id)
                if row_id in bold_rows:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(r, c, item)
    if 0 <= keep < table.rowCount():
        table.selectRow(keep)


def row_id(table: QTableWidget, row: int | None = None) -> int | None:
    """The id stored in column 0 of ``row`` (default: the current row)."""
    r = table.currentRow() if row is None else row
    item = table.item(r, 0) if r >= 0 else None
    if item is None:
        return None
    value = item.data(Qt.ItemDataRole.UserRole)
    return int(value) if value is not None else None
