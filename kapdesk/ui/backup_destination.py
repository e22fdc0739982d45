"""Back up now: where the backup goes (the admin chooses, e.g. a USB drive) and the dialog
that says where it went and whether the copy verified.

The folder question opens at the backup folder (the clinic setting, else ``backups``
beside the database), or at the nearest folder that exists when that one is not
connected. The answer box is window-modal but does not block (``open()``); the status
bar says the same for whoever looks there later.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from kapdesk.i18n.formats import decimal

if TYPE_CHECKING:
    from kapdesk.services.backup_check import BackupCheck
    from kapdesk.services.screen_dtos import BackupInfo


def existing_start(folder: Path) -> Path:
    """``folder``, or its nearest existing parent (a drive not connected), else home."""
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            return candidate
    return Path.home()


def choose_backup_folder(parent: QWidget | None, start: Path) -> Path | None:
    """Ask for the folder to back up into; None when the admin cancels."""
    name = QFileDialog.getExistingDirectory(
        parent,
        QCoreApplication.translate(
            "BackupDone", "Back up now – choose where the backup goes (e.g. a USB drive)"
        ),
        str(existing_start(start)),
        QFileDialog.Option.ShowDirsOnly,
    )
    return Path(name) if name else None


def size_text(size: int) -> str:
    """'850 KB', '12.5 MB' ('12,5 MB' in Portuguese)."""
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{decimal(f'{size / (1024 * 1024):.1f}')} MB"


def backup_done_text(info: BackupInfo, check: BackupCheck) -> tuple[str, str]:
    """(headline, details) for the answer box."""
    where = QCoreApplication.translate("BackupDone", "Folder: {folder}\nFile: {file} ({size})")
    where = where.format(
        folder=info.path.parent, file=info.path.name, size=size_text(info.size_bytes)
    )
    if check.ok:
        if check.entries == 1:
            verified = QCoreApplication.translate(
                "BackupDone",
                "It was read back and verified: integrity, foreign keys, schema, and the audit "
                "trail of 1 entry intact. File > Restore… can restore it. Keep the drive "
                "somewhere safe, away from this computer.",
            )
        else:
            verified = QCoreApplication.translate(
                "BackupDone",
                "It was read back and verified: integrity, foreign keys, schema, and the audit "
                "trail of {entries} entries intact. File > Restore… can restore it. Keep the "
                "drive somewhere safe, away from this computer.",
            ).format(entries=check.entries)
        headline = QCoreApplication.translate("BackupDone", "The backup was saved and verified.")
        return headline, f"{where}\n\n{verified}"
    problems = "\n".join(f"• {p}" for p in check.problems)
    found = QCoreApplication.translate("BackupDone", "Reading it back found:")
    advice = QCoreApplication.translate(
        "BackupDone", "Do not rely on this copy: check the drive and choose Back up now again."
    )
    headline = QCoreApplication.translate(
        "BackupDone", "The backup was written but did not verify."
    )
    return headline, f"{where}\n\n{found}\n{problems}\n\n{advice}"


def show_backup_done(parent: QWidget, info: BackupInfo, check: BackupCheck) -> QMessageBox:
    """The answer box (window-modal, not blocking), already open."""
    headline, details = backup_done_text(info, check)
    box = QMessageBox(parent)
    box.setWindowTitle(
        QCoreApplication.translate("BackupDone", "Backup saved")
        if check.ok
        else QCoreApplication.translate("BackupDone", "Backup did not verify")
    )
    box.setIcon(QMessageBox.Icon.Information if check.ok else QMessageBox.Icon.Warning)
    box.setText(headline)
    box.setInformativeText(details)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setStyleSheet(  # room for a long folder path on one line
        "QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel { min-width: 520px; }"
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
