"""The dosing-session workspace in Portuguese (pt-PT): every step, its dialogs, numbers with
a decimal comma typed and shown, no Alt+letter taken twice; and English unchanged.

A text is "still English" when the Portuguese workspace shows exactly what the English one
shows for the same session at the same moment. What the services and the domain write (a
rule's description, a reading's assessment, the schedule's reading names) is translated by
their own catalogue (``_()``); until it is, those texts are listed in ``BELOW_THE_GUI``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from services.sessionkit import YES_TO_ALL, Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.instruments import MOAAS_LEVELS
from kapdesk.services.context import Actor
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import (
    STEP_CHECKLIST,
    STEP_DISCHARGE,
    STEP_DOSE,
    STEP_MONITORING,
    STEP_PRE_DOSE,
    STEP_SIDE_EFFECTS,
)
from kapdesk.ui.translation import speak

from .test_mnemonics import clashes

STAFF_YES = {"alert_oriented": True, "steady": True, "ride_home_present": True}
# Written the same in both languages: units, codes, route abbreviations, and words
# Portuguese shares with English ("Dose", "oral", "Diplopia").
SAME_IN_BOTH = {
    *("", "—", "%", "mg", "mg/kg", "kg", "mmHg", "/min", "SpO2", "MOAA/S", "&MOAA/S", "Min"),
    *("IV", "IM", "SC", "oral", "sublingual", "intranasal", "Diplopia", "Dose", "3 · Dose"),
}
# Times, signed minutes, blood pressures, numbers.
NUMBERS = re.compile(r"[0-9:+−/–. ]*")


def below_the_gui(text: str) -> bool:
    """A text the services or the domain write whole (their catalogue translates it)."""
    starts = (
        "Within ",  # within_limits_text
        "Elevated – ",  # a reading's assessment
        "Checked against ",
        "Protocol action: ",  # the protocol's action text follows the translated frame
        "✓  ",  # discharge checks: criterion (translated) – detail (the domain's)
        "✗  ",
    )
    levels = MOAAS_LEVELS.values()
    items = {f"{score} – {level}" for score, level in MOAAS_LEVELS.items()}
    moaas = text in levels or text in items
    moaas = moaas or any(f"– {level}  (" in text for level in levels)  # an observation's line
    schedule = " min after dose" in text or text.endswith("vitals") or text == "Before discharge"
    schedule = schedule or text.startswith("Recheck ")
    return text.startswith(starts) or moaas or schedule


@pytest.fixture
def languages(qapp: QApplication) -> Iterator[Callable[[str], None]]:
    """Switch the GUI's language; English again afterwards."""
    yield lambda tag: speak(qapp, tag)
    speak(qapp, "en")


def printing_tools(root: QWidget) -> set[QWidget]:
    """The header's print and PDF buttons (kapdesk.ui.printing: translated with it)."""
    if not isinstance(root, SessionWorkspace):
        return set()
    grid = root.header.layout()
    item = grid.itemAtPosition(0, 2) if isinstance(grid, QGridLayout) else None
    tools = item.widget() if item is not None else None
    return set() if tools is None else {tools, *tools.findChildren(QWidget)}


def shown_texts(root: QWidget) -> set[str]:
    """What a person reads or hears on ``root``: labels, buttons, list items, table
    headers and cells, combo items, placeholders, tooltips and accessible names."""
    texts: set[str] = set()
    elsewhere = printing_tools(root)
    for w in [root, *root.findChildren(QWidget)]:
        if (not w.isVisibleTo(root) and w is not root) or w in elsewhere:
            continue
        texts |= {w.accessibleName(), w.toolTip()}
        if isinstance(w, QLabel | QAbstractButton):
            texts.add(w.text())
        if isinstance(w, QLineEdit):
            texts.add(w.placeholderText())
        if isinstance(w, QComboBox):
            texts |= {w.itemText(i) for i in range(w.count())}
        if isinstance(w, QListWidget):
            texts |= {w.item(i).text() for i in range(w.count())}
        if isinstance(w, QTableWidget):
            for c in range(w.columnCount()):
                head = w.horizontalHeaderItem(c)
                texts.add(head.text() if head is not None else "")
                texts |= {
                    item.text() for r in range(w.rowCount()) if (item := w.item(r, c)) is not None
                }
    return texts


