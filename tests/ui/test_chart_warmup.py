"""The patient chart built ahead while the app is idle after sign-in (ui/chart_warmup.py):
one part an event-loop turn, reading nothing and holding no patient data; the first chart
opened afterwards shows exactly that patient, as a chart built for them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from kapdesk.domain.permissions import Role
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.chart_warmup import WARM_AFTER_MS, ChartWarmup
from kapdesk.ui.main_window import PAGE_PATIENTS
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.patients_page import PatientsPage

from .helpers_patients import CourseHistory, actor_for, build_course_history
from .test_chart_next_patient import views_of

# The chart's parts (PatientChart.build_step): the header, the plot created, its five parts
# (OutcomeChart.build_step), the PHQ-9 and GAD-7 tables, the rest of the Outcomes tab, the
# Sessions tab, the notes panel, the tabs, the chart put together.
CHART_PARTS = 1 + 1 + 5 + 6
WARMUP_TURNS = 1 + CHART_PARTS  # the chart created empty, then its parts


@pytest.fixture
def history(app: AppContext, clock: Any) -> CourseHistory:
    return build_course_history(app, clock, latest_item9=2, allergies="Latex")


@pytest.fixture
def statements(app: AppContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(app.ctx.db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(app.ctx.db.engine, "before_cursor_execute", note)


@pytest.fixture
def page(qtbot: QtBot, app: AppContext, history: CourseHistory) -> Iterator[PatientsPage]:
    app.actor = actor_for(app, Role.CLINICIAN)
    widget = PatientsPage(app)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    if widget.chart is not None:
        widget.chart.close_editors()


def test_the_warm_up_builds_an_empty_chart_one_part_a_turn_reading_nothing(
    qtbot: QtBot, page: PatientsPage, statements: list[str]
) -> None:
    warmup = page.warmup
    statements.clear()
    qtbot.waitUntil(lambda: warmup.done, timeout=10_000)

    # One step a turn of the event loop, the chart's parts one by one, the plot in five.
    assert warmup.turns == len(warmup.ran) == WARMUP_TURNS
    assert warmup.ran.count("_build_part") == CHART_PARTS
    chart = warmup.chart
    assert chart is not None
    assert chart.built
    # It read nothing, audited nothing and shows no patient.
    assert statements == []
    assert chart.patient_id is None
    assert chart.patient is None
    assert chart.name.text() == chart.demographics.text() == ""
    assert chart.course_combo.count() == 0
    for table in (chart.sessions_table, chart.phq_table, chart.gad_table, chart.notes_panel.table):
        assert table.rowCount() == 0
    assert chart.outcome_chart.curve_data() == ([], [])
    # Not shown; the page has no open chart yet.
    assert page.chart is None
    assert page.stack.count() == 1
    assert page.stack.currentWidget() is page.placeholder
    assert not chart.isVisible()


def test_nothing_is_built_while_the_board_is_being_shown(page: PatientsPage) -> None:
    # The page is built with the main window at sign-in: the warm-up waits for a later turn.
    fresh = PatientsPage(page.app)
    assert fresh.warmup.turns == 0
    assert fresh.warmup.chart is None
    fresh.deleteLater()


def assert_shows(qtbot: QtBot, app: AppContext, chart: PatientChart, patient_id: int) -> None:
    fresh = PatientChart(app, patient_id)  # what a chart built for them shows
    qtbot.addWidget(fresh)
    assert chart.patient_id == patient_id
    assert chart.name.text() == fresh.name.text() != ""
    assert chart.demographics.text() == fresh.demographics.text()
    assert chart.allergy_banner.text() == fresh.allergy_banner.text()
    assert chart.item9_banner.text() == fresh.item9_banner.text()
    assert chart.course_combo.currentData() == fresh.course_combo.currentData()
    assert chart.outcome.text() == fresh.outcome.text()
    assert chart.outcome_chart.curve_data() == fresh.outcome_chart.curve_data()
    for mine, theirs in (
        (chart.sessions_table, fresh.sessions_table),
        (chart.phq_table, fresh.phq_table),
        (chart.gad_table, fresh.gad_table),
        (chart.notes_panel.table, fresh.notes_panel.table),
    ):
        cells = [[t.item(r, c).text() if t.item(r, c) else "" for c in range(t.columnCount())]
                 for t in (mine, theirs) for r in range(t.rowCount())]  # fmt: skip
        assert mine.rowCount() == theirs.rowCount()
        assert cells[: mine.rowCount()] == cells[mine.rowCount() :]
    assert chart.start_course_button.isEnabled() == fresh.start_course_button.isEnabled()
    assert chart.schedule_button.isEnabled() == fresh.schedule_button.isEnabled()


def test_the_first_chart_after_the_warm_up_shows_exactly_that_patient(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory
) -> None:
    qtbot.waitUntil(lambda: page.warmup.done, timeout=10_000)
    built = page.warmup.chart
    views = views_of(app, history.patient.id)

    chart = page.open_patient(history.patient.id)

    assert chart is built  # the chart built ahead, not another one
    assert page.stack.currentWidget() is chart
    assert page.stack.count() == 2
    assert views_of(app, history.patient.id) == views + 1  # the view is audited
    assert chart.sessions_table.rowCount() == len(history.session_ids) > 0
    assert len(chart.outcome_chart.curve_data()[0]) == len(history.phq9_ids)
    assert_shows(qtbot, app, chart, history.patient.id)


def test_a_chart_opened_before_the_warm_up_is_done_is_finished_then(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory
) -> None:
    warmup = page.warmup
    warmup._timer.stop()
    for _ in range(4):
        warmup._next()
    assert warmup.chart is not None
    assert not warmup.chart.built

    chart = page.open_patient(history.patient.id)

    assert warmup.done
    assert chart is warmup.chart
    assert chart.built
    assert page.stack.currentWidget() is chart
    assert page.stack.count() == 2
    assert_shows(qtbot, app, chart, history.patient.id)


def _opened(
    qtbot: QtBot, app: AppContext, patient_id: int, *, ahead: bool
) -> tuple[PatientsPage, PatientChart]:
    """A chart opened on a page of its own, shown: built ahead first, or nothing built."""
    page = PatientsPage(app)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    if ahead:
        qtbot.waitUntil(lambda: page.warmup.done, timeout=10_000)
    else:
        page.warmup._timer.stop()
        assert page.warmup.chart is None
    chart = page.open_patient(patient_id)
    qtbot.wait(50)  # laid out and painted
    return page, chart


def test_a_chart_opened_before_the_warm_up_began_is_built_in_the_stack(
    qtbot: QtBot, app: AppContext, page: PatientsPage, history: CourseHistory
) -> None:
    page.warmup._timer.stop()
    assert page.warmup.chart is None  # nothing built ahead
    parents: list[object] = []
    real_add = page.stack.addWidget

    def add(widget: Any) -> int:
        parents.append(widget.parentWidget())
        return real_add(widget)

    page.stack.addWidget = add  # type: ignore[method-assign]
    chart = page.open_patient(history.patient.id)

    assert parents == [page.stack]  # built there: put in the stack without being moved
    assert page.stack.currentWidget() is chart
    assert page.stack.count() == 2
    assert_shows(qtbot, app, chart, history.patient.id)


def test_a_chart_built_at_the_open_is_laid_out_as_one_built_ahead(
    qtbot: QtBot, app: AppContext, history: CourseHistory
) -> None:
    app.actor = actor_for(app, Role.CLINICIAN)
    _page, at_open = _opened(qtbot, app, history.patient.id, ahead=False)
    _other, ahead = _opened(qtbot, app, history.patient.id, ahead=True)
    assert at_open.allergy_banner.isVisible()
    assert at_open.item9_banner.isVisible()
    for part in ("allergy_banner", "item9_banner", "course_info", "outcome", "tabs"):
        assert getattr(at_open, part).geometry() == getattr(ahead, part).geometry(), part
    assert at_open.outcome_chart.curve_data() == ahead.outcome_chart.curve_data()
    plot = at_open.outcome_chart.plot
    assert plot.geometry() == ahead.outcome_chart.plot.geometry()
    labels = zip(at_open.outcome_chart.band_labels, ahead.outcome_chart.band_labels, strict=True)
    for mine, theirs in labels:
        assert mine.toPlainText() == theirs.toPlainText()
        assert mine.pos() == theirs.pos()


# ------------------------------------------------ built ahead from sign-in (the main window)


def _main_window(qtbot: QtBot, app: AppContext, role: Role) -> Any:
    from .conftest import show_main_window

    app.actor = actor_for(app, role)
    window = show_main_window(qtbot, app)
    qtbot.waitExposed(window)
    return window


def _ahead(window: Any) -> ChartWarmup:
    warmup = window.findChild(ChartWarmup)
    assert warmup is not None
    return warmup


def test_the_chart_is_built_ahead_after_sign_in_before_the_patients_page_is_visited(
    qtbot: QtBot,
    app: AppContext,
    history: CourseHistory,
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _main_window(qtbot, app, Role.CLINICIAN)
    warmup = _ahead(window)
    during: list[str] = []  # the statements sent while a step of the warm-up ran
    real_run = warmup._run

    def run(step: Any) -> None:
        statements.clear()
        real_run(step)
        during.extend(statements)

    monkeypatch.setattr(warmup, "_run", run)
    # No deadline of the page's own start delay here: the page is never built (asserted
    # below), so only the main window's warm-up can have built the chart. (Held to 0.9 s, it
    # timed out once in a full suite run on the 2-core CI machine.)
    qtbot.waitUntil(lambda: warmup.done, timeout=10_000)

    assert window.patients_page is None  # the page was never visited
    chart = warmup.chart
    assert chart is not None
    assert chart.built
    assert warmup.ran.count("_build_part") == CHART_PARTS
    assert during == []  # read nothing, audited nothing
    assert chart.patient_id is None
    assert not chart.isVisible()

    # The Patients page takes it over: its first chart is the one built ahead.
    views = views_of(app, history.patient.id)
    window.show_page(PAGE_PATIENTS)
    page = window.patients_page
    assert page.warmup is warmup
    opened = page.open_patient(history.patient.id)
    assert opened is chart
    assert page.stack.currentWidget() is chart
    assert page.stack.count() == 2
    assert views_of(app, history.patient.id) == views + 1  # the view is audited
    assert_shows(qtbot, app, chart, history.patient.id)
    chart.close_editors()
    window.close()


def test_a_patients_page_visited_during_the_warm_up_does_not_put_it_off(
    qtbot: QtBot, app: AppContext, history: CourseHistory
) -> None:
    window = _main_window(qtbot, app, Role.CLINICIAN)
    warmup = _ahead(window)
    window.show_page(PAGE_PATIENTS)  # before or while the chart is built ahead
    assert window.patients_page.warmup is warmup
    qtbot.waitUntil(lambda: warmup.done, timeout=WARM_AFTER_MS - 100)
    chart = window.patients_page.open_patient(history.patient.id)
    assert chart is warmup.chart
    assert_shows(qtbot, app, chart, history.patient.id)
    chart.close_editors()
    window.close()


def test_nothing_is_built_ahead_for_a_role_that_may_not_view_charts(
    qtbot: QtBot, app: AppContext, history: CourseHistory
) -> None:
    window = _main_window(qtbot, app, Role.ADMIN)
    warmup = _ahead(window)
    qtbot.wait(WARM_AFTER_MS)
    assert warmup.turns == 0
    assert warmup.chart is None
    window.close()


def test_a_chart_built_ahead_goes_with_its_main_window(
    qtbot: QtBot, app: AppContext, history: CourseHistory
) -> None:
    from kapdesk.ui.main_window import MainWindow

    app.actor = actor_for(app, Role.CLINICIAN)
    window = MainWindow(app, resume=False)  # not the qtbot's: deleted here
    window.today.stop()
    window.alerts.stop()
    window.show()
    warmup = _ahead(window)
    qtbot.waitUntil(lambda: warmup.done, timeout=10_000)  # no page: only its own warm-up
    chart = warmup.chart
    window.close()
    shiboken6.delete(window)  # as run_gui deletes it at sign-out
    qtbot.waitUntil(lambda: not shiboken6.isValid(chart), timeout=5_000)


def _sign_in_window(qtbot: QtBot, app: AppContext) -> Any:
    from kapdesk.ui.preload import Preloader
    from kapdesk.ui.run import login_window

    dialog = login_window(app)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    preloader = dialog.findChild(Preloader)
    assert preloader is not None
    return dialog, preloader


def test_nothing_of_the_chart_is_built_while_the_sign_in_window_waits(
    qtbot: QtBot, app: AppContext, history: CourseHistory
) -> None:
    """The password check (argon2: 64 MiB) is the process's peak memory: a chart built
    while the password is typed (~7.5 MB) would be alive during it. It is built after the
    main window's first paint instead."""

    def charts() -> list[PatientChart]:
        return [w for w in QApplication.allWidgets() if isinstance(w, PatientChart)]

    before = charts()  # charts of earlier tests may not be deleted yet (kept referenced)
    dialog, preloader = _sign_in_window(qtbot, app)
    qtbot.waitUntil(lambda: preloader.finished, timeout=60_000)
    qtbot.wait(WARM_AFTER_MS // 2)
    assert dialog.findChild(ChartWarmup) is None
    assert all(any(w is b for b in before) for w in charts())


def test_nothing_is_built_after_a_cancelled_sign_in(qtbot: QtBot, app: AppContext) -> None:
    from kapdesk.ui.run import _stop_preload

    dialog, preloader = _sign_in_window(qtbot, app)
    qtbot.waitUntil(lambda: preloader._worker is not None, timeout=10_000)
    dialog.reject()
    _stop_preload(dialog)  # as run_gui does once the window's exec() returned
    qtbot.wait(200)
    assert dialog.findChild(ChartWarmup) is None


def _loose_layouts() -> set[int]:
    """Layouts Python owns (in no widget's layout tree): the garbage collector deletes them
    in any order, a nested one after the one holding it, which crashed Qt."""
    import gc

    from PySide6.QtWidgets import QLayout

    return {
        id(o)
        for o in gc.get_objects()
        if isinstance(o, QLayout) and shiboken6.isValid(o) and shiboken6.ownedByPython(o)
    }


@pytest.mark.parametrize("steps", range(CHART_PARTS + 1))
def test_a_chart_dropped_half_built_leaves_no_layout_of_its_own(
    app: AppContext, steps: int
) -> None:
    """The warm-up's chart is dropped part-built when the window is rebuilt (another user
    at the lock screen, another language): whatever it built is owned by its widgets."""
    before = _loose_layouts()
    chart = PatientChart(app, None, deferred=True)
    for _ in range(steps):
        chart.build_step()
    assert _loose_layouts() - before == set()
    chart.deleteLater()
