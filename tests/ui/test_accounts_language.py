"""The administration screens in Portuguese: users and their dialogs, changing a password, My
preferences, clinic settings, backups and restore, the audit log, the passphrase, printing
and the print preview. Each is built in English and in Portuguese over the same data: no
text a person reads stays English (outside data and names), and the English is unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from reportlab.pdfgen.canvas import Canvas

from kapdesk.domain.permissions import Role
from kapdesk.services.screen_dtos import BackupInfo
from kapdesk.services.users import UserService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.audit_viewer import AuditLogWindow
from kapdesk.ui.backup_actions import RestoreChooser, restore_warning
from kapdesk.ui.backup_destination import backup_done_text, size_text
from kapdesk.ui.change_password import ChangePasswordDialog
from kapdesk.ui.passphrase import PassphraseDialog
from kapdesk.ui.preferences import PreferencesDialog
from kapdesk.ui.print_preview import ReportPreviewDialog
from kapdesk.ui.printing import ReportActions, ReportTarget
from kapdesk.ui.settings_dialog import ClinicSettingsDialog
from kapdesk.ui.translation import speak
from kapdesk.ui.user_dialogs import AddUserDialog, ResetPasswordDialog, UserDialog
from kapdesk.ui.users_admin import UsersWindow

from .conftest import actor_for

# Shown as written in every language: names, usernames, units, codes and numbers.
ALLOWED = {
    "", "kapdesk", "Id", "Zoom", "&Zoom", "PHQ-9, GAD-7", " GB", "◀", "▶", "−", "+", "OK",
    "Test Nurse", "Test Therapist", "Test Clinician", "Test Admin",
    "nurse", "therapist", "clinician", "admin",
    "English", "Português (Portugal)",  # each language by its own name
}  # fmt: skip


def texts(window: QWidget) -> set[str]:
    """Every text a person reads on ``window`` (shown or not yet): title, labels, buttons,
    placeholders, tooltips, accessible names, combo items, table headers, spin suffixes."""
    found = {window.windowTitle(), window.toolTip(), window.accessibleName()}
    for w in window.findChildren(QWidget):
        found.update((w.toolTip(), w.accessibleName()))
        if isinstance(w, QLabel | QAbstractButton):
            found.add(w.text())
        if isinstance(w, QLineEdit):
            found.add(w.placeholderText())
        if isinstance(w, QComboBox):
            found.update(w.itemText(i) for i in range(w.count()))
        if isinstance(w, QSpinBox):
            found.add(w.suffix())
        if isinstance(w, QTableWidget):
            for i in range(w.columnCount()):
                item = w.horizontalHeaderItem(i)
                if item is not None:
                    found.add(item.text())
    return found


def _data(text: str) -> bool:
    """Texts made of the data only: numbers, dates, paths, stored action names ('2026-03-02',
    '/tmp/x', '    sign.failed'), or a protocol's title as its file gives it (the protocol
    files' translations are theirs)."""
    return (
        not any(c.isalpha() for c in text)
        or text.startswith("/")
        or "_" in text
        or re.fullmatch(r"\s*[a-z_]+(\.[a-z_*]+)*( – (doses|PHQ-9, GAD-7))?", text) is not None
        or re.search(r"\([a-z-]+ v[0-9.]+\)$", text) is not None
    )


def english_left(portuguese: set[str], english: set[str]) -> set[str]:
    return {t for t in (portuguese & english) - ALLOWED if not _data(t)}


@pytest.fixture
def both(qtbot: QtBot, qapp: QApplication) -> Iterator[Callable[[Callable[[], QWidget]], tuple]]:
    """``both(build)``: the window built in English, then in Portuguese (shown)."""

    def build_twice(build: Callable[[], QWidget]) -> tuple[QWidget, QWidget]:
        speak(qapp, "en")
        english = build()
        speak(qapp, "pt-PT")
        portuguese = build()
        for w in (english, portuguese):
            qtbot.addWidget(w)
            w.show()
        return english, portuguese

    yield build_twice
    speak(qapp, "en")


@pytest.fixture
def admin_app(app: AppContext) -> AppContext:
    app.actor = actor_for(app, Role.ADMIN)
    return app


def test_the_users_window_and_its_dialogs_speak_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], admin_app: AppContext
) -> None:
    nurse = next(u for u in UserService(admin_app.ctx).list_users() if u.role is Role.NURSE)
    for build in (
        lambda: UsersWindow(admin_app),
        lambda: AddUserDialog(admin_app),
        lambda: ResetPasswordDialog(admin_app, nurse),
        lambda: UserDialog(admin_app, nurse),
    ):
        english, portuguese = both(build)
        assert english_left(texts(portuguese), texts(english)) == set(), type(english).__name__
    assert english.windowTitle() == "User – Test Nurse"
    assert portuguese.windowTitle() == "Utilizador – Test Nurse"
    assert isinstance(portuguese, UserDialog)
    assert portuguese.role.currentText() == "enfermeiro"
    assert portuguese.details["Active"].text() == "sim"
    assert portuguese.language.itemText(0) == "Idioma do computador (English)"

    english, portuguese = both(lambda: UsersWindow(admin_app))
    assert isinstance(portuguese, UsersWindow)
    assert portuguese.windowTitle() == "Utilizadores"
    headers = [portuguese.table.horizontalHeaderItem(i).text() for i in range(3)]
    assert headers == ["Nome de utilizador", "Nome completo", "Função"]
    assert portuguese.active_button.text() == "&Desativar…"


