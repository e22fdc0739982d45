"""How many SQL statements and transactions opening a chart sends (issue 14: on a server each
is a round trip; the chart sent 33 in seven read transactions, one per service it asked).

Opening a patient's chart audits the view (one write transaction) and reads everything it
shows in ONE read transaction: the patient, their courses, PHQ-9 / GAD-7 results, sessions,
and the shown course's outcome and integration notes. The number does not grow with the
patient's sessions, courses or results (no query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_HIT

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.sessions import SessionService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.patients_page import PatientsPage

from .helpers_patients import CourseHistory, actor_for, add_patient, build_course_history

# The view's audit (write) and the one read; statements of both together, SQLite's
# explicit BEGINs and PRAGMAs included.
MAX_TRANSACTIONS = 2
MAX_STATEMENTS = 16


@dataclass
class Sent:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def clear(self) -> None:
        self.statements.clear()
        self.transactions = 0


@pytest.fixture
def sent(app: AppContext) -> Iterator[Sent]:
    seen = Sent()

    def statement(_conn: Any, _cur: Any, text: str, *_rest: Any) -> None:
        seen.statements.append(text)

    def begin(_conn: Any) -> None:
        seen.transactions += 1

    engine = app.ctx.db.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    yield seen
    event.remove(engine, "before_cursor_execute", statement)
    event.remove(engine, "begin", begin)


@pytest.fixture
def history(app: AppContext, clock: FakeClock) -> CourseHistory:
    return build_course_history(app, clock, latest_item9=1, allergies="Latex")


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


def grow(app: AppContext, clock: FakeClock, history: CourseHistory, sessions: int) -> None:
    """More sessions and GAD-7 results in the patient's course."""
    nurse = actor_for(app, Role.NURSE)
    therapist = actor_for(app, Role.THERAPIST)
    for n in range(sessions):
        SessionService(app.ctx).schedule(
            nurse, history.course.id, clock.now() + timedelta(days=20 + n), str(1 + n % 3)
        )
        InstrumentService(app.ctx).record(
            therapist, history.patient.id, "GAD-7", [1] * 7, course_id=history.course.id
        )


def test_a_chart_open_sends_few_statements_in_one_read(
    page: PatientsPage, history: CourseHistory, sent: Sent
) -> None:
    sent.clear()
    chart = page.open_patient(history.patient.id)

    assert chart.patient is not None
    assert chart.sessions_table.rowCount() == 4
    assert chart.notes_panel.table.rowCount() == 2
    assert sent.transactions <= MAX_TRANSACTIONS, sent.statements
    assert len(sent.statements) <= MAX_STATEMENTS, sent.statements


def test_the_statements_do_not_grow_with_the_patients_records(
    app: AppContext, clock: FakeClock, page: PatientsPage, history: CourseHistory, sent: Sent
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    other = add_patient(app, clinician, mrn="KAP-0200", given_name="Ana", family_name="Lima")
    CourseService(app.ctx).start(clinician, other.id, "kap-default")
    page.open_patient(other.id)
    sent.clear()
    page.open_patient(history.patient.id)
    small = (sent.transactions, len(sent.statements))

    grow(app, clock, history, sessions=12)
    page.open_patient(other.id)
    sent.clear()
    chart = page.open_patient(history.patient.id)

    assert chart.sessions_table.rowCount() == 4 + 12
    assert chart.gad_table.rowCount() == 1 + 12
    assert (sent.transactions, len(sent.statements)) == small
    assert small[0] <= MAX_TRANSACTIONS
    assert small[1] <= MAX_STATEMENTS


def test_choosing_another_course_reads_it_in_one_transaction(
    app: AppContext, clock: FakeClock, page: PatientsPage, sent: Sent
) -> None:
    clinician = actor_for(app, Role.CLINICIAN)
    patient = add_patient(app, clinician, mrn="KAP-0200", given_name="Ana", family_name="Lima")
    courses = CourseService(app.ctx)
    first = courses.start(clinician, patient.id, "kap-default").id
    InstrumentService(app.ctx).record(clinician, patient.id, "PHQ-9", [2] * 9, course_id=first)
    courses.end(clinician, first, clock.now().astimezone().date())
    second = courses.start(clinician, patient.id, "kap-default").id
    chart = page.open_patient(patient.id)
    assert chart.course_combo.currentData() == second
    assert chart.outcome_chart.curve_data() == ([], [])
    sent.clear()

    chart.course_combo.setCurrentIndex(chart.course_combo.findData(first))

    assert chart.notes_panel.course is not None
    assert chart.notes_panel.course.id == first
    assert chart.outcome_chart.curve_data() == ([0.0], [18.0])  # the first course's PHQ-9
    assert sent.transactions == 1, sent.statements


def test_after_the_sign_in_preload_the_first_chart_compiles_no_sql(
    app: AppContext, page: PatientsPage, history: CourseHistory
) -> None:
    """The sign-in window's preload compiles the chart's queries (services.chart_reads
    .warm_chart, beside the board's): the first chart of the process then finds every
    SELECT SQLAlchemy compiles in its compiled cache (plain driver SQL, such as the audit
    appender's look at sqlite_sequence, is never compiled)."""
    from kapdesk.ui.preload import Preloader

    Preloader(app)._warm(app)  # the worker's step (the rest of the preload: imports, Qt)
    misses: list[str] = []

    def cached(_conn: Any, _cur: Any, text: str, _p: Any, context: Any, _many: Any) -> None:
        compiled = context.compiled is not None
        if (
            text.lstrip().upper().startswith("SELECT")
            and compiled
            and context.cache_hit != CACHE_HIT
        ):
            misses.append(text)

    event.listen(app.ctx.db.engine, "before_cursor_execute", cached)
    chart = page.open_patient(history.patient.id)
    event.remove(app.ctx.db.engine, "before_cursor_execute", cached)

    assert chart.notes_panel.table.rowCount() == 2
    assert misses == []
