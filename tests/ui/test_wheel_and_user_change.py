"""The wheel scrolls the panel, never a combo/spin box under the pointer; a change of user
drops what the previous user typed but did not record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit

from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.dose import DosePage
from kapdesk.ui.session.workspace import STEP_DOSE, STEP_MONITORING, STEP_PRE_DOSE
from kapdesk.ui.widgets.no_wheel import WheelGuard, install_wheel_guard

from .conftest import actor_for

DOWN = QPoint(0, -120)  # one notch of the wheel, towards the user


@pytest.fixture
def guard(qapp: QApplication) -> Iterator[WheelGuard]:
    installed = install_wheel_guard(qapp)
    assert install_wheel_guard(qapp) is installed  # once per application
    yield installed
    qapp.removeEventFilter(installed)
    installed.setParent(None)  # gone with its Python reference


def wheel(widget: QWidget, delta: QPoint = DOWN) -> None:
    """One notch over ``widget``, delivered as the platform does: to its window, which
    passes it to the widget under the pointer. The pointer is near the right edge (a spin
    box's arrows: the box itself, not its line edit, because Qt does not pass a synthetic
    wheel event on from an inner widget that ignores it to its parent)."""
    window = widget.window()
    handle = window.windowHandle()
    assert handle is not None, "the window must be shown"
    centre = QPointF(widget.mapTo(window, QPoint(widget.width() - 4, widget.height() // 2)))
    event = QWheelEvent(
        centre,
        QPointF(window.mapToGlobal(centre)),
        QPoint(0, 0),
        delta,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(handle, event)


def _scrolling_panel(qtbot: QtBot) -> tuple[QScrollArea, QSpinBox, QLineEdit]:
    content = QWidget()
    column = QVBoxLayout(content)
    elsewhere = QLineEdit()
    column.addWidget(elsewhere)
    spin = QSpinBox()
    spin.setRange(0, 10)
    spin.setValue(5)
    column.addWidget(spin)
    column.addSpacing(2000)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    area.resize(300, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    return area, spin, elsewhere


def test_a_wheel_over_an_unfocused_spin_box_scrolls_the_panel_and_leaves_the_value(
    qtbot: QtBot, guard: WheelGuard
) -> None:
    area, spin, elsewhere = _scrolling_panel(qtbot)
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    assert area.verticalScrollBar().value() == 0
    wheel(spin)
    wheel(spin.lineEdit() if hasattr(spin, "lineEdit") else spin)
    assert spin.value() == 5
    assert area.verticalScrollBar().value() > 0
    assert not spin.hasFocus()


def test_a_spin_box_with_the_focus_still_takes_the_wheel(qtbot: QtBot, guard: WheelGuard) -> None:
    area, spin, _ = _scrolling_panel(qtbot)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin)
    assert spin.value() == 4
    assert area.verticalScrollBar().value() == 0


def test_without_the_guard_the_wheel_changes_the_box(qtbot: QtBot) -> None:
    """The delivery the tests use reaches the box (so the tests above can fail)."""
    _area, spin, elsewhere = _scrolling_panel(qtbot)
    elsewhere.setFocus()
    qtbot.waitUntil(elsewhere.hasFocus)
    wheel(spin)
    assert spin.value() == 4


def test_a_window_shown_after_the_guard_is_watched_and_the_guard_filters_windows_only(
    qtbot: QtBot, qapp: QApplication, guard: WheelGuard
) -> None:
    """Not an application-wide filter (it would be called for every event of every widget)."""
    area, spin, _ = _scrolling_panel(qtbot)
    handle = area.windowHandle()
    assert handle is not None
    qtbot.waitUntil(lambda: bool(handle.property("kapdeskWheelGuard")))
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    calls: list[int] = []
    original = guard.eventFilter

    def counting(watched: object, event: object) -> bool:
        calls.append(1)
        return original(watched, event)  # type: ignore[arg-type]

    guard.eventFilter = counting  # type: ignore[method-assign]
    try:
        spin.setValue(7)
        spin.repaint()
        qapp.processEvents()
    finally:
        del guard.eventFilter
    assert calls == [], "widget events must not pass through the guard"


@pytest.fixture
def workspace(qtbot: QtBot, app: AppContext, kit: Kit) -> Iterator[SessionWorkspace]:
    ws = SessionWorkspace(app, kit.dosed())
    qtbot.addWidget(ws)
    ws.resize(1100, 420)  # the monitoring step scrolls
    ws.show()
    qtbot.waitExposed(ws)
    yield ws
    ws.stop()


def test_moaas_keeps_its_score_while_the_monitoring_step_scrolls(
    qtbot: QtBot, guard: WheelGuard, workspace: SessionWorkspace
) -> None:
    from kapdesk.ui.session.monitoring import MonitoringPage

    workspace.go_to(STEP_MONITORING)
    page = workspace.page(STEP_MONITORING)
    assert isinstance(page, MonitoringPage)
    page.moaas.setCurrentIndex(0)
    workspace.steps.setFocus()
    area = workspace.stack.currentWidget()
    assert isinstance(area, QScrollArea)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0, "the step must scroll for this test"
    bar.setValue(bar.maximum() // 2)
    before = bar.value()
    for _ in range(3):
        wheel(page.moaas)
    assert page.moaas.currentIndex() == 0
    assert page.moaas.currentData() == 5
    assert bar.value() != before


def test_a_half_filled_form_is_cleared_when_the_user_changes(
    qtbot: QtBot, app: AppContext, workspace: SessionWorkspace
) -> None:
    from kapdesk.ui.session.monitoring import MonitoringPage
    from kapdesk.ui.session.pre_dose import PreDosePage

    monitoring = workspace.page(STEP_MONITORING)
    pre_dose = workspace.page(STEP_PRE_DOSE)
    assert isinstance(monitoring, MonitoringPage)
    assert isinstance(pre_dose, PreDosePage)
    workspace.go_to(STEP_MONITORING)
    monitoring.moaas.setCurrentIndex(4)  # MOAA/S 1
    monitoring.dissociation.setChecked(True)
    qtbot.keyClicks(monitoring.dissociation_text, "floating")
    qtbot.keyClicks(monitoring.form.first_field, "150")
    pre_dose_first = pre_dose.form.first_field
    pre_dose_first.setText("140")
    dose = workspace.page(STEP_DOSE)
    assert isinstance(dose, DosePage)
    dose.amount.setText("0.7")
    dose.lot.setText("LOT-9")

    app.actor = actor_for(app, Role.CLINICIAN)  # Switch user

    assert monitoring.moaas.currentData() == 5
    assert not monitoring.dissociation.isChecked()
    assert monitoring.dissociation_text.text() == ""
    assert monitoring.form.first_field.text() == ""
    assert pre_dose_first.text() == ""
    assert dose.amount.text() == "0.7"  # handed over: a clinician confirms a nurse's dose
    assert dose.lot.text() == "LOT-9"


def test_the_same_user_again_keeps_what_was_typed(
    qtbot: QtBot, app: AppContext, workspace: SessionWorkspace
) -> None:
    from kapdesk.ui.session.monitoring import MonitoringPage

    monitoring = workspace.page(STEP_MONITORING)
    assert isinstance(monitoring, MonitoringPage)
    monitoring.moaas.setCurrentIndex(2)
    monitoring.form.first_field.setText("150")
    app.actor = app.actor  # unlocking as the same user is no change of user
    assert monitoring.moaas.currentIndex() == 2
    assert monitoring.form.first_field.text() == "150"
