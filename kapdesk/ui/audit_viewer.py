"""The audit log window: filter the trail, read before/after side by side, export to CSV.

``AuditLogWindow`` (admin and clinician: VIEW_AUDIT) filters by patient (a
search box over ``PatientService.search`` and a list of the matches), user,
date range (local days, both ends included) and action (a family such as
"sign" or one exact action). Entries come newest first, ``PAGE_SIZE`` at a
time ("Load more" fetches the next page). The selected entry's before and
after values are shown side by side, one field per row; fields whose value
changed are highlighted. "Export CSV…" writes every matching entry through
``AuditQueryService.export_csv`` (which audits the export) to a file chosen
with :class:`SavePath` (tests replace ``SavePath.ask``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.i18n import _
from kapdesk.i18n.formats import medium_date
from kapdesk.services.audit_log import AuditQueryService
from kapdesk.services.patients import PatientService
from kapdesk.services.users import UserService
from kapdesk.ui.errors import message_of
from kapdesk.ui.widgets import error_label, plain_table, set_error
from kapdesk.ui.words import role_name

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import AuditRow
    from kapdesk.ui.app_context import AppContext

PAGE_SIZE: Final = 200
SEARCH_DELAY_MS: Final = 250
CHANGED_BACKGROUND: Final = "#fdf0d6"  # soft amber: "this field changed"
COLUMNS: Final = (
    QT_TRANSLATE_NOOP("AuditLogWindow", "Time"),
    QT_TRANSLATE_NOOP("AuditLogWindow", "User"),
    QT_TRANSLATE_NOOP("AuditLogWindow", "Action"),
    QT_TRANSLATE_NOOP("AuditLogWindow", "Record"),
    QT_TRANSLATE_NOOP("AuditLogWindow", "Id"),
    QT_TRANSLATE_NOOP("AuditLogWindow", "Patient"),
)

# (prefix, description): the families of audit actions the services write, each
# followed by the exact actions worth picking on their own. The prefixes are the
# stored action names (never translated); the descriptions are.
KNOWN_ACTIONS: Final = (
    ("auth", QT_TRANSLATE_NOOP("AuditLogWindow", "sign-in, lockouts")),
    ("auth.login_failed", ""),
    ("auth.locked", ""),
    ("user", QT_TRANSLATE_NOOP("AuditLogWindow", "user accounts")),
    ("denied", QT_TRANSLATE_NOOP("AuditLogWindow", "refused actions")),
    ("patient", QT_TRANSLATE_NOOP("AuditLogWindow", "patients")),
    ("patient.view", QT_TRANSLATE_NOOP("AuditLogWindow", "chart opened")),
    ("course", QT_TRANSLATE_NOOP("AuditLogWindow", "treatment courses")),
    ("session", QT_TRANSLATE_NOOP("AuditLogWindow", "dosing sessions")),
    ("vitals", QT_TRANSLATE_NOOP("AuditLogWindow", "vital signs")),
    ("dose", QT_TRANSLATE_NOOP("AuditLogWindow", "doses")),
    ("side_effect", QT_TRANSLATE_NOOP("AuditLogWindow", "side effects")),
    ("observation", QT_TRANSLATE_NOOP("AuditLogWindow", "sedation, dissociation")),
    ("instrument", QT_TRANSLATE_NOOP("AuditLogWindow", "PHQ-9, GAD-7")),
    ("note", QT_TRANSLATE_NOOP("AuditLogWindow", "notes")),
    ("sign", QT_TRANSLATE_NOOP("AuditLogWindow", "signatures")),
    ("sign.failed", ""),
    ("addendum", QT_TRANSLATE_NOOP("AuditLogWindow", "addenda")),
    ("report", QT_TRANSLATE_NOOP("AuditLogWindow", "printed and saved reports")),
    ("audit", QT_TRANSLATE_NOOP("AuditLogWindow", "audit exports")),
    ("backup", QT_TRANSLATE_NOOP("AuditLogWindow", "backups and restores")),
    ("settings", QT_TRANSLATE_NOOP("AuditLogWindow", "settings")),
    ("ui", QT_TRANSLATE_NOOP("AuditLogWindow", "screen lock")),
)


def _tr(marked: object) -> str:
    """A text marked with QT_TRANSLATE_NOOP("AuditLogWindow", ...), translated."""
    return QCoreApplication.translate("AuditLogWindow", str(marked))


class SavePath:
    """Where to write the CSV; tests replace ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent,
            QCoreApplication.translate("AuditLogWindow", "Export audit log as CSV"),
            str(suggested),
            QCoreApplication.translate("AuditLogWindow", "CSV files (*.csv)"),
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".csv" else path.with_name(path.name + ".csv")


