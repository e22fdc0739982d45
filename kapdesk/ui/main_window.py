"""The main window: navigation, pages, alert banners and who is signed in.

Pages: Today (the board), Patients (``kapdesk.ui.patients_page.PatientsPage``) and
Session (``kapdesk.ui.session.SessionWorkspace``). The last two are imported and
built when first needed, which keeps start-up light.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.permissions import Action, can
from kapdesk.ui.alerts import AlertBar, AlertCenter, AlertSlot
from kapdesk.ui.backup_actions import BackupActions
from kapdesk.ui.board_store import BoardStore
from kapdesk.ui.chart_warmup import build_ahead
from kapdesk.ui.discard_guard import may_leave
from kapdesk.ui.errors import SignInRevokedRelay, close_windows_of, revoked_text, show_error
from kapdesk.ui.lock_screen import ScreenLock
from kapdesk.ui.login import LoginDialog
from kapdesk.ui.quit_guard import may_quit
from kapdesk.ui.remote_changes import LiveUpdates
from kapdesk.ui.server_status import ServerStatus
from kapdesk.ui.titles import window_title
from kapdesk.ui.today_board import TodayBoard, session_refusal
from kapdesk.ui.words import QT_TRANSLATE_NOOP, role_name

if TYPE_CHECKING:
    from kapdesk.services.context import Actor
    from kapdesk.ui.app_context import AppContext

PAGE_TODAY, PAGE_PATIENTS, PAGE_SESSION = range(3)
_NAV = (
    (QT_TRANSLATE_NOOP("MainWindow", "Today"), "Ctrl+1"),
    (QT_TRANSLATE_NOOP("MainWindow", "Patients"), "Ctrl+2"),
    (QT_TRANSLATE_NOOP("MainWindow", "Session"), "Ctrl+3"),
)
# The Go menu's items for the pages (their letters unique in the menu, in every language).
_GO = (
    QT_TRANSLATE_NOOP("MainWindow", "&Today"),
    QT_TRANSLATE_NOOP("MainWindow", "&Patients"),
    QT_TRANSLATE_NOOP("MainWindow", "&Session"),
)
# Alt+R is the session steps' "Record …" buttons and "Ride home arranged".
RECORDS_TITLE = QT_TRANSLATE_NOOP("MainWindow", "Re&cords")
ADMIN_TITLE = QT_TRANSLATE_NOOP("MainWindow", "&Admin")


DEFAULT_SIZE = QSize(1280, 800)


def default_size(window: QWidget) -> QSize:
    """1280x800, or less on a smaller screen (leaving room for the title bar)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    avail = screen.availableGeometry()
    return QSize(
        min(DEFAULT_SIZE.width(), avail.width()), min(DEFAULT_SIZE.height(), avail.height() - 40)
    )


