"""Help > User guide (one bundled HTML page per role) and Help > About kapdesk.

The guides are ``resources/help/<role>.html`` (the package ``kapdesk.resources``), and
each translation ``resources/help/<language>/<role>.html`` (``pt-PT``), shown in the
language spoken, else in English; read through importlib.resources, so they work offline,
from a wheel and from the PyInstaller bundle. The guide opens at the signed-in user's
role; the other roles' pages are one choice away. About shows what a support call needs:
the version, the database file, the protocol presets loaded (id, version, title), the
versions the database's courses are pinned to, and the licence, as recorded in the
installed package's metadata (pyproject.toml).
"""

from __future__ import annotations

import platform
from html import escape
from importlib import metadata
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import kapdesk
from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Role
from kapdesk.i18n import ENGLISH, _, current
from kapdesk.services.pinned_protocols import pinned_protocols
from kapdesk.ui.words import counts, role_name

if TYPE_CHECKING:
    from kapdesk.ui.app_context import AppContext

GUIDE_ROLES: Final = (Role.THERAPIST, Role.NURSE, Role.CLINICIAN, Role.ADMIN)


class BrowserDialog(QDialog):
    """A help page: a QTextBrowser (offline; links are not followed) and a Close button."""

    def __init__(
        self, parent: QWidget | None, title: str, name: str, width: int, height: int
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(name)
        self.resize(width, height)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName(title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.root = QVBoxLayout(self)
        self.root.addWidget(self.browser, 1)
        self.root.addWidget(buttons)

    def text(self) -> str:
        return self.browser.toPlainText()


def guide_html(role: Role, language: str | None = None) -> str:
    """The bundled guide for ``role`` in ``language`` (default: the one spoken):
    ``help/<language>/<role>.html``, else the English ``help/<role>.html``."""
    folder = files("kapdesk.resources") / "help"
    tag = current() if language is None else language
    page = folder / tag / f"{role.value}.html"
    if tag == ENGLISH or not page.is_file():
        page = folder / f"{role.value}.html"
    return page.read_text(encoding="utf-8")


def licence() -> str:
    """The licence recorded for the installed kapdesk (pyproject's ``license``)."""
    try:
        meta = metadata.metadata("kapdesk")
    except metadata.PackageNotFoundError:
        return QCoreApplication.translate("AboutDialog", "not recorded in this build")
    for field in ("License-Expression", "License"):
        values = meta.get_all(field) or []
        if values and values[0].strip():
            # an SPDX expression names a licence of its own "LicenseRef-<name>"
            return str(values[0]).strip().removeprefix("LicenseRef-")
    return QCoreApplication.translate("AboutDialog", "not stated")


class UserGuideDialog(BrowserDialog):
    """A short guide per role, shown with QTextBrowser (no network, no browser)."""

    def __init__(self, parent: QWidget | None, role: Role | None = None) -> None:
        title = QCoreApplication.translate("UserGuideDialog", "User guide")
        super().__init__(parent, title, "userGuide", 760, 680)
        self.role_combo = QComboBox()
        for r in GUIDE_ROLES:
            text = QCoreApplication.translate("UserGuideDialog", "For the {role}")
            self.role_combo.addItem(text.format(role=role_name(r)), r)
        label = QLabel(QCoreApplication.translate("UserGuideDialog", "&Guide"))
        label.setBuddy(self.role_combo)
        self.role_combo.setAccessibleName(
            QCoreApplication.translate("UserGuideDialog", "Guide for")
        )
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.role_combo)
        top.addStretch(1)
        self.root.insertLayout(0, top)
        self.role_combo.currentIndexChanged.connect(lambda _i: self._show())
        self.show_role(role or Role.NURSE)
        self.browser.setFocus()

    def role(self) -> Role:
        return Role(self.role_combo.currentData())

    def show_role(self, role: Role) -> None:
        index = self.role_combo.findData(role)
        if index == self.role_combo.currentIndex():
            self._show()
        else:
            self.role_combo.setCurrentIndex(index)

    def _show(self) -> None:
        self.browser.setHtml(guide_html(self.role()))


def pinned_html(app: AppContext) -> str:
    """The versions the database's courses are pinned to (or why they cannot be read)."""
    translate = QCoreApplication.translate
    try:
        pinned = pinned_protocols(app.ctx)
    except KapdeskError as exc:
        text = translate("AboutDialog", "The pinned versions cannot be read now: {error}")
        return f"<p>{escape(text.format(error=exc), quote=False)}</p>"
    if not pinned:
        text = translate("AboutDialog", "No course has started yet, so no version is pinned.")
        return f"<p>{escape(text, quote=False)}</p>"
    version = translate("AboutDialog", "version {version}")
    rows = "".join(
        f"<tr><td><b>{escape(p.protocol_id)}</b></td>"
        f"<td>{escape(version.format(version=p.version))}</td>"
        f"<td>{escape(_courses(p.courses))}</td>"
        f"<td>SHA-256 {escape(p.sha256[:12])}…</td></tr>"
        for p in pinned
    )
    return f"<table cellspacing='0' cellpadding='3'>{rows}</table>"


def _courses(n: int) -> str:
    """'1 course', '3 courses'."""
    return counts().courses(n)


def _about_words() -> dict[str, str]:
    """The About page's sentences in the active language, as HTML text."""
    words = {
        "intro": QCoreApplication.translate(
            "AboutDialog",
            "A desktop companion for clinics running ketamine-assisted psychotherapy: "
            "it supports clinical staff; it does not decide for them.",
        ),
        "demo": QCoreApplication.translate("AboutDialog", "DEMO clinic – not for patient care."),
        "version": QCoreApplication.translate("AboutDialog", "Version"),
        "database": QCoreApplication.translate("AboutDialog", "Database"),
        "encrypted": QCoreApplication.translate("AboutDialog", " (encrypted)"),
        "licence": QCoreApplication.translate("AboutDialog", "Licence"),
        "loaded": QCoreApplication.translate("AboutDialog", "Protocols loaded"),
        "presets": QCoreApplication.translate(
            "AboutDialog",
            "The presets new courses start on. Every alert names the protocol and version "
            "that raised it.",
        ),
        "pinned": QCoreApplication.translate("AboutDialog", "Pinned in this database"),
        "judged": QCoreApplication.translate(
            "AboutDialog",
            "A course is judged for ever with the exact text of the version it started on.",
        ),
    }
    return {key: escape(text, quote=False) for key, text in words.items()}


def about_html(app: AppContext) -> str:
    db = app.ctx.db
    protocols = sorted(app.ctx.protocols.values(), key=lambda p: p.id)
    w = _about_words()
    version = QCoreApplication.translate("AboutDialog", "version {version}")
    rows = "".join(
        f"<tr><td><b>{escape(p.id)}</b></td><td>{escape(version.format(version=p.version))}</td>"
        f"<td>{escape(_(p.title))}</td></tr>"
        for p in protocols
    )
    encrypted = w["encrypted"] if db.key else ""
    demo = f"<p><b>{w['demo']}</b></p>" if app.demo else ""
    return (
        f"<h2>kapdesk {escape(kapdesk.__version__)}</h2>"
        f"<p>{w['intro']}</p>"
        f"{demo}"
        "<table cellspacing='0' cellpadding='3'>"
        f"<tr><td><b>{w['version']}</b></td><td>{escape(kapdesk.__version__)}</td></tr>"
        f"<tr><td><b>{w['database']}</b></td><td>{escape(str(db.path))}{encrypted}</td></tr>"
        f"<tr><td><b>{w['licence']}</b></td><td>{escape(licence())}</td></tr>"
        f"<tr><td><b>Python / Qt</b></td><td>{escape(platform.python_version())} / "
        f"PySide6 {escape(pyside_version)}</td></tr>"
        "</table>"
        f"<h3>{w['loaded']}</h3>"
        f"<p>{w['presets']}</p>"
        f"<table cellspacing='0' cellpadding='3'>{rows}</table>"
        f"<h3>{w['pinned']}</h3>"
        f"<p>{w['judged']}</p>"
        f"{pinned_html(app)}"
    )


class AboutDialog(BrowserDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, self.tr("About kapdesk"), "aboutKapdesk", 640, 620)
        self.browser.setHtml(about_html(app))