def value_text(value: Any) -> str:
    """A stored value as one line: text as is, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def diff_rows(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str, str, bool]]:
    """(field, before, after, changed) for every field of either side: the changed
    fields first, each group in stored order.

    ``changed`` is only claimed when both sides exist (a creation has no before).
    """
    b, a = before or {}, after or {}
    names = list(dict.fromkeys([*a, *b]))
    both = before is not None and after is not None
    rows = [
        (
            name,
            value_text(b.get(name)),
            value_text(a.get(name)),
            both and b.get(name) != a.get(name),
        )
        for name in names
    ]
    return sorted(rows, key=lambda r: not r[3])  # stable: stored order within each group


def local_seconds(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0)).astimezone()


class AuditLogWindow(QWidget):
    """Filters over a table of entries, and the selected entry's before/after."""

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.rows: list[AuditRow] = []
        self.more = False
        self.changed_fields: list[str] = []  # of the selected entry: highlighted in the detail
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("auditLog")
        self.setWindowTitle(self.tr("Audit log – DEMO") if app.demo else self.tr("Audit log"))
        self.resize(1100, 720)
        root = QVBoxLayout(self)
        self.message = error_label()  # the filters may report an unreadable user list
        self.message.setAccessibleName(self.tr("Audit log message"))
        root.addLayout(self._build_filters())
        root.addWidget(self.message)

        columns = [_tr(c) for c in COLUMNS]
        self.table = plain_table(columns, self.tr("Audit entries"), stretch=5)
        self.table.currentCellChanged.connect(lambda *_: self.show_selected())
        self.detail_title = QLabel(self.tr("Select an entry to see its values before and after."))
        self.detail_title.setObjectName("pageSubtitle")
        self.detail_title.setWordWrap(True)
        self.detail_title.setAccessibleName(self.tr("Selected entry"))
        self.detail = plain_table(
            (self.tr("Field"), self.tr("Before"), self.tr("After")), self.tr("Before and after")
        )
        for col in (1, 2):
            self.detail.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.detail.setWordWrap(True)
        # The record's own names and values, as stored (English codes, typed text): read
        # as they are in every language.
        self.detail.setProperty("storedValues", True)
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 0, 0, 0)
        lower_lay.addWidget(self.detail_title)
        lower_lay.addWidget(self.detail, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        root.addWidget(split, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Entries shown"))
        self.status = QLabel()
        self.status.setObjectName("pageSubtitle")
        self.status.setAccessibleName(self.tr("Export status"))
        self.status.setWordWrap(True)
        self.more_button = QPushButton(self.tr("Load &more"))
        self.more_button.clicked.connect(self.load_more)
        self.export_button = QPushButton(self.tr("&Export CSV…"))
        self.export_button.clicked.connect(self.export_csv)
        close = QPushButton(self.tr("&Close"))
        close.clicked.connect(self.close)
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        root.addLayout(bottom)
        QShortcut(QKeySequence("F5"), self, self.apply_filters).setWhatsThis(
            self.tr("Read the log again")
        )
        QShortcut(QKeySequence("Esc"), self, self.close).setWhatsThis(
            self.tr("Close the audit log")
        )

        app.signals.actor_changed.connect(self._actor_changed)
        self.apply_filters()

    # ------------------------------------------------------------ filters
    def _build_filters(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.patient_search = QLineEdit()
        self.patient_search.setPlaceholderText(self.tr("Name, MRN or date of birth"))
        self.patient_search.setClearButtonEnabled(True)
        self.patient_combo = QComboBox()
        self.patient_combo.addItem(self.tr("Any patient"), None)
        self.patient_combo.setMinimumContentsLength(28)
        self.patient_combo.setAccessibleName(self.tr("Matching patients"))
        self.user_combo = QComboBox()
        self.user_combo.addItem(self.tr("Any user"), None)
        try:
            for u in UserService(self.app.ctx).list_users():
                text = self.tr("{name} ({username}, {role})").format(
                    name=u.full_name, username=u.username, role=role_name(u.role)
                )
                self.user_combo.addItem(text, u.id)
        except KapdeskError as exc:
            set_error(self.message, message_of(exc))
        today = self.app.now().astimezone().date()
        self.since = self._date_edit(today - timedelta(days=30))
        self.until = self._date_edit(today)
        self.action_combo = QComboBox()
        # As wide as its longest English item: a longer translation is cut short in the box
        # (never in its list) rather than widening the window past the screen.
        self.action_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.action_combo.setMinimumContentsLength(25)
        self.action_combo.addItem(self.tr("All actions"), None)
        for prefix, about in KNOWN_ACTIONS:
            family = "." not in prefix
            text = f"{prefix}.* – {_tr(about)}" if family else f"    {prefix}"
            self.action_combo.addItem(text, prefix)
        self.until_error = error_label()
        self.until_error.setAccessibleName(self.tr("Date range error"))
        refresh = QPushButton(self.tr("&Refresh"))
        refresh.setToolTip(self.tr("Read the audit log again (F5)"))
        refresh.clicked.connect(self.apply_filters)
        cells: list[tuple[str, QWidget, int, int]] = [
            (self.tr("&Patient"), self.patient_search, 0, 0),
            (self.tr("&User"), self.user_combo, 0, 3),
            (self.tr("&From"), self.since, 1, 0),
            (self.tr("&To"), self.until, 1, 3),
            (self.tr("&Action"), self.action_combo, 2, 0),
        ]
        for text, widget, row, col in cells:
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(text.replace("&", ""))
            grid.addWidget(label, row, col)
            grid.addWidget(widget, row, col + 1)
        grid.addWidget(self.patient_combo, 0, 2)
        grid.addWidget(self.until_error, 1, 5)
        grid.addWidget(refresh, 2, 5, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(5, 1)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.search_patients)
        self.patient_search.textEdited.connect(lambda _t: self.search_timer.start())
        self.patient_search.returnPressed.connect(self.search_patients)
        for combo in (self.patient_combo, self.user_combo, self.action_combo):
            combo.activated.connect(lambda _i: self.apply_filters())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        return grid

    @staticmethod
    def _date_edit(day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def search_patients(self) -> None:
        """Fill the matches for the search text; the first match becomes the filter."""
        self.search_timer.stop()
        text = self.patient_search.text().strip()
        self.patient_combo.clear()
        self.patient_combo.addItem(self.tr("Any patient"), None)
        if text:
            try:
                found = PatientService(self.app.ctx).search(text, limit=50)
            except KapdeskError as exc:
                set_error(self.message, message_of(exc))
                found = []
            for p in found:
                text = self.tr("{name} · {mrn} · born {born}").format(
                    name=p.display_name, mrn=p.mrn, born=medium_date(p.date_of_birth)
                )
                self.patient_combo.addItem(text, p.id)
            if not found:
                self.patient_combo.setItemText(
                    0, self.tr("No patient matches; showing any patient")
                )
            self.patient_combo.setCurrentIndex(1 if found else 0)
        self.apply_filters()

    def filters(self) -> dict[str, Any]:
        since, until = self.since.date().toPython(), self.until.date().toPython()
        assert isinstance(since, date)
        assert isinstance(until, date)
        return {
            "patient_id": self.patient_combo.currentData(),
            "user_id": self.user_combo.currentData(),
            "since": _local_midnight(since),
            "until": _local_midnight(until + timedelta(days=1)),
            "action_prefix": self.action_combo.currentData(),
        }

    # ------------------------------------------------------------ reading
    def _fetch(self, offset: int) -> list[AuditRow] | None:
        set_error(self.message, "")
        set_error(self.until_error, "")
        if self.since.date() > self.until.date():
            text = self.tr("To ({until}) is before From ({since}); choose a later To date.")
            set_error(
                self.until_error,
                text.format(
                    until=self.until.date().toString("yyyy-MM-dd"),
                    since=self.since.date().toString("yyyy-MM-dd"),
                ),
            )
            return None
        try:
            return AuditQueryService(self.app.ctx).query(
                self.app.require_actor(), **self.filters(), limit=PAGE_SIZE, offset=offset
            )
        except ValidationError as exc:
            dates = ("Until", "Since", _("Until"), _("Since"))  # named in any language
            target = self.until_error if exc.field in dates else self.message
            set_error(target, exc.message)
        except KapdeskError as exc:  # PermissionDenied, DatabaseBusy
            set_error(self.message, message_of(exc))
        return None

    def apply_filters(self) -> None:
        """Read the first page for the current filters."""
        rows = self._fetch(0)
        self.rows = rows or []
        self.table.setRowCount(0)
        self._append(self.rows)
        self.more = rows is not None and len(rows) == PAGE_SIZE
        self._show_count()
        if self.rows:
            self.table.selectRow(0)
        else:
            self.show_selected()

    def load_more(self) -> None:
        rows = self._fetch(len(self.rows))
        if rows is None:
            return
        self.rows.extend(rows)
        self._append(rows)
        self.more = len(rows) == PAGE_SIZE
        self._show_count()

    def _append(self, rows: list[AuditRow]) -> None:
        table = self.table
        table.setUpdatesEnabled(False)
        for r in rows:
            i = table.rowCount()
            table.insertRow(i)
            patient = f"{r.patient_name} ({r.patient_mrn})" if r.patient_name else ""
            cells = (
                local_seconds(r.at),
                r.user_name or "–",
                r.action,
                r.entity,
                r.entity_id or "",
                patient,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, r.id)
                table.setItem(i, c, item)
        table.setUpdatesEnabled(True)

    def _show_count(self) -> None:
        n = len(self.rows)
        shown = self.tr("1 entry shown") if n == 1 else self.tr("{n} entries shown").format(n=n)
        more = self.tr(" (more available)") if self.more else ""
        self.count_label.setText(shown + more)
        self.more_button.setEnabled(self.more)

    def selected(self) -> AuditRow | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def show_selected(self) -> None:
        row = self.selected()
        table = self.detail
        table.setRowCount(0)
        self.changed_fields = []
        if row is None:
            self.detail_title.setText(
                self.tr("Select an entry to see its values before and after.")
            )
            return
        who = row.user_name or self.tr("no signed-in user")
        what = f"{row.entity} {row.entity_id}" if row.entity_id else row.entity
        title = self.tr("Entry {id}: {action} on {record} by {who} at {time}").format(
            id=row.id, action=row.action, record=what, who=who, time=local_seconds(row.at)
        )
        if row.before is None:
            title += "  ·  " + self.tr("no earlier values (a new record or event)")
        self.detail_title.setText(title)
        highlight = QBrush(QColor(CHANGED_BACKGROUND))
        for name, before, after, changed in diff_rows(row.before, row.after):
            i = table.rowCount()
            table.insertRow(i)
            if changed:
                self.changed_fields.append(name)
            for c, text in enumerate((name, before, after)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if changed:
                    item.setBackground(highlight)
                    if c == 0:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                table.setItem(i, c, item)
        table.resizeRowsToContents()

    # ------------------------------------------------------------ export
    def export_csv(self) -> Path | None:
        day = self.app.now().astimezone().strftime("%Y-%m-%d")
        path = SavePath.ask(self, Path.home() / f"kapdesk-audit-{day}.csv")
        if path is None:
            return None
        set_error(self.message, "")
        try:
            count = AuditQueryService(self.app.ctx).export_csv(
                self.app.require_actor(), path, **self.filters()
            )
        except KapdeskError as exc:
            message = exc.message if isinstance(exc, ValidationError) else message_of(exc)
            set_error(self.message, self.tr("Not exported: {reason}").format(reason=message))
            return None
        except OSError as exc:
            text = self.tr("Not exported: {path} could not be written ({reason}).")
            set_error(self.message, text.format(path=path, reason=exc.strerror))
            return None
        if count == 1:
            done = self.tr("Exported 1 entry to {path}.")
        else:
            done = self.tr("Exported {count} entries to {path}.")
        self.status.setText(done.format(count=count, path=path))
        self.apply_filters()  # the export's own entry is now at the top
        return path

    # ------------------------------------------------------------ access
    def _actor_changed(self) -> None:
        actor = self.app.actor
        if actor is None or not can(actor.role, Action.VIEW_AUDIT):
            self.close()
