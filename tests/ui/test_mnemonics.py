"""No Alt+letter does two things in one window: every window and dialog kapdesk builds is
walked, menus included (menu-bar titles among themselves and with the window's widgets,
items within one menu)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.services.courses import CourseService
from kapdesk.services.patients import PatientService
from kapdesk.services.users import UserService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.main_window import PAGE_PATIENTS, PAGE_SESSION, PAGE_TODAY, MainWindow
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.session import SessionWorkspace

from .conftest import actor_for, insert_patient_and_course, show_main_window


def mnemonic(text: str) -> str | None:
    """'Ride &home' -> 'h'; '&&' is a literal ampersand."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def _texts(widget: QWidget) -> list[str]:
    if isinstance(widget, QAbstractButton):
        return [widget.text()]
    if isinstance(widget, QLabel) and widget.buddy() is not None:
        return [widget.text()]
    if isinstance(widget, QGroupBox):
        return [widget.title()]
    if isinstance(widget, QTabBar):
        return [
            widget.tabText(i)
            for i in range(widget.count())
            if widget.isTabEnabled(i) and widget.isTabVisible(i)
        ]
    return []


def _idle_label(widget: QLabel) -> bool:
    """An underlined letter on a label with no buddy: Alt+letter does nothing."""
    return (
        widget.buddy() is None
        and widget.textFormat() != Qt.TextFormat.RichText
        and mnemonic(widget.text()) is not None
    )


def clashes(window: QWidget) -> list[str]:
    """'Alt+R: menu Records / Ride home arranged' for each letter taken twice in the window,
    and each underlined letter that does nothing (a label without a buddy)."""
    problems: list[str] = []
    letters: dict[str, list[str]] = defaultdict(list)
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            # A hidden or disabled menu-bar title still takes its Alt+letter (QMenuBar grabs
            # the shortcut regardless): a checkbox on that letter only gets the focus.
            if (letter := mnemonic(action.text())) is not None:
                shown = "" if action.isVisible() else " (hidden)"
                letters[letter].append(f"menu {action.text()}{shown}")
            menu = action.menu()
            if isinstance(menu, QMenu) and action.isVisible():
                problems += _menu_clashes(menu)
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not (widget.isVisible() and widget.isEnabled()):
            continue
        for text in _texts(widget):
            if (letter := mnemonic(text)) is not None:
                letters[letter].append(text)
        if isinstance(widget, QLabel) and _idle_label(widget):
            problems.append(f"Alt+{mnemonic(widget.text())}: {widget.text()} does nothing")
    problems += [
        f"Alt+{letter.upper()}: {' / '.join(users)}"
        for letter, users in sorted(letters.items())
        if len(users) > 1
    ]
    return problems


def _menu_clashes(menu: QMenu) -> list[str]:
    letters: dict[str, list[str]] = defaultdict(list)
    for action in menu.actions():
        live = action.isVisible() and action.isEnabled() and not action.isSeparator()
        if live and (letter := mnemonic(action.text())) is not None:
            letters[letter].append(action.text())
    return [
        f"{menu.title()} menu, {letter.upper()}: {' / '.join(users)}"
        for letter, users in sorted(letters.items())
        if len(users) > 1
    ]


def test_the_walk_finds_a_clash_it_is_shown(qtbot: QtBot) -> None:
    """The checker itself: a menu title and a checkbox on one letter."""
    from PySide6.QtWidgets import QCheckBox

    window = QMainWindow()
    window.menuBar().addMenu("&Records").addAction("&Audit log…")
    box = QCheckBox("&Ride home arranged")
    window.setCentralWidget(box)
    qtbot.addWidget(window)
    window.show()
    assert clashes(window) == ["Alt+R: menu &Records / &Ride home arranged"]
    box.setText("Ride &home arranged")
    assert clashes(window) == []
    window.close()


# ---------------------------------------------------------------- the main window


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(app.ctx, clock, nurse)