def still_english(portuguese: set[str], english: set[str], names: set[str]) -> set[str]:
    same = (portuguese & english) - SAME_IN_BOTH - names
    return {t for t in same if not below_the_gui(t) and not NUMBERS.fullmatch(t)}


def open_at(qtbot: QtBot, app: AppContext, sid: int, step: int) -> SessionWorkspace:
    ws = SessionWorkspace(app, sid)
    qtbot.addWidget(ws)
    ws.resize(1024, 700)
    ws.show()
    qtbot.waitExposed(ws)
    ws.go_to(step)
    qtbot.wait(20)  # a widget added to a shown page (the chart) shows on the next turn
    return ws


def both(
    qtbot: QtBot, app: AppContext, languages: Callable[[str], None], sid: int, step: int
) -> tuple[SessionWorkspace, set[str]]:
    """The session at ``step`` in Portuguese, and what it shows in English (read before
    the switch: a workspace writes its changing texts in the language of the moment)."""
    languages("en")
    english = open_at(qtbot, app, sid, step)
    english.timer.stop()
    texts = shown_texts(english)
    english.close()
    languages("pt-PT")
    portuguese = open_at(qtbot, app, sid, step)
    portuguese.timer.stop()
    return portuguese, texts


def session_names(app: AppContext, sid: int) -> set[str]:
    """The patient's, the staff's and the protocol's names as stored, its medications and
    the step list's line for the dose step ("3. Dose" in both languages)."""
    from kapdesk.services.protocol_store import protocol_of_session
    from kapdesk.services.sessions import SessionService
    from kapdesk.services.users import UserService

    s = SessionService(app.ctx).get(sid)
    staff = {u.full_name for u in UserService(app.ctx).list_users()}
    protocol = protocol_of_session(app.ctx, sid)
    steps = {f"{mark}  3. Dose" for mark in "✓▶○"}
    names = {s.patient_name, s.mrn, s.protocol_label, f"{s.patient_name}  ·  {s.mrn}", "LOT-42"}
    return {*names, *staff, *protocol.medications, *steps}


@pytest.fixture
def monitored(kit: Kit, clock: FakeClock, app: AppContext) -> int:
    """Dosed 40 min ago: a post-dose reading in alert, a side effect, a MOAA/S score."""
    sid = kit.dosed()
    clock.advance(minutes=25)
    kit.vitals.record(kit.nurse, sid, 185, 100, pulse=88, spo2=97)
    SideEffectService(app.ctx).record(kit.nurse, sid, "nausea", present=True, severity="mild")
    ObservationService(app.ctx).record_moaas(kit.nurse, sid, 4)
    clock.advance(minutes=15)
    return sid


@pytest.mark.parametrize(
    "step",
    [STEP_CHECKLIST, STEP_PRE_DOSE, STEP_DOSE, STEP_MONITORING, STEP_SIDE_EFFECTS, STEP_DISCHARGE],
)
def test_every_step_of_a_monitored_session_is_in_portuguese(
    qtbot: QtBot,
    app: AppContext,
    languages: Callable[[str], None],
    monitored: int,
    step: int,
) -> None:
    portuguese, english = both(qtbot, app, languages, monitored, step)
    names = session_names(app, monitored)
    assert still_english(shown_texts(portuguese), english, names) == set()
    assert "Monitorização" in portuguese.pages[STEP_MONITORING].title
    steps = [portuguese.steps.item(i).text() for i in range(6)]
    assert steps[0] == "✓  1. Lista de verificação pré-sessão"
    assert steps[5] == "○  6. Alta"
    assert clashes(portuguese) == []


