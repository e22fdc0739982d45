"""Admin > Clinic settings…: the clinic's name, idle lock, backups and default protocol.

Backups: which automatic backups are kept is three settings (kapdesk.domain.backup_retention):
the newest of each of the last N days, of each of the last N weeks, within a total size
cap in GB. A database from before them has only "Backups to keep": a note under the
fields says that it is read as that many days until the administrator saves.

Decisions a caller must know:

* The menu item is shown only to roles with ``MANAGE_SETTINGS`` (admins); the
  service refuses everyone else anyway.
* The dialog shows what is stored; a stored value that is not valid is named in a
  banner at the top (the field shows the default kapdesk uses meanwhile), and it is
  replaced only when the admin saves. Save passes every field to
  ``SettingsService.update``: a ValidationError is shown at its field and nothing
  is stored; on success the window title, the idle lock and the backups use the
  new values at once.
* :class:`ClinicSettingsActions` also reports invalid stored values: a line in the
  status bar for everyone, and once per sign-in a question to an admin
  (``SettingsNotice.ask``, which tests monkeypatch) offering to open the dialog.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.services.settings import SETTINGS, ClinicSettings, SettingProblem, SettingsService
from kapdesk.ui.errors import error_text
from kapdesk.ui.field_names import field_aliases, name_errors
from kapdesk.ui.widgets import Field, FieldSet, banner, error_label, set_banner, set_error

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.main_window import MainWindow

_log = logging.getLogger(__name__)

DEFAULT_FOLDER_TEXT = QT_TRANSLATE_NOOP(
    "ClinicSettingsDialog", "the folder 'backups' beside the database"
)
# The units of the settings (storage.settings_store), after a number in a spin box.
_UNITS = {
    "minutes": QT_TRANSLATE_NOOP("ClinicSettingsDialog", " minutes"),
    "days": QT_TRANSLATE_NOOP("ClinicSettingsDialog", " days"),
    "weeks": QT_TRANSLATE_NOOP("ClinicSettingsDialog", " weeks"),
    "GB": QT_TRANSLATE_NOOP("ClinicSettingsDialog", " GB"),
}


def problems_text(problems: list[SettingProblem]) -> str:
    """One sentence per invalid stored value, for the banner and the admin's notice."""
    lines = [p.message[0].upper() + p.message[1:] + "." for p in problems]
    return "\n".join(lines)


def _spin(key: str) -> QSpinBox:
    spec = SETTINGS[key]
    spin = QSpinBox()
    spin.setRange(spec.minimum, spec.maximum)
    if spec.unit:
        suffix = _UNITS.get(spec.unit)
        spin.setSuffix(
            QCoreApplication.translate("ClinicSettingsDialog", str(suffix))
            if suffix
            else f" {spec.unit}"
        )
    return spin


class FolderChooser:
    @classmethod
    def choose(cls, parent: QWidget | None, start: str) -> str | None:
        title = QCoreApplication.translate("ClinicSettingsDialog", "Choose the backup folder")
        chosen = QFileDialog.getExistingDirectory(parent, title, start)
        return chosen or None