def test_a_role_change_is_confirmed_in_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]],
    admin_app: AppContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kapdesk.ui.user_dialogs import Confirm

    asked: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        Confirm, "ask", classmethod(lambda cls, p, title, text, ok: asked.append((title, text, ok)))
    )
    _english, window = both(lambda: UsersWindow(admin_app))
    assert isinstance(window, UsersWindow)
    window.select_user("nurse")
    dialog = window.open_user()
    assert isinstance(dialog, UserDialog)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.CLINICIAN))
    dialog.submit()
    assert asked == [
        (
            "Alterar a função de Test Nurse?",
            "Test Nurse (nurse) passa a ser clínico (de enfermeiro para clínico) no próximo "
            "início de sessão. Se tiver sessão iniciada agora, o próximo registo que fizer é "
            "recusado e terá de iniciar sessão novamente.",
            "&Alterar função",
        )
    ]


def test_passwords_and_preferences_speak_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], admin_app: AppContext
) -> None:
    actor = admin_app.require_actor()
    for build in (
        lambda: ChangePasswordDialog(admin_app, actor),
        lambda: ChangePasswordDialog(admin_app, actor, forced=False),
        lambda: PreferencesDialog(admin_app),
    ):
        english, portuguese = both(build)
        assert english_left(texts(portuguese), texts(english)) == set(), type(english).__name__
    english, portuguese = both(lambda: ChangePasswordDialog(admin_app, actor))
    assert english.windowTitle() == "Choose a new password"
    assert portuguese.windowTitle() == "Escolha uma nova palavra-passe"
    assert "&Terminar sessão" in texts(portuguese)


def test_clinic_settings_speak_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], admin_app: AppContext
) -> None:
    english, portuguese = both(lambda: ClinicSettingsDialog(admin_app))
    assert english_left(texts(portuguese), texts(english)) == set()
    assert isinstance(portuguese, ClinicSettingsDialog)
    assert portuguese.windowTitle() == "Definições da clínica"
    assert portuguese.idle_lock.suffix() == " minutos"
    assert portuguese.folder.placeholderText() == "a pasta 'backups' junto à base de dados"
    assert english.idle_lock.suffix() == " minutes"


def test_backups_and_restore_speak_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], qapp: QApplication, tmp_path: Path
) -> None:
    taken = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    backup = BackupInfo(tmp_path / "clinic.bak", taken, "daily", 13_107_200)
    english, portuguese = both(lambda: RestoreChooser(None, [backup], tmp_path))
    assert english_left(texts(portuguese), texts(english)) == set()
    assert isinstance(portuguese, RestoreChooser)
    assert portuguese.table.item(0, 1).text() == "Diária"
    assert portuguese.table.item(0, 2).text() == "12,5 MB"  # the decimal comma
    assert english.table.item(0, 2).text() == "12.5 MB"
    assert restore_warning(backup.path, [backup]).startswith(
        "Substituir todo o conteúdo desta base de dados pela cópia de segurança feita em "
    )

    class Check:
        ok, entries, problems = True, 2, ()

    headline, details = backup_done_text(backup, Check())  # type: ignore[arg-type]
    assert headline == "A cópia de segurança foi guardada e verificada."
    assert "o registo de auditoria de 2 entradas intactos" in details
    speak(qapp, "en")
    assert size_text(13_107_200) == "12.5 MB"
    assert backup_done_text(backup, Check())[0] == "The backup was saved and verified."  # type: ignore[arg-type]


def test_the_audit_log_speaks_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], admin_app: AppContext
) -> None:
    english, portuguese = both(lambda: AuditLogWindow(admin_app))
    assert english_left(texts(portuguese), texts(english)) == set()
    assert isinstance(portuguese, AuditLogWindow)
    assert portuguese.windowTitle() == "Registo de auditoria"
    assert portuguese.count_label.text().endswith("entradas apresentadas")
    assert any(
        portuguese.user_combo.itemText(i) == "Test Nurse (nurse, enfermeiro)"
        for i in range(portuguese.user_combo.count())
    )
    families = [portuguese.action_combo.itemText(i) for i in range(4)]
    assert families[:2] == ["Todas as ações", "auth.* – início de sessão, bloqueios"]


def test_the_passphrase_speaks_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], tmp_path: Path
) -> None:
    path = tmp_path / "clinic.sqlite"
    for new in (False, True):
        english, portuguese = both(lambda new=new: PassphraseDialog(path, lambda key: key, new=new))
        assert english_left(texts(portuguese), texts(english)) == set()
    assert portuguese.windowTitle() == "Base de dados encriptada – kapdesk"


def _pdf() -> bytes:
    import io

    out = io.BytesIO()
    canvas = Canvas(out)
    for page in range(2):
        canvas.drawString(72, 720, f"Page {page + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_the_print_preview_and_actions_speak_portuguese(
    both: Callable[..., tuple[QWidget, QWidget]], admin_app: AppContext
) -> None:
    admin_app.actor = actor_for(admin_app, Role.CLINICIAN)  # who may print
    target = ReportTarget("session", 1, "Session summary", "session-1.pdf")
    english, portuguese = both(lambda: ReportPreviewDialog(admin_app, target, _pdf()))
    assert english_left(texts(portuguese), texts(english)) - {"Session summary"} == set()
    assert isinstance(portuguese, ReportPreviewDialog)
    assert portuguese.page_label.text() == "Página 1 de 2"
    assert english.page_label.text() == "Page 1 of 2"

    def actions() -> QWidget:
        host = QWidget()
        ReportActions(admin_app, host, lambda: None).buttons().setParent(host)
        return host

    english, portuguese = both(actions)
    assert {a.text() for a in portuguese.actions()} == {"Imprimir resumo…", "Guardar como PDF…"}
    assert {a.toolTip() for a in portuguese.actions()} == {"Não há nada para imprimir aqui."}
