"""The Today board: which sessions, in which order, what is due, flags, and query cost."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.schedule import ItemStatus
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.storage.orm import SideEffect
from tests.sql_seen import statements_seen

from .sessionkit import YES_TO_ALL, Kit

EST = timezone(timedelta(hours=-5))


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def _board(ctx: ServiceContext, day: date | None = None) -> dict[int, Any]:
    return {r.session_id: r for r in BoardService(ctx).today_board(day, tz=UTC)}


def test_day_in_local_time_plus_running_sessions_ordered_by_room(
    kit: Kit, ctx: ServiceContext
) -> None:
    svc = kit.sessions
    courses = [kit.course(mrn=f"B-{i}") for i in range(5)]
    # 2026-03-02 in UTC-5 runs from 05:00 UTC on the 2nd to 05:00 UTC on the 3rd.
    late_b = svc.schedule(kit.nurse, courses[0], datetime(2026, 3, 3, 4, 59, tzinfo=UTC), "B").id
    early_b = svc.schedule(kit.nurse, courses[1], datetime(2026, 3, 2, 5, 0, tzinfo=UTC), "B").id
    room_a = svc.schedule(kit.nurse, courses[2], datetime(2026, 3, 2, 20, 0, tzinfo=UTC), "a").id
    day_before = svc.schedule(
        kit.nurse, courses[3], datetime(2026, 3, 2, 4, 59, tzinfo=UTC), "A"
    ).id
    running = svc.schedule(kit.nurse, courses[4], datetime(2026, 2, 27, 9, 0, tzinfo=UTC), "C").id
    svc.check_in(kit.nurse, running)

    rows = BoardService(ctx).today_board(date(2026, 3, 2), tz=EST)
    assert [r.session_id for r in rows] == [room_a, early_b, late_b, running]
    assert day_before not in {r.session_id for r in rows}
    assert [r.session_id for r in BoardService(ctx).today_board(date(2026, 3, 1), tz=EST)] == [
        day_before,
        running,
    ]
    assert [r.session_id for r in BoardService(ctx).running_sessions()] == [running]


def test_default_day_is_today_at_the_clock(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.scheduled()
    assert [r.session_id for r in BoardService(ctx).today_board(tz=UTC)] == [sid]
    kit.advance(minutes=24 * 60)
    assert BoardService(ctx).today_board(tz=UTC) == []


def test_row_fields_and_next_due_through_the_session(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.scheduled(room="Room 3")
    row = _board(ctx)[sid]
    assert (row.room, row.patient_name, row.mrn, row.protocol_label, row.state) == (
        "Room 3",
        "Simões, Conceição",
        "MRN-1",
        "kap-default v1.0",
        "scheduled",
    )
    assert (row.next_due, row.flags, row.worst_band, row.first_dose_at) == (None, (), "", None)

    kit.sessions.check_in(kit.nurse, sid)
    row = _board(ctx)[sid]
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("pre-dose", ItemStatus.DUE)
    assert row.flags == ("Checklist incomplete",)

    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 120, 80)
    kit.advance(minutes=1)
    kit.dose(sid)
    dosed_at = kit.clock.now()
    row = _board(ctx)[sid]
    assert row.first_dose_at == dosed_at
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("post-dose-20-30#1", ItemStatus.UPCOMING)
    assert row.flags == ()
    assert row.worst_band == "normal"

    kit.clock.set(dosed_at + timedelta(minutes=20))
    assert _board(ctx)[sid].next_due.status is ItemStatus.DUE  # type: ignore[union-attr]
    kit.clock.set(dosed_at + timedelta(minutes=30, seconds=1))
    row = _board(ctx)[sid]
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("post-dose-20-30#1", ItemStatus.OVERDUE)
    assert row.flags == ("Reading overdue",)


def test_hold_flags(kit: Kit, ctx: ServiceContext, clinician: Actor) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 150, 92)
    row = _board(ctx)[sid]
    assert row.flags == ("Elevated pre-dose BP", "Hold: override needed")
    assert row.worst_band == "elevated"
    kit.advance(minutes=5)
    row = _board(ctx)[sid]
    assert "Recheck due" not in row.flags
    # the recheck is a scheduled reading, due now (issue 9), not a flag
    assert row.next_due is not None
    assert (row.next_due.label, row.next_due.status) == (
        "Recheck 5 min after the elevated reading",
        ItemStatus.DUE,
    )
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Baseline")
    assert "Hold overridden" in _board(ctx)[sid].flags
    kit.vitals.record(kit.nurse, sid, 124, 80)
    row = _board(ctx)[sid]
    assert row.flags == ()
    assert row.worst_band == "elevated"  # the worst of the session, not the latest

    other = kit.checked_in(mrn="MRN-2")
    kit.vitals.record(kit.nurse, other, 120, 80, spo2=88)
    assert _board(ctx)[other].flags[1:] == ("Alert pre-dose reading", "Hold: override needed")


def test_escalate_and_open_side_effects(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    kit.advance(minutes=10)
    kit.vitals.record(kit.nurse, sid, 190, 100)
    assert "Escalate" not in _board(ctx)[sid].flags
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 188, 104)
    assert "Escalate" in _board(ctx)[sid].flags
    kit.advance(minutes=5)
    assert "Escalate" in _board(ctx)[sid].flags
    assert "Recheck due" not in _board(ctx)[sid].flags
    assert _board(ctx)[sid].next_due.label == (  # type: ignore[union-attr]
        "Recheck 5 min after the alert reading"
    )
    assert _board(ctx)[sid].worst_band == "alert"

    now = kit.clock.now()

    def effect(effect_id: str, *, present: bool = True, resolved: bool = False) -> SideEffect:
        return SideEffect(
            session_id=sid,
            effect_id=effect_id,
            label=effect_id.title(),
            present=present,
            severity="mild" if present else None,
            onset_at=now if present else None,
            intervention="",
            resolved_at=now if resolved else None,
            recorded_by=kit.nurse.user_id,
            recorded_at=now,
        )

    with ctx.db.write() as s:
        s.add_all(
            [
                effect("nausea"),
                effect("dizziness"),
                effect("headache", resolved=True),
                effect("vomiting", present=False),
            ]
        )
    assert _board(ctx)[sid].flags[-1] == "Open side effects: 2"


def test_finished_sessions_show_state_without_timers(kit: Kit, ctx: ServiceContext) -> None:
    cancelled = kit.checked_in()
    kit.sessions.cancel(kit.nurse, cancelled, "Unwell")
    row = _board(ctx)[cancelled]
    assert (row.state, row.next_due, row.flags) == ("cancelled", None, ())
    assert BoardService(ctx).running_sessions() == []


def test_board_costs_a_fixed_number_of_queries(kit: Kit, ctx: ServiceContext) -> None:
    def selects() -> int:
        with statements_seen(ctx.db.engine) as statements:
            rows = BoardService(ctx).today_board(tz=UTC)
        assert rows
        return sum(1 for q in statements if q.lstrip().upper().startswith("SELECT"))

    for i in range(2):
        sid = kit.dosed(mrn=f"Q-{i}")
        kit.vitals.record(kit.nurse, sid, 185, 100)
    few = selects()
    for i in range(2, 12):
        sid = kit.dosed(mrn=f"Q-{i}")
        kit.vitals.record(kit.nurse, sid, 185, 100)
        kit.scheduled(mrn=f"S-{i}")
    assert len(BoardService(ctx).today_board(tz=UTC)) == 22
    many = selects()
    assert few == many == 5  # was 7: acknowledgements with readings, side effects a column


# ---------------------------------------------------------------- issue 9: alerts


def _row(ctx: ServiceContext, sid: int) -> Any:
    return _board(ctx)[sid]


def test_spo2_88_shows_at_once_with_value_rule_and_version(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    kit.advance(minutes=12)
    kit.vitals.record(kit.nurse, sid, 118, 76, pulse=80, spo2=88)
    [alert] = _row(ctx, sid).alerts  # the same minute: no clock step
    assert alert.band.value == "alert"
    assert alert.text == "SpO2 88 % alert: low-spo2 (SpO2 < 92 %), kap-default v1.0"
    kit.advance(minutes=30)
    assert len(_row(ctx, sid).alerts) == 1  # stays until cleared or acknowledged


def test_212_126_shows_at_once_not_at_recheck_due(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    kit.advance(minutes=22)
    kit.vitals.record(kit.nurse, sid, 212, 126)
    [alert] = _row(ctx, sid).alerts
    assert alert.band.value == "critical"
    assert alert.text.startswith("BP 212/126 critical: critical-bp (systolic > 200")
    assert alert.text.endswith("kap-default v1.0")


def test_pre_dose_spo2_alert_shows_too(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.checked_in()
    kit.vitals.record(kit.nurse, sid, 120, 80, spo2=88)
    [alert] = _row(ctx, sid).alerts
    assert alert.value_text == "SpO2 88 %"


def test_a_later_reading_within_limits_clears_the_alert(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    kit.advance(minutes=22)
    kit.vitals.record(kit.nurse, sid, 190, 100)
    assert len(_row(ctx, sid).alerts) == 1
    kit.advance(minutes=5)
    kit.vitals.record(kit.nurse, sid, 150, 92)
    assert _row(ctx, sid).alerts == ()


def test_a_reading_clears_an_alert_only_on_the_values_it_measured(
    kit: Kit, ctx: ServiceContext
) -> None:
    sid = kit.dosed()
    kit.advance(minutes=10)
    kit.vitals.record(kit.nurse, sid, 130, 80, pulse=80, spo2=86)
    kit.advance(minutes=1)
    kit.vitals.record(kit.nurse, sid, 128, 80)  # BP only: SpO2 not measured
    [alert] = _row(ctx, sid).alerts
    assert alert.text == "SpO2 86 % alert: low-spo2 (SpO2 < 92 %), kap-default v1.0"
    kit.advance(minutes=1)
    kit.vitals.record(kit.nurse, sid, 130, 80, pulse=135)
    kit.advance(minutes=1)
    kit.vitals.record(kit.nurse, sid, 128, 80)  # no pulse, no SpO2
    texts = [a.text for a in _row(ctx, sid).alerts]
    assert texts == [
        "pulse 135/min alert: tachycardia (pulse > 120/min), kap-default v1.0",
        "SpO2 86 % alert: low-spo2 (SpO2 < 92 %), kap-default v1.0",
    ]
    kit.advance(minutes=1)
    kit.vitals.record(kit.nurse, sid, 126, 80, pulse=90, spo2=95)  # both within limits
    assert _row(ctx, sid).alerts == ()


def test_acknowledgement_is_clinicians_audited_and_clears(
    kit: Kit, ctx: ServiceContext, clinician: Actor
) -> None:
    from kapdesk.domain.errors import PermissionDenied, ValidationError
    from kapdesk.services.alerts import AlertService

    from .sessionkit import audit_probe, refused

    sid = kit.dosed()
    kit.advance(minutes=22)
    reading = kit.vitals.record(kit.nurse, sid, 212, 126).reading
    normal_sid = kit.dosed(mrn="MRN-2")
    normal = kit.vitals.record(kit.nurse, normal_sid, 130, 80).reading
    service = AlertService(ctx)
    refused(ctx, PermissionDenied, lambda: service.acknowledge(kit.nurse, sid, reading.id))
    refused(
        ctx,
        ValidationError,
        lambda: service.acknowledge(clinician, normal_sid, normal.id),
        match="only an alert or critical reading",
    )
    with audit_probe(ctx.db) as probe:
        info = service.acknowledge(clinician, sid, reading.id, "Seen, repeat in 5 min")
    assert probe.actions == ["alert.acknowledge"]
    assert probe.entries[0].after is not None
    assert json.loads(probe.entries[0].after)["reading_id"] == reading.id
    assert (info.acknowledged_by, info.note) == ("Test Clinician", "Seen, repeat in 5 min")
    assert _row(ctx, sid).alerts == ()
    assert service.active(sid) == ()
    refused(
        ctx,
        ValidationError,
        lambda: service.acknowledge(clinician, sid, reading.id),
        match="already acknowledged",
    )


def test_no_false_alerts_on_normal_or_elevated_readings(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()
    for minutes, bp in ((20, (152, 94)), (10, (160, 95)), (10, (130, 85))):
        kit.advance(minutes=minutes)
        kit.vitals.record(kit.nurse, sid, *bp, pulse=90, spo2=95)
        assert _row(ctx, sid).alerts == ()
    other = kit.checked_in(mrn="MRN-2")
    kit.vitals.record(kit.nurse, other, 150, 95)  # elevated pre-dose: a hold, not an alert
    assert _row(ctx, other).alerts == ()


def test_rise_from_baseline_is_an_alert(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.dosed()  # baseline 122/78
    kit.advance(minutes=22)
    result = kit.vitals.record(kit.nurse, sid, 164, 96)
    assert result.reading.band == "alert"
    assert result.reading.rules == ("rise-from-baseline",)
    assert "systolic +42 over the pre-dose baseline" in result.reading.assessment
    [alert] = _row(ctx, sid).alerts
    assert "rise-from-baseline" in alert.text


# ------------------------------------------------- issue 9: rechecks, missed, conditions


def test_recheck_after_an_alert_is_the_next_reading_and_turns_overdue(
    kit: Kit, ctx: ServiceContext
) -> None:
    sid = kit.dosed()
    dosed_at = kit.clock.now()
    kit.clock.set(dosed_at + timedelta(minutes=22))
    kit.vitals.record(kit.nurse, sid, 190, 100)
    row = _row(ctx, sid)
    assert row.next_due is not None
    assert row.next_due.label == "Recheck 5 min after the alert reading"
    assert row.next_due.status is ItemStatus.UPCOMING
    kit.clock.set(dosed_at + timedelta(minutes=27))
    assert _row(ctx, sid).next_due.status is ItemStatus.DUE  # type: ignore[union-attr]
    kit.clock.set(dosed_at + timedelta(minutes=32, seconds=1))
    row = _row(ctx, sid)
    assert row.next_due is not None
    assert (row.next_due.label, row.next_due.status) == (
        "Recheck 5 min after the alert reading",
        ItemStatus.OVERDUE,
    )
    assert "Reading overdue" in row.flags
    assert "Recheck due" not in row.flags
    kit.vitals.record(kit.nurse, sid, 150, 90)
    row = _row(ctx, sid)
    assert row.next_due is not None
    assert row.next_due.key == "pre-discharge"
    assert "Reading overdue" not in row.flags


def test_pre_dose_recheck_ends_once_the_dose_is_given(
    kit: Kit, ctx: ServiceContext, clinician: Actor
) -> None:
    sid = kit.checked_in()
    kit.sessions.record_checklist(kit.nurse, sid, {**YES_TO_ALL, "weight_kg": 70})
    kit.vitals.record(kit.nurse, sid, 150, 92)
    row = _row(ctx, sid)
    assert row.next_due is not None
    assert row.next_due.label == "Recheck 5 min after the elevated reading"
    kit.advance(minutes=1)
    kit.sessions.override_hold(clinician, sid, "Dr. Ana Lima", "Baseline")
    kit.dose(sid, actor=clinician)
    kit.advance(minutes=10)
    row = _row(ctx, sid)
    assert all(i.anchor.value != "recheck" for i in row.items)
    assert row.next_due is not None
    assert row.next_due.key == "post-dose-20-30#1"
    assert "Recheck due" not in row.flags


def _iv_dosed(kit: Kit) -> int:
    sid = kit.ready(protocol_id="iv-infusion", mrn="IV-1")
    kit.doses.record(
        kit.nurse,
        sid,
        medication="racemic ketamine",
        route="iv",
        amount=0.5,
        unit="mg/kg",
        lot_number="LOT-1",
    )
    return sid


def test_missed_readings_are_counted_and_the_next_is_surfaced_at_its_start(
    kit: Kit, ctx: ServiceContext
) -> None:
    from kapdesk.domain.schedule import attention

    sid = _iv_dosed(kit)
    dosed_at = kit.clock.now()
    kit.clock.set(dosed_at + timedelta(minutes=19, seconds=59))
    row = _row(ctx, sid)
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("infusion@10", ItemStatus.OVERDUE)
    kit.clock.set(dosed_at + timedelta(minutes=20))  # the 20-min window opens
    row = _row(ctx, sid)
    assert row.next_due is not None
    assert (row.next_due.key, row.next_due.status) == ("infusion@20", ItemStatus.DUE)
    assert "Readings missed: 1" in row.flags
    kit.clock.set(dosed_at + timedelta(minutes=41))
    row = _row(ctx, sid)
    seen = attention(row.items, kit.clock.now())
    assert [i.key for i in seen.missed] == ["infusion@30", "infusion@20", "infusion@10"]
    assert seen.next is not None
    assert seen.next.key == "infusion@40"
    assert "Readings missed: 3" in row.flags
    kit.vitals.record(kit.nurse, sid, 130, 80)  # the 40-min reading: missed ones stay
    row = _row(ctx, sid)
    assert "Readings missed: 3" in row.flags
    assert row.next_due is not None
    assert row.next_due.key == "post-infusion@55"


def test_sublingual_first_session_adds_the_20_30_reading(kit: Kit, ctx: ServiceContext) -> None:
    sid = kit.ready(protocol_id="sublingual-kap", mrn="SL-1")
    kit.doses.record(
        kit.nurse,
        sid,
        medication="racemic ketamine",
        route="sublingual",
        amount=200,
        unit="mg",
        lot_number="LOT-2",
    )
    keys = [i.key for i in _row(ctx, sid).items]
    assert keys == ["pre-dose", "post-dose-20-30", "end-of-session"]


def test_conditions_of_a_session_from_its_rows_and_its_course() -> None:
    from types import SimpleNamespace as Row

    from kapdesk.services.due_readings import DosedSession, conditions_for

    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    earlier = [DosedSession(1, t0 - timedelta(days=7), 200.0)]
    normal_pre = [Row(phase="pre_dose", band="normal")]
    dose = [Row(given_at=t0, mg=200.0)]

    def conditions(readings: list[Any], doses: list[Any], history: list[Any]) -> set[str]:
        return set(conditions_for(2, readings, doses, history))

    assert conditions(normal_pre, dose, earlier) == set()
    assert conditions(normal_pre, dose, []) == {"first_session"}
    # the session itself in the history is no earlier session
    assert conditions(normal_pre, dose, [DosedSession(2, t0, 200.0)]) == {"first_session"}
    assert conditions(normal_pre, [Row(given_at=t0, mg=250.0)], earlier) == {"dose_increase"}
    # boosters count: 200 + 100 mg is more than last time's 200 mg
    more = [*dose, Row(given_at=t0 + timedelta(minutes=40), mg=100.0)]
    assert conditions(normal_pre, more, earlier) == {"dose_increase"}
    elevated = [Row(phase="pre_dose", band="elevated"), *normal_pre]
    assert conditions(elevated, dose, earlier) == {"elevated_baseline"}
    # a later session of the course is not "previous"
    later = [DosedSession(3, t0 + timedelta(days=7), 100.0)]
    assert conditions(normal_pre, dose, later) == {"first_session"}


def test_a_discharge_against_criteria_says_so_on_the_board(
    kit: Kit, ctx: ServiceContext, clinician: Actor
) -> None:
    """A clinician's discharge with unmet criteria is not a plain 'Discharged' row."""
    sid = kit.dosed()
    kit.advance(minutes=10)
    kit.sessions.discharge(clinician, sid, unmet_reason="Transferred to the emergency department")
    row = _board(ctx)[sid]
    assert row.state == "discharged"
    assert "Discharged against criteria: Transferred to the emergency department" in row.flags
    calm = kit.dosed(mrn="MRN-2")
    row = _board(ctx)[calm]
    assert not any("against criteria" in f for f in row.flags)