def test_the_monitoring_step_reads_as_a_portuguese_nurse_reads_it(
    qtbot: QtBot, app: AppContext, languages: Callable[[str], None], monitored: int
) -> None:
    ws, _english = both(qtbot, app, languages, monitored, STEP_MONITORING)
    page = ws.pages[STEP_MONITORING]
    texts = shown_texts(page)
    for expected in (
        "TA &sistólica",
        "TA &diastólica",
        "P&ulso",
        "Saturação de oxigénio (Sp&O2)",
        "Medições devidas",
        "&Registar medição",
        "Gráfico da tensão arterial",
        "em alerta",  # the 185/100 reading's band in the readings table (the domain's word)
    ):
        assert expected in texts, expected
    chart = page.chart  # type: ignore[attr-defined]
    assert chart.plot.getAxis("bottom").labelText == "Minutos desde a primeira dose"
    assert [name for _curve, name in chart.legend_below._curves] == [
        "Sistólica",
        "Diastólica",
        "Pulso",
    ]
    assert ws.header.clock.text() == "Desde a dose: 40 min"
    header = ws.header.facts.text()
    assert "peso 70 kg" in header
    latest = ws.pages[STEP_MONITORING].result.text()  # type: ignore[attr-defined]
    assert "pulso 88/min" in latest
    assert "Em alerta" in latest  # the domain's band word


def test_a_missed_reading_is_counted_in_portuguese_and_english(
    qtbot: QtBot,
    app: AppContext,
    languages: Callable[[str], None],
    kit: Kit,
    clock: FakeClock,
) -> None:
    sid = kit.dosed()
    clock.advance(minutes=60)  # the 20-30 min reading is missed 15 min after its window
    portuguese, english = both(qtbot, app, languages, sid, STEP_MONITORING)
    assert "Due readings · 1 missed" in english
    assert "Medições devidas · 1 falhada" in shown_texts(portuguese)


def test_a_held_pre_dose_reading_and_its_override_speak_portuguese(
    qtbot: QtBot,
    app: AppContext,
    languages: Callable[[str], None],
    kit: Kit,
    clinician: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kapdesk.ui.session.dialogs import OverrideDialog

    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    kit.vitals.record(kit.nurse, sid, 182, 104, pulse=80, spo2=98)
    app.actor = clinician
    portuguese, english = both(qtbot, app, languages, sid, STEP_PRE_DOSE)
    names = session_names(app, sid)
    assert still_english(shown_texts(portuguese), english, names) == set()
    page = portuguese.pages[STEP_PRE_DOSE]
    assert page.hold.text().startswith("Dose suspensa: ")  # type: ignore[attr-defined]
    assert page.override_button.text() == "Autori&zar exceção…"  # type: ignore[attr-defined]
    assert portuguese.header.alert.text().startswith("Dose suspensa: ")
    asked: list[str] = []

    def ask(_cls: object, _parent: object, intro: str, *_a: object, **_k: object) -> None:
        asked.append(intro)
        dialog = OverrideDialog(None, intro, "Dr Lima")
        asked.extend([dialog.windowTitle(), dialog.ok.text()])
        dialog.deleteLater()

    monkeypatch.setattr(OverrideDialog, "ask", classmethod(ask))
    page.override()  # type: ignore[attr-defined]
    assert asked[0].endswith(
        "Administrar apesar disso exige o nome do prescritor e um motivo; ambos ficam "
        "guardados com a sessão."
    )
    assert asked[1:] == ["Autorizar exceção à suspensão pré-dose", "&Registar autorização"]
    assert clashes(portuguese) == []


def test_a_discharged_session_and_its_signature_speak_portuguese(
    qtbot: QtBot,
    app: AppContext,
    languages: Callable[[str], None],
    kit: Kit,
    clock: FakeClock,
    clinician: Actor,
) -> None:
    sid = kit.dosed()
    kit.sessions.record_discharge_answers(kit.nurse, sid, STAFF_YES)
    clock.advance(minutes=50)
    kit.sessions.discharge(clinician, sid, unmet_reason="Family emergency")
    app.actor = clinician
    portuguese, english = both(qtbot, app, languages, sid, STEP_DISCHARGE)
    names = session_names(app, sid)
    assert still_english(shown_texts(portuguese), english, names) == set()
    banner = portuguese.signature_banner
    assert banner.status.text() == "Sessão ainda não assinada; assina-a um clínico."
    assert banner.sign_button.text() == "Ass&inar sessão…"
    dialog = banner.sign_record()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Assinar sessão"
    assert dialog.intro.text().startswith("Está a assinar a sessão ")
    assert dialog.meaning.currentText() == "Revisto e assinado"
    dialog.reject()
    assert clashes(portuguese) == []


def test_a_decimal_comma_is_read_and_shown_in_portuguese(
    qtbot: QtBot,
    app: AppContext,
    languages: Callable[[str], None],
    kit: Kit,
    clock: FakeClock,
) -> None:
    """'72,5' kg and '41,2' mg typed in Portuguese are stored as 72.5 and 41.2 and shown
    with a comma; '41.2' is still understood."""
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, YES_TO_ALL)
    languages("pt-PT")
    assert QLocale().decimalPoint() == ","
    ws = open_at(qtbot, app, sid, STEP_CHECKLIST)
    checklist = ws.pages[STEP_CHECKLIST]
    weight = checklist.numbers["weight_kg"]  # type: ignore[attr-defined]
    weight.setText("72,5")
    checklist.save_number("weight_kg")  # type: ignore[attr-defined]
    assert kit.sessions.get(sid).weight_kg == 72.5
    ws.refresh()
    assert weight.text() == "72,5"
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    clock.advance(minutes=1)
    ws.refresh()
    dose = ws.pages[STEP_DOSE]
    dose.unit.setCurrentIndex(dose.unit.findData("mg"))  # type: ignore[attr-defined]
    dose.amount.setText("41,2")  # type: ignore[attr-defined]
    assert dose.calc.text() == "41,2 mg = 0,57 mg/kg para 72,5 kg"  # type: ignore[attr-defined]
    dose.amount.setText("41.2")  # type: ignore[attr-defined]
    assert dose.calc.text() == "41,2 mg = 0,57 mg/kg para 72,5 kg"  # type: ignore[attr-defined]
    dose.amount.setText("41,2")  # type: ignore[attr-defined]
    dose.lot.setText("LOT-7")  # type: ignore[attr-defined]
    dose.record()  # type: ignore[attr-defined]
    given = kit.sessions.detail(sid).doses
    assert [(d.amount, d.unit, d.mg) for d in given] == [(41.2, "mg", 41.2)]
    table = dose.table  # type: ignore[attr-defined]
    assert table.horizontalHeaderItem(2).text() == "Via"
    assert [table.item(0, c).text() for c in (3, 4, 7)] == ["41,2 mg", "41,2", "primeira"]


