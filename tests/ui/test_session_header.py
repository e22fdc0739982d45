"""The session header on every step: allergies and contraindications, the override that
lifted a hold, and late documentation shown as such ("entered 10:42 for 10:30")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from services.sessionkit import YES_TO_ALL, Kit

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor
from kapdesk.services.observations import ObservationService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.storage.orm import Patient
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.session.workspace import STEP_DOSE, STEP_MONITORING, STEP_SIDE_EFFECTS


def hhmm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def set_patient(app: AppContext, session_id: int, *, allergies: str, contra: str) -> None:
    from kapdesk.services.sessions import SessionService

    pid = SessionService(app.ctx).get(session_id).patient_id
    with app.ctx.db.write() as s:
        p = s.get(Patient, pid)
        assert p is not None
        p.allergies, p.contraindications = allergies, contra


def test_allergies_and_contraindications_show_on_every_step(
    kit: Kit, app: AppContext, open_ws: Callable[[int], SessionWorkspace]
) -> None:
    sid = kit.checked_in()
    set_patient(app, sid, allergies="Penicillin (rash);\n latex", contra="Pregnancy possible")
    ws = open_ws(sid)
    for step in range(len(ws.pages)):
        ws.go_to(step)
        assert ws.header.allergies.isVisible()
        assert ws.header.allergies.text() == "⚠ Allergies: Penicillin (rash); latex"
        assert ws.header.allergies.property("level") == "alert"
        assert ws.header.contraindications.isVisible()
        assert ws.header.contraindications.text() == "⚠ Contraindications: Pregnancy possible"
        assert ws.header.contraindications.property("level") == "elevated"


def test_no_allergies_says_so(kit: Kit, open_ws: Callable[[int], SessionWorkspace]) -> None:
    ws = open_ws(kit.checked_in())
    assert ws.header.allergies.text() == "No known allergies"
    assert ws.header.allergies.property("level") == "info"
    assert ws.header.contraindications.text() == "No contraindications recorded"


def test_after_an_override_the_header_names_who_overrode_when_and_why(
    kit: Kit,
    clinician: Actor,
    clock: FakeClock,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 152, 94)
    ws = open_ws(sid)
    assert ws.header.alert.text().startswith("Dose on hold: held by pre-dose-elevated")
    clock.advance(minutes=2)
    kit.sessions.override_hold(clinician, sid, "Dr Rivera", "White-coat hypertension")
    ws.refresh()
    text = ws.header.alert.text()
    assert f"override recorded by Dr Rivera at {hhmm(clock.now())}: White-coat hypertension" in (
        text
    )
    assert "override (name, reason)" not in text
    assert "dose only with" not in text
    assert ws.header.alert.property("level") == "elevated"


def test_late_documentation_is_shown_as_entered_late_wherever_it_is_listed(
    kit: Kit, clock: FakeClock, open_ws: Callable[[int], SessionWorkspace]
) -> None:
    sid = kit.ready()
    kit.dose(sid)
    dosed = clock.now()
    clock.advance(minutes=12)
    kit.vitals.record(kit.nurse, sid, 130, 80, taken_at=dosed + timedelta(minutes=5))
    ObservationService(kit.ctx).record_moaas(kit.nurse, sid, 4, dosed + timedelta(minutes=3))
    SideEffectService(kit.ctx).record(
        kit.nurse, sid, "nausea", severity="mild", onset_at=dosed + timedelta(minutes=2)
    )
    clock.advance(minutes=1)
    kit.doses.record(
        kit.nurse, sid, medication="racemic ketamine", route="im", amount=0.3, unit="mg/kg",
        lot_number="LOT-42", given_at=dosed + timedelta(minutes=6),
    )  # fmt: skip
    ws = open_ws(sid)
    entered = hhmm(dosed + timedelta(minutes=12))
    monitoring = ws.pages[STEP_MONITORING]
    cells = [monitoring.readings.item(r, 0).text() for r in range(monitoring.readings.rowCount())]
    assert f"entered {entered} for {hhmm(dosed + timedelta(minutes=5))}" in cells
    assert hhmm(dosed - timedelta(minutes=1)) in cells  # the pre-dose reading: on time
    assert (
        f"entered {entered} for {hhmm(dosed + timedelta(minutes=3))}"
        in monitoring.observation_list.text()
    )
    dose = ws.pages[STEP_DOSE]
    times = [dose.table.item(r, 0).text() for r in range(dose.table.rowCount())]
    assert times == [
        hhmm(dosed),
        f"entered {hhmm(dosed + timedelta(minutes=13))} for {hhmm(dosed + timedelta(minutes=6))}",
    ]
    effects = ws.pages[STEP_SIDE_EFFECTS]
    row = effects.rows["nausea"]  # type: ignore[attr-defined]
    assert row.late.text() == f"entered {entered} for {hhmm(dosed + timedelta(minutes=2))}"
    assert effects.rows["dizziness"].late.text() == ""  # type: ignore[attr-defined]
