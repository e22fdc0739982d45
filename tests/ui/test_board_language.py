"""The Today board, its alerts, the lock screen, the main window's menus and the quick
vitals dialog in Portuguese (pt-PT): Qt's catalogue, plural forms and QLocale's dates; and
the same screens in English exactly as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QMenu, QWidget
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor
from kapdesk.ui.alert_banner import AlertBanner
from kapdesk.ui.alerts import Alert
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.lock_screen import redacted_text
from kapdesk.ui.main_window import MainWindow
from kapdesk.ui.models.board import COL_NEXT, COL_SINCE, COLUMNS
from kapdesk.ui.quit_guard import monitoring_question
from kapdesk.ui.today_board import TodayBoard, session_refusal
from kapdesk.ui.translation import speak
from kapdesk.ui.widgets import Field, FieldSet
from kapdesk.ui.words import counts

from .conftest import actor_for, show_main_window

T1 = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[QApplication]:
    """pt-PT for what is built in the test; English again afterwards."""
    speak(qapp, "pt-PT")
    yield qapp
    speak(qapp, "en")


def _board(qtbot: QtBot, app: AppContext) -> TodayBoard:
    board = TodayBoard(app)
    board.stop()
    qtbot.addWidget(board)
    board.resize(1024, 600)
    board.show()
    return board


def texts_of(widget: QWidget) -> set[str]:
    """What a person reads on ``widget``: labels, buttons, placeholders, tooltips and
    accessible names."""
    found = {widget.accessibleName(), widget.toolTip()}
    for child in widget.findChildren(QWidget):
        if child.isHidden():
            continue
        if isinstance(child, QLabel | QAbstractButton):
            found.add(child.text())
        if isinstance(child, QLineEdit):
            found.add(child.placeholderText())
        found |= {child.accessibleName(), child.toolTip()}
    return found - {""}


def test_the_board_reads_in_portuguese_with_the_locale_date_and_plurals(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, kit: Kit, clock: FakeClock
) -> None:
    kit.dosed(mrn="MRN-2")
    clock.advance(minutes=3)
    board = _board(qtbot, app)
    model = board.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == [
        "Sala",
        "Doente",
        "Protocolo",
        "Estado",
        "Desde a dose",
        "Próxima medição",
        "Avisos",
    ]
    assert board.title.text() == "Hoje"
    assert board.subtitle.text().endswith("de março de 2026")
    assert board.subtitle.text().split(",")[0] in {"domingo", "segunda-feira"}  # the zone's day
    assert board.acknowledge_button.text() == "&Registar conhecimento do alerta"
    assert board.model.cell_text(0, COL_SINCE) == "3 min"
    assert board.model.cell_text(0, COL_NEXT).startswith("devida daqui a 17 min · ")
    clock.advance(minutes=180)  # the 20-30 min reading missed
    board.tick()
    assert ": falhada · devida agora · " in board.model.cell_text(0, COL_NEXT)
    assert (counts().readings_missed(1), counts().readings_missed(3)) == (
        "1 medição falhada",
        "3 medições falhadas",
    )
    assert (counts().more_due(1), counts().more_due(2)) == ("mais 1 devida", "mais 2 devidas")


def test_an_empty_board_and_a_refusal_say_it_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext
) -> None:
    app.actor = actor_for(app, Role.ADMIN)
    board = _board(qtbot, app)
    assert board.empty.text() == "Não há sessões marcadas para hoje."
    assert session_refusal(app.actor).startswith("Um administrador não pode abrir sessões:")
    english = {"Today", "Today's sessions", "Board status", "Acknowledge alert"}
    assert texts_of(board) & english == set()


def test_alerts_and_their_banner_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, nurse: Actor
) -> None:
    app.actor = nurse
    window = show_main_window(qtbot, app)
    due = Alert(1, "k", "overdue", "2", "Lima, Ana", "20-30 min after dose", T1)
    assert due.text == "Sala 2: em atraso · 20-30 min após a dose"
    assert redacted_text(due) == "Sala 2: medição em atraso"
    banner = AlertBanner(window.alerts, due, window)
    assert banner.dismiss_button is not None
    assert (banner.open_button.text(), banner.dismiss_button.text()) == ("Abrir", "Ocultar")
    assert banner.dismiss_button.accessibleName() == f"Ocultar {due.text}"
    assert banner.label.text() == "Sala 2: em atraso · 20-30 min após a dose – Lima, Ana"
    assert window.signed_in.text() == f"Sessão iniciada: {nurse.full_name} (enfermeiro)"
    assert [window.nav.item(i).text() for i in range(3)] == ["Hoje", "Doentes", "Sessão"]


def test_the_menus_speak_portuguese_each_letter_once(
    qtbot: QtBot, portuguese: QApplication, app: AppContext
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    window = show_main_window(qtbot, app)
    bar = [a for a in window.menuBar().actions() if a.isVisible()]
    assert [a.text() for a in bar] == ["&Ficheiro", "&Ir", "Re&gistos", "Aj&uda"]
    go = next(a.menu() for a in bar if a.text() == "&Ir")
    assert isinstance(go, QMenu)
    assert [a.text() for a in go.actions() if a.text()][:2] == ["&Hoje", "&Doentes"]
    for action in bar:
        menu = action.menu()
        assert isinstance(menu, QMenu)
        letters = [
            t[t.index("&") + 1].lower()
            for t in (a.text() for a in menu.actions() if a.isVisible())
            if "&" in t
        ]
        assert len(letters) == len(set(letters)), (action.text(), letters)


def test_the_lock_screen_counts_its_minutes_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, nurse: Actor
) -> None:
    app.actor = nurse
    window: MainWindow = show_main_window(qtbot, app)
    assert window.screen_lock.lock("idle")
    page = window.screen_lock.screen_page
    assert page.title.text() == f"Bloqueado – {nurse.full_name} (enfermeiro)"
    assert "após 5 minutos sem atividade" in page.info.text()
    assert (page.unlock_button.text(), page.switch_button.text()) == (
        "&Desbloquear",
        "Iniciar sessão como &outra pessoa…",
    )
    assert window.windowTitle().endswith("– kapdesk")
    page.password.setText("wrong")
    window.screen_lock._unlock_clicked()
    window.screen_lock.hand_over(nurse)
    assert not window.screen_lock.locked


def test_the_quick_vitals_dialog_names_the_reading_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, kit: Kit, clock: FakeClock
) -> None:
    kit.dosed(mrn="MRN-2")
    clock.advance(minutes=21)
    board = _board(qtbot, app)
    dialog = board.make_vitals_dialog(board.model.row_at(0))
    qtbot.addWidget(dialog)
    title = dialog.windowTitle()
    assert title.startswith("Medição de ")
    assert ", devida agora, até às " in title
    buttons = {b.text() for b in dialog.findChildren(QAbstractButton)}
    assert {"&Registar medição", "Cancelar"} <= buttons


def test_a_field_labelled_in_portuguese_still_takes_its_error(
    qtbot: QtBot, portuguese: QApplication
) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    field = Field("&Utilizador", edit, name="Username")
    fields = FieldSet([field])
    assert field.error.accessibleName() == "Erro em Utilizador"
    assert fields.show_error("Username", "Já existe.")
    assert fields.show_error("Utilizador", "Já existe.")


def test_english_stays_as_it_was(qtbot: QtBot, app: AppContext, kit: Kit, clock: FakeClock) -> None:
    kit.dosed(mrn="MRN-2")
    clock.advance(minutes=3)
    board = _board(qtbot, app)
    assert board.model.headerData(COL_NEXT, Qt.Orientation.Horizontal) == "Next reading"
    assert board.model.cell_text(0, COL_NEXT) == "due in 17 min · 20-30 min after dose"
    assert board.subtitle.text() == app.ctx.shown(app.now(), "%A %d %B %Y")  # 'Monday 02 ...'
    assert board.title.text() == "Today"
    assert (counts().readings_missed(1), counts().readings_missed(3)) == (
        "1 reading missed",
        "3 readings missed",
    )
    assert (counts().more_due(1), counts().more_due(4)) == ("1 more due", "4 more due")
    due = Alert(1, "k", "due", "2", "Lima, Ana", "20-30 min after dose", T1)
    assert due.text == "Room 2: 20-30 min after dose reading is due"
    assert redacted_text(due) == "Room 2: a reading is due"
    row = board.model.row_at(0)
    one, two = monitoring_question([row]), monitoring_question([row, row])
    assert one is not None
    assert two is not None
    assert one.startswith("1 patient is in monitoring (Room ")
    assert two.startswith("2 patients are in monitoring (")
    assert one.endswith("). Quit anyway?")


def test_the_quit_question_counts_patients_in_portuguese(
    qtbot: QtBot, portuguese: QApplication, app: AppContext, kit: Kit
) -> None:
    kit.dosed(mrn="MRN-2")
    board = _board(qtbot, app)
    row = board.model.row_at(0)
    one, two = monitoring_question([row]), monitoring_question([row, row])
    assert one is not None
    assert two is not None
    assert one.startswith("1 doente está em monitorização (Room 2: ")
    assert two.startswith("2 doentes estão em monitorização (")
    assert two.endswith("). Sair mesmo assim?")