class MainWindow(QMainWindow):
    def __init__(self, app: AppContext, *, resume: bool = True) -> None:
        super().__init__()
        self.app = app
        self.setObjectName("mainWindow")
        self.resize(default_size(self))
        self.setMinimumSize(800, 520)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Navigation"))
        self.nav.setFixedWidth(150)
        for source, keys in _NAV:
            text = self.tr(source)
            item = QListWidgetItem(text)
            item.setToolTip(f"{text} ({keys})")
            self.nav.addItem(item)
        self.nav.item(PAGE_SESSION).setHidden(True)  # shown once a session is opened

        self.stack = QStackedWidget()
        self.board_store = BoardStore(app, self)  # one board query for the board and the alerts
        self.today = TodayBoard(app, store=self.board_store)
        self.patients_page: QWidget | None = None
        self.session_page: QWidget | None = None
        self.session_id: int | None = None
        self.login_dialog: LoginDialog | None = None
        self.signed_out = False  # set by sign_out(): run_gui shows the login again
        # Set when someone signed in who works in another language: run_gui builds the
        # window anew in theirs (ui.sign_in_language).
        self.relanguage = False
        self.stack.addWidget(self.today)
        self.stack.addWidget(QWidget())  # Patients: built on first visit
        self.stack.addWidget(QWidget())  # Session: built on navigate_session

        self.alerts = AlertCenter(app, self, store=self.board_store)
        self.alert_bar = AlertBar(self.alerts)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        pages = QWidget()
        pages_layout = QVBoxLayout(pages)
        pages_layout.setContentsMargins(12, 8, 12, 8)
        pages_layout.addWidget(AlertSlot(self.alert_bar))  # fixed height: moves nothing
        pages_layout.addWidget(self.stack, 1)
        body.addWidget(pages, 1)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)

        self.signed_in = QLabel()
        self.signed_in.setObjectName("signedIn")
        self.signed_in.setAccessibleName(self.tr("Signed in"))
        self.server_status = ServerStatus(app, self)  # server unreachable / back: one line
        self.statusBar().addPermanentWidget(self.server_status.label)
        self.statusBar().addPermanentWidget(self.signed_in)
        if app.demo:
            badge = QLabel(self.tr("DEMO clinic – not for patient care"))
            badge.setObjectName("demoBadge")
            self.statusBar().addWidget(badge)

        self._build_actions()
        self.nav.currentRowChanged.connect(self._on_nav)
        app.signals.actor_changed.connect(self._show_actor)
        app.signals.navigate_session.connect(self.open_session)
        app.signals.navigate_patient.connect(self.open_patient)
        self.revoked = SignInRevokedRelay(app.ctx, self)  # account changed: sign in again
        self.revoked.connect_to(self._sign_in_revoked)
        self.live = LiveUpdates(app, self)  # other workstations' / windows' changes
        self.live.start()
        self.server_status.watch(self.live)

        self._update_title()
        self._show_actor()
        self.nav.setCurrentRow(PAGE_TODAY)
        build_ahead(app, self)  # the empty patient chart, while the board is idle after it paints
        self.alert_bar.spares.build_ahead(self)  # banners for the next alerts, likewise
        if resume:
            self._resume_running_session()

    # ------------------------------------------------------------ set-up
    def _build_actions(self) -> None:
        self.switch_user_action = QAction(self.tr("Switch &user…"), self)
        self.switch_user_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.switch_user_action.triggered.connect(self.switch_user)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.quit)
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.print_action = self._page_action(self.tr("&Print summary…"), "Ctrl+P", "print_action")
        self.save_pdf_action = self._page_action(
            self.tr("Save as P&DF…"), "Ctrl+Shift+S", "save_action"
        )
        file_menu.addAction(self.print_action)
        file_menu.addAction(self.save_pdf_action)
        file_menu.aboutToShow.connect(self.update_page_actions)
        file_menu.addSeparator()
        file_menu.addAction(self.switch_user_action)
        from kapdesk.ui.preferences import PreferencesActions  # File > My preferences…

        self.preferences_actions = PreferencesActions(self)
        self.preferences_actions.add_to(file_menu)
        self.screen_lock = ScreenLock(self)  # wraps the central widget; Ctrl+L
        file_menu.addAction(self.screen_lock.lock_action)
        file_menu.addSeparator()
        self.backup_actions = BackupActions(self)
        self.backup_actions.add_to(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        self.page_actions: list[QAction] = []
        for row, (_page, keys) in enumerate(_NAV):
            action = QAction(self.tr(_GO[row]), self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _=False, r=row: self.show_page(r))
            go_menu.addAction(action)
            self.page_actions.append(action)
        self.page_actions[PAGE_SESSION].setEnabled(False)
        from kapdesk.ui.handover import HandoverActions  # Go > Handover… (Ctrl+Shift+H)

        self.handover_actions = HandoverActions(self)
        self.handover_actions.add_to(go_menu)
        self._build_records_admin_menus()
        from kapdesk.ui.help_menu import HelpActions  # Help > shortcuts, user guide, About

        self.help_actions = HelpActions(self)
        self.help_menu = self.help_actions.add_to(self.menuBar())

    def _build_records_admin_menus(self) -> None:
        """Records > Audit log… (admin, clinician) and Admin > Users… (admin); shown by role."""
        self.audit_window: QWidget | None = None
        self.users_window: QWidget | None = None
        self.records_menu = self.menuBar().addMenu(self.tr(RECORDS_TITLE))
        self.audit_action = QAction(self.tr("&Audit log…"), self)
        self.audit_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.audit_action.triggered.connect(self.open_audit_log)
        self.records_menu.addAction(self.audit_action)
        self.cohort_window: QWidget | None = None
        self.cohort_action = QAction(self.tr("&Cohort outcomes…"), self)
        self.cohort_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.cohort_action.triggered.connect(self.open_cohort)
        self.records_menu.addAction(self.cohort_action)
        self.admin_menu = self.menuBar().addMenu(self.tr(ADMIN_TITLE))
        self.users_action = QAction(self.tr("&Users…"), self)
        self.users_action.triggered.connect(self.open_users)
        self.admin_menu.addAction(self.users_action)
        from kapdesk.ui.settings_dialog import ClinicSettingsActions  # Admin > Clinic settings…

        self.settings_actions = ClinicSettingsActions(self)
        self.settings_actions.add_to(self.admin_menu)

    def _update_role_menus(self) -> None:
        """Hide what the signed-in role cannot do (the services refuse it anyway)."""
        actor = self.app.actor
        for menu, actions, title in (
            (
                self.records_menu,
                ((self.audit_action, Action.VIEW_AUDIT), (self.cohort_action, Action.VIEW_COHORT)),
                RECORDS_TITLE,
            ),
            (self.admin_menu, ((self.users_action, Action.MANAGE_USERS),), ADMIN_TITLE),
        ):
            allowed = False
            for action, needs in actions:
                may = actor is not None and can(actor.role, needs)
                action.setVisible(may)
                action.setEnabled(may)
                allowed = allowed or may
            menu.menuAction().setVisible(allowed)
            # Qt keeps a hidden menu's Alt+letter: "Dissoci&ation present" would only get the focus.
            shown = self.tr(title)
            menu.setTitle(shown if allowed else shown.replace("&", ""))

    def _open_window(self, current: QWidget | None, make: Any) -> QWidget:
        fresh = current is None or not current.isVisible()
        window: QWidget = make() if current is None or not current.isVisible() else current
        window.show()
        if fresh:  # over the middle of this window (a Qt.Window widget is not placed)
            frame = window.frameGeometry()
            frame.moveCenter(self.frameGeometry().center())
            avail = self.screen().availableGeometry()  # never with its title bar off screen
            window.move(max(frame.left(), avail.left()), max(frame.top(), avail.top()))
        window.raise_()
        window.activateWindow()
        return window

    def _open_allowed(self, action: Action, kept: str, kind: Any) -> QWidget | None:
        """The window kept in ``self.<kept>`` (a ``kind(app, self)``), opened or raised if
        the signed-in role may."""
        actor = self.app.actor
        if actor is None or not can(actor.role, action):
            return None
        window = self._open_window(getattr(self, kept), partial(kind, self.app, self))
        setattr(self, kept, window)
        return window

    def open_audit_log(self) -> QWidget | None:
        from kapdesk.ui.audit_viewer import AuditLogWindow

        return self._open_allowed(Action.VIEW_AUDIT, "audit_window", AuditLogWindow)

    def open_cohort(self) -> QWidget | None:
        from kapdesk.ui.cohort_window import CohortWindow

        return self._open_allowed(Action.VIEW_COHORT, "cohort_window", CohortWindow)

    def open_users(self) -> QWidget | None:
        from kapdesk.ui.users_admin import UsersWindow

        return self._open_allowed(Action.MANAGE_USERS, "users_window", UsersWindow)

    def _page_action(self, text: str, keys: str, name: str) -> QAction:
        """A File menu item for the current page's own action (``report_actions.<name>``).

        The page's action owns the key while the page is visible; the menu item
        only shows it (its widget context never matches, so the key is not taken twice).
        """
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _=False: self._trigger_page_action(name))
        action.setEnabled(False)
        return action

    def page_report_action(self, name: str) -> QAction | None:
        """The visible session's or chart's print/save action, if the page has one."""
        page: QWidget | None = self.stack.currentWidget()
        if page is not None and page is self.patients_page:
            page = getattr(page, "chart", None)
        found = getattr(getattr(page, "report_actions", None), name, None)
        return found if isinstance(found, QAction) else None

    def update_page_actions(self) -> None:
        for item, name in (
            (self.print_action, "print_action"),
            (self.save_pdf_action, "save_action"),
        ):
            found = self.page_report_action(name)
            item.setEnabled(found is not None and found.isEnabled())
            item.setToolTip(
                found.toolTip() if found is not None else self.tr("Open a session or a chart.")
            )

    def _trigger_page_action(self, name: str) -> None:
        found = self.page_report_action(name)
        if found is not None and found.isEnabled():
            found.trigger()

    def _update_title(self) -> None:
        try:
            clinic = self.app.clinic_name()
        except KapdeskError:
            clinic = self.tr("clinic")
        self.setWindowTitle(window_title(clinic, demo=self.app.demo))

    def _show_actor(self) -> None:
        actor = self.app.actor
        if actor is None:
            self.signed_in.setText(self.tr("Signed in: nobody"))
        else:
            text = self.tr("Signed in: {name} ({role})")
            self.signed_in.setText(text.format(name=actor.full_name, role=role_name(actor.role)))
        self._update_role_menus()
        self._close_clinical_pages()

    def _close_clinical_pages(self) -> None:
        """A role that may not see charts (an admin) never inherits the previous user's open
        session or chart: those pages are discarded and the Today board is shown."""
        actor = self.app.actor
        if actor is None or can(actor.role, Action.VIEW_PATIENT):
            return
        if self.session_page is not None:
            self._replace_page(PAGE_SESSION, QWidget())
            self.session_page, self.session_id = None, None
            self.nav.item(PAGE_SESSION).setHidden(True)
            self.page_actions[PAGE_SESSION].setEnabled(False)
        if self.patients_page is not None:
            self._replace_page(PAGE_PATIENTS, QWidget())
            self.patients_page = None
        self.show_page(PAGE_TODAY)
        self.stack.setCurrentIndex(PAGE_TODAY)

    # ------------------------------------------------------------ navigation
    def current_page(self) -> int:
        return self.stack.currentIndex()

    def show_page(self, page: int) -> None:
        if page == PAGE_SESSION and self.session_page is None:
            return
        self.nav.setCurrentRow(page)

    def _on_nav(self, row: int) -> None:
        if row == PAGE_PATIENTS:
            self._ensure_patients_page()
        if row == PAGE_SESSION and self.session_page is None:
            return
        self.stack.setCurrentIndex(row)
        self.update_page_actions()
        page = self.stack.currentWidget()
        if page is not None:
            page.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ensure_patients_page(self) -> QWidget:
        if self.patients_page is None:
            from kapdesk.ui.patients_page import PatientsPage  # on first visit: light start-up

            page = PatientsPage(self.app)
            self._replace_page(PAGE_PATIENTS, page)
            self.patients_page = page
        return self.patients_page

    def _replace_page(self, index: int, page: QWidget) -> None:
        old = self.stack.widget(index)
        self.stack.insertWidget(index, page)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()

    def open_patient(self, patient_id: int) -> None:
        """Show the patient's chart (a page built just now missed the signal: tell it)."""
        existed = self.patients_page is not None
        page = self._ensure_patients_page()
        self.show_page(PAGE_PATIENTS)
        opener = getattr(page, "open_patient", None)
        if not existed and callable(opener):
            opener(patient_id)

    def open_session(self, session_id: int) -> None:
        refusal = session_refusal(self.app.actor)
        if refusal:
            self.today.show_status(refusal)
            return
        if self.session_page is None or self.session_id != session_id:
            from kapdesk.ui.session import SessionWorkspace  # on first use: light start-up

            if not may_leave(self, self.session_page):  # a half-filled dose: kept if asked
                self.show_page(PAGE_SESSION)
                return

            try:
                page: QWidget = SessionWorkspace(self.app, session_id)
            except KapdeskError as exc:
                show_error(self, exc)
                return
            self._replace_page(PAGE_SESSION, page)
            self.session_page, self.session_id = page, session_id
            self.nav.item(PAGE_SESSION).setHidden(False)
            self.page_actions[PAGE_SESSION].setEnabled(True)
        self.show_page(PAGE_SESSION)

    def _resume_running_session(self) -> None:
        """After a restart, reopen the session in progress when there is exactly one."""
        running = self.today.running_session_ids()
        if len(running) == 1:
            self.open_session(running[0])

    # ------------------------------------------------------------ users
    def switch_user(self) -> None:
        """Sign someone else in (window-modal, non-blocking); Esc keeps the current user."""
        dialog = LoginDialog(self.app, self, title=self.tr("Switch user"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._signed_in(dialog.actor))
        dialog.finished.connect(lambda _: self.activateWindow())
        self.login_dialog = dialog
        dialog.open()
        dialog.activateWindow()

    def _signed_in(self, actor: Actor | None) -> None:
        if actor is not None:
            note = getattr(self.session_page, "note", None)
            if note is not None:  # a note being typed is saved as its author's
                note.save_now()
            self.app.actor = actor
            text = self.tr("{name} is now signed in.").format(name=actor.full_name)
            self.statusBar().showMessage(text, 5000)
            from kapdesk.ui.sign_in_language import rebuild_in_their_language

            rebuild_in_their_language(self)

    def _sign_in_revoked(self, user_id: int, message: str) -> None:
        """The signed-in user's account was deactivated, locked or re-roled: a write was
        refused; say so plainly and return to the sign-in."""
        actor = self.app.actor
        if self.signed_out or actor is None or actor.user_id != user_id:
            return
        close_windows_of(self)
        show_error(self, revoked_text(message), title=self.tr("Sign in again"))
        self.sign_out()

    def sign_out(self) -> None:
        """Close the window with nobody signed in (after a restore, or when the user's sign-in
        was revoked); run_gui signs in anew."""
        self.signed_out = True
        self.close()
        blocker = QSignalBlocker(self.app.signals)  # the views are discarded, not refreshed
        self.app.actor = None
        blocker.unblock()

    def quit(self) -> None:
        """File > Quit: asks about patients in monitoring and unsaved input (quit_guard)."""
        self._quitting = True
        try:
            self.close()
        finally:
            self._quitting = False

    def closeEvent(self, event: QCloseEvent) -> None:
        asks = event.spontaneous() or getattr(self, "_quitting", False)
        if asks and not self.signed_out and not may_quit(self):
            event.ignore()
            return
        self.today.stop()
        self.alerts.stop()
        self.screen_lock.stop()
        self.backup_actions.shutdown()
        self.revoked.stop()
        self.live.stop()
        self.server_status.stop()
        super().closeEvent(event)
