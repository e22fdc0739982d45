"""One word per session state (issue 12): the board, the session header, the chart, the
handover and the session summary PDF all say a state with the word from
``kapdesk.domain.session_state.STATE_LABELS`` (capitalised in a table cell)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from pytestqt.qtbot import QtBot
from reports.pdftext import document
from services.sessionkit import Kit

import kapdesk
from kapdesk.domain.permissions import Role
from kapdesk.domain.session_state import (
    ACTIVE,
    STATE_LABELS,
    SessionState,
    state_label,
    state_title,
)
from kapdesk.reports.pdf import PDF
from kapdesk.services.reports import ReportService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.handover import state_word
from kapdesk.ui.models.board import COL_STATE, state_text
from kapdesk.ui.patient_chart import PatientChart
from kapdesk.ui.session import SessionWorkspace

from .conftest import actor_for

ROOT = Path(kapdesk.__file__).parent
SCREENS_AND_PAPERS = ("ui", "reports", "services/report_data")
WORDS = {label.casefold() for label in STATE_LABELS.values()}


def _literals(path: Path) -> Iterator[tuple[int, str]]:
    """Whole string constants; the pieces of an f-string are parts of a sentence
    ('scheduled 10:00 · checked in 10:05' names events, not states)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in pieces
        ):
            yield node.lineno, node.value


def test_no_screen_or_pdf_spells_a_state_word_itself() -> None:
    """A string that is just a state's word ('In monitoring', 'withheld') is written only
    in the mapping; screens and PDFs take it from there."""
    also = {"withheld", "monitoring started", "pre-dose vitals taken", "checked-in"}
    found = []
    for folder in SCREENS_AND_PAPERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, text in _literals(path):
                if text.strip().casefold() in WORDS | also:
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not found, "\n".join(found)


def _every_state(kit: Kit, app: AppContext) -> dict[SessionState, int]:
    clinician = actor_for(app, Role.CLINICIAN)
    made = {
        SessionState.SCHEDULED: kit.scheduled(mrn="MRN-1"),
        SessionState.CHECKED_IN: kit.checked_in(mrn="MRN-2"),
        SessionState.PRE_DOSE_VITALS: kit.ready(mrn="MRN-3"),
        SessionState.DOSED: kit.dosed(mrn="MRN-4"),
    }
    monitoring = kit.dosed(mrn="MRN-5")
    kit.advance(minutes=2)
    kit.vitals.record(kit.nurse, monitoring, 124, 80, pulse=70, spo2=98)
    made[SessionState.MONITORING] = monitoring
    discharged = kit.dosed(mrn="MRN-6")
    kit.advance(minutes=2)
    kit.vitals.record(kit.nurse, discharged, 124, 80, pulse=70, spo2=98)
    kit.sessions.discharge(clinician, discharged, unmet_reason="Transferred to the ED.")
    made[SessionState.DISCHARGED] = discharged
    cancelled = kit.scheduled(mrn="MRN-7")
    kit.sessions.cancel(clinician, cancelled, "Patient unwell, rebooked.")
    made[SessionState.CANCELLED] = cancelled
    withheld = kit.checked_in(mrn="MRN-8")
    kit.sessions.withhold_dose(clinician, withheld, "Blood pressure too high today.")
    made[SessionState.DOSE_WITHHELD] = withheld
    for state, sid in made.items():
        assert kit.sessions.get(sid).state == state
    return made


def test_every_screen_and_the_pdf_say_each_state_with_its_one_word(
    qtbot: QtBot, app: AppContext, kit: Kit, tmp_path: Path
) -> None:
    made = _every_state(kit, app)
    reports = ReportService(app.ctx, renderer=PDF)
    clinician = actor_for(app, Role.CLINICIAN)
    for state, sid in made.items():
        word = state.label
        title = word[:1].upper() + word[1:]
        assert word == STATE_LABELS[state] == state_label(state.value)
        info = kit.sessions.get(sid)
        # the header of the session workspace
        ws = SessionWorkspace(app, sid)
        qtbot.addWidget(ws)
        facts = ws.header.facts.text().split("  ·  ")
        assert facts[2] == title, facts
        ws.stop()
        # the chart's Sessions tab
        chart = PatientChart(app, info.patient_id)
        qtbot.addWidget(chart)
        table = chart.sessions_table
        states = [table.item(r, 3).text() for r in range(table.rowCount())]
        assert states == [title], (state, states)
        # the handover says it as the board does
        assert state_word(state.value) == title
        # the session summary
        text = document(reports.session_summary_pdf(clinician, sid, demo=False))
        assert f"#{sid} · {word} · " in text, (state, text[:300])


def test_the_board_says_each_running_state_with_its_one_word(
    qtbot: QtBot, app: AppContext, kit: Kit
) -> None:
    from kapdesk.ui.today_board import TodayBoard

    made = _every_state(kit, app)
    board = TodayBoard(app)
    qtbot.addWidget(board)
    board.stop()
    board.refresh()
    shown = {board.model.row_at(r).session_id: r for r in range(board.model.rowCount())}
    checked = set()
    for state, sid in made.items():
        if sid not in shown:
            continue
        checked.add(state)
        row = board.model.row_at(shown[sid])
        cell = board.model.cell_text(shown[sid], COL_STATE)
        assert cell == state_text(row)
        assert cell.startswith(state_title(state)), (state, cell)
    assert checked >= ACTIVE | {SessionState.SCHEDULED}, checked