class ClinicSettingsDialog(QDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.service = SettingsService(app.ctx)
        self.saved: ClinicSettings | None = None
        self.setObjectName("clinicSettingsDialog")
        self.setWindowTitle(self.tr("Clinic settings"))
        self.setModal(True)
        self.setMinimumWidth(660)

        root = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "These settings apply to every workstation using this database. Each change "
                "is recorded in the audit log with its old and new value."
            )
        )
        intro.setObjectName("dialogIntro")
        intro.setWordWrap(True)
        root.addWidget(intro)
        self.problems_banner = banner()
        self.problems_banner.setAccessibleName(self.tr("Settings problems"))
        root.addWidget(self.problems_banner)

        self.clinic_name = QLineEdit()
        self.clinic_name.setMaxLength(SETTINGS["clinic_name"].maximum)
        self.clinic_name.setToolTip(
            self.tr("Printed at the top of every summary and in the title bar")
        )
        self.idle_lock = _spin("idle_lock_minutes")
        self.keep_days = _spin("backup_keep_days")
        self.keep_days.setToolTip(self.tr("The newest automatic backup of each of this many days"))
        self.keep_weeks = _spin("backup_keep_weeks")
        self.keep_weeks.setToolTip(
            self.tr("The newest automatic backup of each of this many weeks")
        )
        self.size_cap = _spin("backup_size_cap_gb")
        self.size_cap.setToolTip(
            self.tr("The automatic backups kept never take more than this together")
        )
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(
            QCoreApplication.translate("ClinicSettingsDialog", str(DEFAULT_FOLDER_TEXT))
        )
        self.choose_folder = QPushButton(self.tr("C&hoose…"))
        self.choose_folder.clicked.connect(self._choose_folder)
        self.default_folder = QPushButton(self.tr("&Default"))
        self.default_folder.setToolTip(self.tr("Use the folder 'backups' beside the database"))
        self.default_folder.clicked.connect(lambda: self.folder.clear())
        folder_row = QWidget()
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose_folder)
        row.addWidget(self.default_folder)
        self.protocol = QComboBox()
        for pid, text in self.service.protocol_choices():
            self.protocol.addItem(text, pid)

        form = QFormLayout()
        fields = [
            Field(self.tr("Clinic &name"), self.clinic_name, name="Clinic name"),
            Field(self.tr("&Idle lock after"), self.idle_lock, name="Idle lock"),
            Field(self.tr("Backup &folder"), folder_row, name="Backup folder"),
            Field(self.tr("Daily backups &kept"), self.keep_days, name="Daily backups kept"),
            Field(self.tr("&Weekly backups kept"), self.keep_weeks, name="Weekly backups kept"),
            Field(self.tr("Backup size &cap"), self.size_cap, name="Backup size cap"),
            Field(self.tr("Default &protocol"), self.protocol, name="Default protocol"),
        ]
        self.folder.setAccessibleName(self.tr("Backup folder"))
        for f in fields:
            f.add_to(form)
        self.fields = FieldSet(fields, aliases=field_aliases(*(f.name for f in fields)))
        name_errors(fields)
        root.addLayout(form)
        hint = QLabel(
            self.tr(
                "Of the automatic backups (on exit and daily), kapdesk keeps the newest of each "
                "of those days and of each of those weeks (Monday to Sunday), newest first as "
                "long as they fit in the size cap; the newest is always kept. Backups made with "
                "Back up now are never deleted and do not count toward the cap. A folder on a "
                "removable drive must be connected when a backup is made."
            )
        )
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        root.addWidget(hint)
        self.old_keep = QLabel()
        self.old_keep.setObjectName("fieldHint")
        self.old_keep.setAccessibleName(self.tr("Former backup setting"))
        self.old_keep.setWordWrap(True)
        root.addWidget(self.old_keep)
        root.addStretch(1)
        self.message = error_label()
        self.message.setAccessibleName(self.tr("Settings message"))
        root.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        root.addWidget(buttons)
        self.load()
        self.clinic_name.setFocus()

    def load(self) -> None:
        current = self.service.current()
        self.clinic_name.setText(current.clinic_name)
        self.idle_lock.setValue(current.idle_lock_minutes)
        self.keep_days.setValue(current.backup_keep_days)
        self.keep_weeks.setValue(current.backup_keep_weeks)
        self.size_cap.setValue(current.backup_size_cap_gb)
        old = current.keep_days_read_from
        self.old_keep.setVisible(old is not None)
        if old is not None:
            self.old_keep.setText(
                self.tr(
                    "Daily backups kept is read from the former setting Backups to keep "
                    "({old}): the newest backup of each of the last {days} days. Save stores "
                    "it in days."
                ).format(old=old, days=current.backup_keep_days)
            )
        self.folder.setText(current.backup_folder)
        index = self.protocol.findData(current.default_protocol)
        self.protocol.setCurrentIndex(max(index, 0))
        problems = self.service.problems()
        set_banner(self.problems_banner, problems_text(problems), "caution")

    def values(self) -> dict[str, object]:
        return {
            "clinic_name": self.clinic_name.text(),
            "idle_lock_minutes": self.idle_lock.value(),
            "backup_folder": self.folder.text(),
            "backup_keep_days": self.keep_days.value(),
            "backup_keep_weeks": self.keep_weeks.value(),
            "backup_size_cap_gb": self.size_cap.value(),
            "default_protocol": self.protocol.currentData(),
        }

    def _choose_folder(self) -> None:
        chosen = FolderChooser.choose(self, self.folder.text() or str(self.app.ctx.db.path.parent))
        if chosen:
            self.folder.setText(chosen)

    def submit(self) -> None:
        self.fields.clear_errors()
        set_error(self.message, "")
        try:
            self.saved = self.service.update(self.app.require_actor(), **self.values())
        except ValidationError as exc:
            if not self.fields.show_error(exc.field, exc.message):
                set_error(self.message, exc.message)
            self.adjustSize()  # room for the wrapped message
            return
        except KapdeskError as exc:
            set_error(self.message, error_text(exc))
            return
        self.accept()