def test_english_numbers_and_words_are_unchanged(
    qtbot: QtBot, app: AppContext, languages: Callable[[str], None], kit: Kit, clock: FakeClock
) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 72.5})
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    clock.advance(minutes=1)
    languages("en")
    ws = open_at(qtbot, app, sid, STEP_DOSE)
    dose = ws.pages[STEP_DOSE]
    dose.unit.setCurrentIndex(dose.unit.findData("mg"))  # type: ignore[attr-defined]
    dose.amount.setText("41.2")  # type: ignore[attr-defined]
    assert dose.calc.text() == "41.2 mg = 0.57 mg/kg at 72.5 kg"  # type: ignore[attr-defined]
    assert ws.header.facts.text().endswith("  ·  weight 72.5 kg")
    assert ws.steps.item(STEP_CHECKLIST).text() == "✓  1. Pre-session checklist"
    assert ws.pages[STEP_CHECKLIST].numbers["weight_kg"].text() == "72.5"  # type: ignore[attr-defined]


def test_the_session_dialogs_speak_portuguese(
    qtbot: QtBot, app: AppContext, languages: Callable[[str], None], kit: Kit, clock: FakeClock
) -> None:
    from kapdesk.domain.check_in import CheckInConflicts
    from kapdesk.ui.discard_guard import discard_box
    from kapdesk.ui.entered_in_error import EnteredInErrorDialog
    from kapdesk.ui.entry_rows import reading_entry
    from kapdesk.ui.session.check_in import CheckInDialog
    from kapdesk.ui.session.dialogs import ReasonDialog

    languages("pt-PT")
    reason = ReasonDialog(None, "Não administrar a dose", "Porquê?")
    qtbot.addWidget(reason)
    assert reason.ok.text() == "&Confirmar"
    conflicts = CheckInConflicts(1, "Room 1", None, None, (), ("Room 2",))
    check_in = CheckInDialog(None, "", conflicts, ["Room 1", "Room 2"], ask_reason=True)
    qtbot.addWidget(check_in)
    assert check_in.windowTitle() == "Admissão"
    assert check_in.ok.text() == "&Admitir"
    assert check_in.room.itemText(1) == "Room 2 (ocupada)"
    box = discard_box(None, "sinais vitais")
    assert box.text() == "Descartar o que não foi guardado (sinais vitais)?"
    assert {b.text() for b in box.buttons()} == {"&Descartar", "Continuar a &editar"}
    sid = kit.ready()
    reading = kit.sessions.detail(sid).readings[0]
    entry = reading_entry(reading)
    assert entry.label.startswith("Medição ")
    assert "TA 122/78" in entry.label
    error = EnteredInErrorDialog(app, entry)
    qtbot.addWidget(error)
    assert error.windowTitle() == "Introduzido por erro"
    assert error.ok.text() == "Marcar como &introduzido por erro"
    for dialog in (reason, check_in, error):
        assert clashes(dialog) == [], dialog.windowTitle()
    box.deleteLater()


