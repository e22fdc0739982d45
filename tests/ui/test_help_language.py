"""The user guides in Portuguese: each role's page ships translated (resources/help/pt-PT),
F1 shows it while Portuguese is spoken, English otherwise; a language without a translated
page gets the English one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kapdesk.domain.permissions import Role
from kapdesk.ui.help_dialogs import GUIDE_ROLES, UserGuideDialog, guide_html
from kapdesk.ui.translation import speak

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = {
    Role.NURSE: "O kapdesk para enfermeiros",
    Role.THERAPIST: "O kapdesk para terapeutas",
    Role.CLINICIAN: "O kapdesk para clínicos",
    Role.ADMIN: "O kapdesk para administradores",
}


class _Structure(HTMLParser):
    """The tags of a page, in order (headings, lists, items), without their text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"h1", "h2", "ul", "ol", "li"}:
            self.tags.append(tag)


def _structure(html: str) -> list[str]:
    parser = _Structure()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def english_again(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    speak(qapp, "en")


def test_every_guide_ships_in_portuguese_with_the_english_one_s_sections() -> None:
    for role in GUIDE_ROLES:
        english, portuguese = guide_html(role, "en"), guide_html(role, "pt-PT")
        assert f"<h1>{HEADINGS[role]}</h1>" in portuguese
        assert '<html lang="pt-PT">' in portuguese
        assert _structure(portuguese) == _structure(english), role  # nothing left out
        assert not re.search(r"(src|href)\s*=", portuguese), role  # offline, as the English
        keys = re.findall(r"(?:Ctrl|Alt|Shift)\+[A-Z0-9]+", english)
        assert re.findall(r"(?:Ctrl|Alt|Shift)\+[A-Z0-9]+", portuguese) == keys, role
        assert (files("kapdesk.resources") / "help" / "pt-PT" / f"{role.value}.html").is_file()
    shipped = {p.name for p in (ROOT / "resources" / "help" / "pt-PT").iterdir()}
    assert shipped == {f"{r.value}.html" for r in GUIDE_ROLES}


def test_a_language_without_its_page_reads_the_english_one() -> None:
    assert guide_html(Role.NURSE, "es-ES") == guide_html(Role.NURSE, "en")
    assert guide_html(Role.NURSE, "en").startswith("<html><head>")


def test_f1_shows_the_guide_in_the_language_spoken(
    qtbot: QtBot, english_again: QApplication
) -> None:
    speak(english_again, "pt-PT")
    dialog = UserGuideDialog(None, Role.CLINICIAN)
    qtbot.addWidget(dialog)
    assert dialog.text().startswith("O kapdesk para clínicos")
    assert "Assinar sessão" in dialog.text()
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.NURSE))
    assert dialog.text().startswith("O kapdesk para enfermeiros")
    assert "tensão arterial" in dialog.text()

    speak(english_again, "en")
    dialog = UserGuideDialog(None, Role.NURSE)
    qtbot.addWidget(dialog)
    assert dialog.text().startswith("kapdesk for nurses")
    assert "File > My preferences…" in dialog.text()