def _main_window(qtbot: QtBot, app: AppContext, role: Role) -> MainWindow:
    app.actor = actor_for(app, role)
    return show_main_window(qtbot, app)


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN])
def test_main_window_pages_have_no_clash(
    qtbot: QtBot, app: AppContext, kit: Kit, role: Role
) -> None:
    kit.checked_in(mrn="MRN-1")
    window = _main_window(qtbot, app, role)
    found: list[str] = []
    window.show_page(PAGE_TODAY)
    found += [f"Today: {c}" for c in clashes(window)]
    if role is not Role.ADMIN:
        window.open_patient(1)
        qtbot.wait(10)
        assert window.current_page() == PAGE_PATIENTS
        found += [f"Patients: {c}" for c in clashes(window)]
        chart = window.findChild(PatientChart)
        assert chart is not None
        for tab in range(chart.tabs.count()):
            chart.tabs.setCurrentIndex(tab)
            qtbot.wait(5)
            name = chart.tabs.tabText(tab)
            found += [f"Patients, chart tab {name}: {c}" for c in clashes(window)]
    assert not found, "\n".join(found)
    window.close()


@pytest.mark.parametrize("role", [Role.NURSE, Role.CLINICIAN])
@pytest.mark.parametrize("stage", ["checked_in", "ready", "held", "dosed"])
def test_every_session_step_has_no_clash(
    qtbot: QtBot, app: AppContext, kit: Kit, role: Role, stage: str
) -> None:
    if stage == "held":  # an elevated pre-dose reading: the hold box and its buttons
        sid = kit.ready(mrn="MRN-1", bp=(182, 112))
    else:
        sid = getattr(kit, stage)(mrn="MRN-1")
    window = _main_window(qtbot, app, role)
    window.open_session(sid)
    assert window.current_page() == PAGE_SESSION
    workspace = window.session_page
    assert isinstance(workspace, SessionWorkspace)
    found: list[str] = []
    for step, page in enumerate(workspace.pages):
        workspace.go_to(step)
        qtbot.wait(5)
        found += [f"{stage}, step {step + 1} {page.title}: {c}" for c in clashes(window)]
    assert not found, "\n".join(found)
    window.close()


# ---------------------------------------------------------------- dialogs and windows


def _dialogs(app: AppContext, kit: Kit, tmp_path: Path) -> Iterator[tuple[str, QWidget]]:
    from kapdesk.ui.audit_viewer import AuditLogWindow
    from kapdesk.ui.backup_actions import RestoreChooser
    from kapdesk.ui.change_password import ChangePasswordDialog
    from kapdesk.ui.course_dialog import (
        NewIntegrationDialog,
        ScheduleSessionDialog,
        StartCourseDialog,
    )
    from kapdesk.ui.instrument_form import InstrumentDialog
    from kapdesk.ui.login import LoginDialog
    from kapdesk.ui.passphrase import PassphraseDialog
    from kapdesk.ui.patient_dialog import PatientDialog
    from kapdesk.ui.quick_vitals import QuickVitalsDialog
    from kapdesk.ui.session.check_in import CheckInDialog
    from kapdesk.ui.session.dialogs import AcknowledgeDialog, OverrideDialog, ReasonDialog
    from kapdesk.ui.settings_dialog import ClinicSettingsDialog
    from kapdesk.ui.sign_dialogs import AddendumDialog, SignDialog
    from kapdesk.ui.user_dialogs import AddUserDialog, ResetPasswordDialog, UserDialog
    from kapdesk.ui.users_admin import UsersWindow

    patient_id, course_id = insert_patient_and_course(app.ctx.db, mrn="MRN-9")
    course = CourseService(app.ctx).get(course_id)
    sid = kit.checked_in(mrn="MRN-1")
    scheduled = kit.scheduled(mrn="MRN-2", room="Room 1")
    user = UserService(app.ctx).list_users()[0]
    admin = actor_for(app, Role.ADMIN)
    app.actor = actor_for(app, Role.NURSE)
    yield "Sign in", LoginDialog(app)
    yield "Quick vitals", QuickVitalsDialog(app, sid, "Room 1")
    yield "Patient", PatientDialog(app)
    yield "Edit patient", PatientDialog(app, PatientService(app.ctx).get(patient_id))
    yield "PHQ-9", InstrumentDialog(app, patient_id, "PHQ-9", course_id=course_id)
    yield "GAD-7", InstrumentDialog(app, patient_id, "GAD-7", course_id=course_id)
    yield "Check in", CheckInDialog(
        None, "intro", kit.sessions.check_in_conflicts(scheduled), ["Room 1", "Room 2"],
        ask_reason=True,
    )  # fmt: skip
    yield "Reason", ReasonDialog(None, "Withhold dose", "Why?")
    yield "Override", OverrideDialog(None, "Override the hold")
    yield "Acknowledge", AcknowledgeDialog(None, "Acknowledge", "&Acknowledge and dose")
    yield "Sign", SignDialog(app, "dosing_session", sid, "this session")
    yield "Addendum", AddendumDialog(app, "dosing_session", sid, "this session")
    app.actor = actor_for(app, Role.CLINICIAN)
    yield "Start course", StartCourseDialog(app, patient_id)
    yield "Schedule session", ScheduleSessionDialog(app, course)
    yield "New integration", NewIntegrationDialog(app, course)
    from kapdesk.ui.handover import HandoverWindow

    yield "Handover", HandoverWindow(app)
    yield "Change password", ChangePasswordDialog(app, admin, forced=False)
    yield "Passphrase", PassphraseDialog(tmp_path / "x.sqlite", lambda _: None, new=True)
    app.actor = admin
    yield "Users", UsersWindow(app)
    yield "Add user", AddUserDialog(app)
    yield "Reset password", ResetPasswordDialog(app, user)
    yield "User", UserDialog(app, user)
    yield "Clinic settings", ClinicSettingsDialog(app)
    yield "Audit log", AuditLogWindow(app)
    yield "Restore", RestoreChooser(None, [], tmp_path)
    from kapdesk.ui.help_dialogs import AboutDialog, UserGuideDialog

    yield "User guide", UserGuideDialog(None, Role.NURSE)
    yield "About", AboutDialog(app)