def test_switching_back_to_english_shows_the_english_workspace(
    qtbot: QtBot, app: AppContext, languages: Callable[[str], None], monitored: int
) -> None:
    languages("pt-PT")
    open_at(qtbot, app, monitored, STEP_MONITORING).timer.stop()
    languages("en")
    ws = open_at(qtbot, app, monitored, STEP_MONITORING)
    ws.timer.stop()
    assert ws.pages[STEP_MONITORING].title == "Monitoring"
    assert ws.header.clock.text() == "Since dose 40 min"
    assert ws.pages[STEP_MONITORING].due_title.text() == "Due readings"  # type: ignore[attr-defined]


def test_missed_readings_are_counted_with_the_plural_of_each_language(
    languages: Callable[[str], None],
) -> None:
    from kapdesk.domain.schedule import ItemStatus
    from kapdesk.ui.session.due import due_title

    class Missed:
        def status_at(self, _now: object) -> ItemStatus:
            return ItemStatus.MISSED

    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    languages("pt-PT")
    said = [due_title([Missed()] * n, now) for n in (0, 1, 2)]  # type: ignore[arg-type, list-item]
    assert said == [
        "Medições devidas",
        "Medições devidas · 1 falhada",
        "Medições devidas · 2 falhadas",
    ]
    languages("en")
    said = [due_title([Missed()] * n, now) for n in (0, 1, 2)]  # type: ignore[arg-type, list-item]
    assert said == ["Due readings", "Due readings · 1 missed", "Due readings · 2 missed"]


def test_the_menu_bar_letters_a_session_page_avoids_follow_the_language(
    languages: Callable[[str], None],
) -> None:
    from kapdesk.ui.session.common import menu_bar_letters

    english = menu_bar_letters()
    languages("pt-PT")
    portuguese = menu_bar_letters()
    assert set("fgcah") <= set(english)
    assert "u" in portuguese  # Aj&uda
    assert "i" in portuguese  # &Ir


def test_the_dose_calculator_warns_in_portuguese(
    qtbot: QtBot, app: AppContext, languages: Callable[[str], None], kit: Kit, clock: FakeClock
) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 72.5})
    kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)
    clock.advance(minutes=1)
    languages("pt-PT")
    dose = open_at(qtbot, app, sid, STEP_DOSE).pages[STEP_DOSE]
    dose.unit.setCurrentIndex(dose.unit.findData("mg_per_kg"))  # type: ignore[attr-defined]
    for amount in ("0,05", "1,8"):  # under the usual dose; over the maximum
        dose.amount.setText(amount)  # type: ignore[attr-defined]
        text = dose.calc.text()  # type: ignore[attr-defined]
        assert "below" not in text
        assert "exceeds" not in text
        assert "maximum" not in text
