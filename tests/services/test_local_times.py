"""Messages to clinicians give times in local time (the clock's zone), the zone named once.

The clock here reads Europe/Berlin: T0 = 09:00 UTC is 10:00 CET. Any 'UTC' or a 09:xx
hour in these messages would be the stored UTC time leaking into a local-time screen.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.notes import NoteService

from .sessionkit import Kit

IM = {"medication": "racemic ketamine", "route": "im", "unit": "mg/kg", "lot_number": "L1"}


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    clock.tz = ZoneInfo("Europe/Berlin")
    return Kit(ctx, clock, nurse)


def _message(call: object) -> str:
    assert callable(call)
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.message


def _refusal(call: object) -> str:
    assert callable(call)
    with pytest.raises(IllegalTransition) as err:
        call()
    return str(err.value)


def _local_once(text: str) -> None:
    assert "UTC" not in text, text
    assert text.count("CET") == 1, text
    assert not re.search(r"\b09:\d\d", text), text


def test_a_first_dose_before_the_latest_pre_dose_reading(kit: Kit) -> None:
    sid = kit.ready()
    early = kit.clock.now() - timedelta(minutes=1)
    text = _message(lambda: kit.doses.record(kit.nurse, sid, amount=0.5, given_at=early, **IM))
    _local_once(text)
    assert "10:00:00 CET must come after the latest pre-dose reading (10:00:00)" in text


def test_a_booster_before_the_first_dose(kit: Kit) -> None:
    sid = kit.dosed()
    early = kit.clock.now() - timedelta(minutes=1)
    text = _message(lambda: kit.doses.record(kit.nurse, sid, amount=0.25, given_at=early, **IM))
    _local_once(text)
    assert "A booster given at 10:00 CET cannot be before the first dose (10:01)" in text


def test_a_dose_held_by_a_pre_dose_reading(kit: Kit, clinician: Actor) -> None:
    sid = kit.ready(bp=(152, 94))
    err = _refusal(lambda: kit.doses.record(clinician, sid, amount=0.5, **IM))
    _local_once(err)
    assert "pre-dose BP 152/94 at 10:00 CET is elevated. Recheck after rest (from 10:05)" in err


def test_a_time_in_the_future(kit: Kit) -> None:
    sid = kit.ready()
    later = kit.clock.now() + timedelta(minutes=10)
    text = _message(lambda: kit.doses.record(kit.nurse, sid, amount=0.5, given_at=later, **IM))
    _local_once(text)
    assert "Given at 2026-03-02 10:11 CET is in the future" in text


def test_a_discharge_in_the_future(kit: Kit, clinician: Actor) -> None:
    sid = kit.dosed()
    later = kit.clock.now() + timedelta(hours=1)
    text = _message(lambda: kit.sessions.discharge(clinician, sid, at=later))
    _local_once(text)
    assert "Discharged at 2026-03-02 11:01 CET is in the future" in text
    assert "(now is 2026-03-02 10:01)" in text


def test_a_discharge_before_the_latest_reading(kit: Kit, clinician: Actor) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 120, 80, pulse=70, spo2=98)
    kit.advance(minutes=5)
    early = kit.clock.now() - timedelta(minutes=7)
    text = _message(lambda: kit.sessions.discharge(clinician, sid, at=early))
    _local_once(text)
    assert "Discharged at 2026-03-02 10:04:00 CET is before the latest reading" in text
    assert "at 2026-03-02 10:06:00)" in text


def test_a_reading_before_the_first_dose(kit: Kit) -> None:
    sid = kit.dosed()
    kit.advance(minutes=5)
    early = kit.clock.now() - timedelta(minutes=5, seconds=30)  # after check-in
    text = _message(lambda: kit.vitals.record(kit.nurse, sid, 120, 80, taken_at=early))
    _local_once(text)
    assert "The first dose was recorded at 10:01 CET" in text


def test_an_integration_note_held_before_the_first_dose(kit: Kit, therapist: Actor) -> None:
    sid = kit.dosed()
    session = kit.sessions.get(sid)
    held = kit.clock.now() - timedelta(minutes=1)
    notes = NoteService(kit.ctx)
    text = _message(
        lambda: notes.create_integration_note(
            therapist, session.course_id, follows_session_id=sid, held_at=held
        )
    )
    _local_once(text)
    assert f"Held at 2026-03-02 10:00 CET is before the first dose of session #{sid} " in text
    assert "(2026-03-02 10:01)" in text


def test_an_alert_acknowledged_twice(kit: Kit, clinician: Actor) -> None:
    from kapdesk.services.alerts import AlertService

    sid = kit.dosed()
    kit.advance(minutes=5)
    reading = kit.vitals.record(kit.nurse, sid, 212, 126, pulse=96, spo2=97).reading
    AlertService(kit.ctx).acknowledge(clinician, sid, reading.id)
    text = _message(lambda: AlertService(kit.ctx).acknowledge(clinician, sid, reading.id))
    _local_once(text)
    assert text.endswith("was already acknowledged at 10:06 CET.")


def test_the_clinic_day_is_the_clocks_local_day(kit: Kit, clinician: Actor) -> None:
    """23:30 UTC on 2 March is 00:30 on 3 March in Berlin: a course started 'today' then
    starts on the 3rd, the clinic's day, not the UTC one."""
    from kapdesk.services.courses import CourseService
    from kapdesk.services.patients import PatientService

    kit.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    patient = PatientService(kit.ctx).create(
        clinician,
        mrn="MRN-9",
        family_name="Reis",
        given_name="Ana",
        date_of_birth="1980-05-17",
        sex="female",
        weight_kg=60,
    )
    course = CourseService(kit.ctx).start(clinician, patient.id, "kap-default")
    assert course.started_on == date(2026, 3, 3)


def test_a_signed_session_refuses_a_change_in_local_time(
    kit: Kit, clinician: Actor, therapist: Actor
) -> None:
    from kapdesk.domain.errors import RecordLocked
    from kapdesk.services.signing import SigningService

    from .conftest import PASSWORD
    from .signkit import cheap_passwords, closed_session

    cheap_passwords(kit.ctx.db)
    sid = closed_session(kit, clinician, therapist)
    SigningService(kit.ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    signed_at = kit.clock.now()
    with pytest.raises(RecordLocked) as err:
        kit.vitals.record(kit.nurse, sid, 120, 80)
    text = str(err.value)
    _local_once(text)
    assert f"on 2026-03-02 {signed_at.hour + 1:02d}:{signed_at:%M} CET; add an addendum" in text


def test_a_side_effect_resolved_before_its_onset(kit: Kit) -> None:
    from kapdesk.services.side_effects import SideEffectService

    sid = kit.dosed()
    kit.advance(minutes=20)
    onset = kit.clock.now() - timedelta(minutes=5)
    text = _message(
        lambda: SideEffectService(kit.ctx).record(
            kit.nurse,
            sid,
            "nausea",
            severity="mild",
            onset_at=onset,
            resolved_at=onset - timedelta(minutes=2),
        )
    )
    _local_once(text)
    assert "Resolved 2026-03-02 10:14 CET is before the onset 2026-03-02 10:16." in text
