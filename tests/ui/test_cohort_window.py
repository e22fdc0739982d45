"""Records > Cohort outcomes…: the pilot cohort on screen (table, summary, plot data),
Save as CSV audited, nothing cut off at 1024x700 in the app's style, shown by role."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from services.test_cohort import PILOT, Clinic
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.storage.orm import AuditEntry
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.cohort_window import CohortSavePath, CohortWindow

from .conftest import actor_for
from .test_nothing_cut_off import cut_off
from .test_nothing_cut_off import demo as demo  # re-exported fixtures
from .test_nothing_cut_off import demo_template as demo_template
from .test_nothing_cut_off import styled as styled

SMALL = QSize(1024, 700)


def _window(qtbot: QtBot, app: AppContext) -> CohortWindow:
    w = CohortWindow(app)
    qtbot.addWidget(w)
    w.resize(SMALL)
    w.show()
    qtbot.waitExposed(w)
    QApplication.processEvents()
    return w


def test_the_pilot_cohort_on_screen_and_saved_as_csv(
    qtbot: QtBot,
    app: AppContext,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    clinic = Clinic(app.ctx, clinician, clock)
    for p in PILOT:
        clinic.pilot(p)
    app.actor = clinician
    w = _window(qtbot, app)
    assert w.table.rowCount() == 9
    assert "Response: 4 of 9 (44 %)" in w.summary.text()
    assert "Endpoint PHQ-9, median (IQR): 12 (10–14), moderate" in w.summary.text()
    assert "loss of response" in w.definitions.text()
    xs, ys = w.plot.median_curve.getData()
    assert list(xs) == list(range(9))
    assert ys[0] == 22
    assert ys[-1] == 12
    assert len([c for c in w.plot.course_curves if c.opts["pen"] is not None]) == 9
    out = tmp_path / "pilot.csv"
    monkeypatch.setattr(CohortSavePath, "ask", classmethod(lambda cls, p, s, f: out))
    assert w.save("csv") == out
    assert out.read_text(encoding="utf-8").count("\n") == 10
    with app.ctx.db.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.action == "export.cohort"
    assert last.user_id == clinician.user_id


def test_a_date_that_is_not_one_is_named(qtbot: QtBot, app: AppContext) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    w = _window(qtbot, app)
    w.started_from.setText("2026-02-30")
    w.refresh()
    assert "Started from" in w.message.text()


@pytest.mark.usefixtures("styled")
def test_nothing_is_cut_off_at_1024x700(qtbot: QtBot, demo: AppContext) -> None:
    demo.actor = actor_for(demo, Role.CLINICIAN)
    w = _window(qtbot, demo)
    assert w.table.rowCount() == 12
    assert cut_off(w) == []


def test_the_menu_entry_is_shown_to_clinicians_only(qtbot: QtBot, app: AppContext) -> None:
    from kapdesk.ui.main_window import MainWindow

    app.actor = actor_for(app, Role.NURSE)
    w = MainWindow(app, resume=False)
    qtbot.addWidget(w)
    w.today.stop()
    w.alerts.stop()
    for role in (Role.NURSE, Role.THERAPIST, Role.ADMIN):
        app.actor = actor_for(app, role)
        w._update_role_menus()
        assert not w.cohort_action.isVisible(), role
        assert w.open_cohort() is None, role
    app.actor = actor_for(app, Role.CLINICIAN)
    w._update_role_menus()
    assert w.cohort_action.isVisible()
    assert w.cohort_action.shortcut().toString() == "Ctrl+Shift+O"