def test_every_dialog_has_no_clash(qtbot: QtBot, app: AppContext, kit: Kit, tmp_path: Path) -> None:
    found: list[str] = []
    seen = 0
    for name, dialog in _dialogs(app, kit, tmp_path):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        found += [f"{name}: {c}" for c in clashes(dialog)]
        dialog.close()
        seen += 1
    assert seen >= 20
    assert not found, "\n".join(found)


def test_lock_screen_has_no_clash(qtbot: QtBot, app: AppContext, nurse: Actor) -> None:
    window = _main_window(qtbot, app, Role.NURSE)
    window.screen_lock.lock()
    qtbot.wait(10)
    assert clashes(window) == []
    window.close()


# ---------------------------------------------------------------- the keys themselves


def _alt(qtbot: QtBot, window: QWidget, key: Qt.Key) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, Qt.KeyboardModifier.AltModifier)
    qtbot.wait(250)  # a mnemonic clicks its button after a short animation


def test_alt_r_ticks_ride_home_for_a_clinician(qtbot: QtBot, app: AppContext, kit: Kit) -> None:
    from kapdesk.ui.session.checklist import ChecklistPage

    sid = kit.checked_in(mrn="MRN-1")
    window = _main_window(qtbot, app, Role.CLINICIAN)
    window.open_session(sid)
    workspace = window.session_page
    assert isinstance(workspace, SessionWorkspace)
    workspace.go_to(0)
    page = workspace.page(0)
    assert isinstance(page, ChecklistPage)
    ride = next(box for box in page.boxes.values() if "Ride home" in box.text())
    assert not ride.isChecked()
    _alt(qtbot, window, Qt.Key.Key_R)
    assert QApplication.activePopupWidget() is None  # no menu opened
    assert ride.isChecked()
    window.close()


def test_alt_a_ticks_dissociation_for_a_nurse(qtbot: QtBot, app: AppContext, kit: Kit) -> None:
    from kapdesk.ui.session.monitoring import MonitoringPage

    sid = kit.dosed(mrn="MRN-1")
    window = _main_window(qtbot, app, Role.NURSE)  # the Admin menu is hidden, not gone
    window.open_session(sid)
    workspace = window.session_page
    assert isinstance(workspace, SessionWorkspace)
    workspace.go_to(3)
    page = workspace.page(3)
    assert isinstance(page, MonitoringPage)
    page.dissociation_text.setFocus()
    _alt(qtbot, window, Qt.Key.Key_A)
    assert page.dissociation.isChecked()
    window.close()