class SettingsNotice:
    @classmethod
    def ask(cls, parent: QWidget | None, text: str) -> bool:
        """True: the admin wants to open the settings now."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(QCoreApplication.translate("SettingsNotice", "Clinic settings"))
        box.setText(
            QCoreApplication.translate(
                "SettingsNotice", "Some stored clinic settings are not valid."
            )
        )
        question = QCoreApplication.translate("SettingsNotice", "Open the clinic settings now?")
        box.setInformativeText(f"{text}\n\n{question}")
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close)
        return box.exec() == QMessageBox.StandardButton.Open


class ClinicSettingsActions(QObject):
    """The Admin menu item, the status-bar line and the admin's notice (see module doc)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.app: AppContext = window.app
        self.dialog: ClinicSettingsDialog | None = None
        self._told: set[int] = set()  # user ids already asked in this run
        self.action = QAction(self.tr("Clinic &settings…"), window)
        self.action.setToolTip(self.tr("Clinic name, idle lock, backups and the default protocol"))
        self.action.triggered.connect(lambda _=False: self.open_dialog())
        self.status = QLabel()
        self.status.setObjectName("settingsStatus")
        self.status.setAccessibleName(self.tr("Clinic settings status"))
        self.status.hide()
        window.statusBar().addWidget(self.status)
        self.app.signals.actor_changed.connect(self._actor_changed)
        self.update_permissions()
        self.report_problems(ask=False)
        # The admin signed in before the window was built: ask once the window is up.
        self._start = QTimer(self)
        self._start.setSingleShot(True)
        self._start.timeout.connect(lambda: self.report_problems(ask=True))
        self._start.start(0)

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.action)

    def update_permissions(self) -> None:
        actor = self.app.actor
        allowed = actor is not None and can(actor.role, Action.MANAGE_SETTINGS)
        self.action.setVisible(allowed)
        self.action.setEnabled(allowed)

    def _actor_changed(self) -> None:
        self.update_permissions()
        self.report_problems(ask=True)

    def report_problems(self, *, ask: bool) -> list[SettingProblem]:
        """Show invalid stored values in the status bar; ask a newly signed-in admin once."""
        try:
            problems = SettingsService(self.app.ctx).problems()
        except Exception as exc:  # never a crash for a report: say nothing rather than wrong
            _log.warning("clinic settings not checked: %s", exc)
            return []
        if not problems:
            self.status.hide()
            return []
        count = len(problems)
        if count == 1:
            text = self.tr(
                "Clinic settings: 1 stored value is not valid (defaults in use); an "
                "administrator can correct them in Admin > Clinic settings."
            )
        else:
            text = self.tr(
                "Clinic settings: {count} stored values are not valid (defaults in use); an "
                "administrator can correct them in Admin > Clinic settings."
            ).format(count=count)
        self.status.setText(text)
        self.status.setToolTip(problems_text(problems))
        self.status.show()
        actor = self.app.actor
        if (
            ask
            and actor is not None
            and can(actor.role, Action.MANAGE_SETTINGS)
            and actor.user_id not in self._told
        ):
            self._told.add(actor.user_id)
            if SettingsNotice.ask(self.window, problems_text(problems)):
                self.open_dialog()
        return problems

    def open_dialog(self) -> ClinicSettingsDialog | None:
        actor = self.app.actor
        if actor is None or not can(actor.role, Action.MANAGE_SETTINGS):
            return None
        self.dialog = ClinicSettingsDialog(self.app, self.window)
        self.dialog.accepted.connect(self._saved)
        self.dialog.open()
        return self.dialog

    def _saved(self) -> None:
        dialog = self.dialog
        if dialog is None or dialog.saved is None:
            return
        saved = dialog.saved
        lock = getattr(self.window, "screen_lock", None)
        watcher = getattr(lock, "watcher", None)
        if watcher is not None:
            watcher.set_timeout(timedelta(minutes=saved.idle_lock_minutes))
        update_title = getattr(self.window, "_update_title", None)
        if callable(update_title):
            update_title()
        self.report_problems(ask=False)
        self.window.statusBar().showMessage(self.tr("Clinic settings saved."), 5000)
