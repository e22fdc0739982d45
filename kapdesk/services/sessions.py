"""Dosing sessions: schedule, check in, checklist, hold override, cancel / withhold, discharge.

Decisions a caller must know:

* Every mutation writes one audit entry on entity ``dosing_session`` (the
  override: entity ``hold_override``) with before/after snapshots. Calls that
  change nothing (the same checklist or discharge answers again) write nothing.
* The checklist takes the protocol's item ids for any route the protocol
  allows, plus ``weight_kg`` (the session weight) always; None clears an answer.
  It is open while the patient is checked in or taking pre-dose vitals; the
  weight is fixed once a mg/kg dose exists.
* An override always names what it overrides: the reading holding the first
  dose (pre-dose hold), the latest post-dose reading gating further doses, or
  a blocking checklist item (``item_id``). ``reading_id``, if given, must be
  that reading, so nobody overrides a reading they did not see.
* Discharge from ``dosed`` passes through ``monitoring``. The discharge checks
  are frozen into ``discharge_criteria["checks"]`` at discharge; afterwards
  ``discharge_checks`` returns those. Staff answers are ticked under
  ``discharge_criteria["answers"]`` once a dose has been given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kapdesk.domain.check_in import CheckInConflicts, room_key
from kapdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from kapdesk.domain.gates import GateKind, OverrideKind, checklist_gate
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Protocol
from kapdesk.domain.session_state import SessionState, transition
from kapdesk.domain.vitals import validate_weight
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import DischargeCheck, OverrideInfo, SessionDetail, SessionInfo
from kapdesk.services.due_readings import course_history, session_schedule
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row, snapshot
from kapdesk.services.session_check_in import enforce, load_conflicts, schedule_warnings
from kapdesk.services.session_checklist import WEIGHT_ID, clean_answers, merge
from kapdesk.services.session_detail import build_detail
from kapdesk.services.session_discharge import (
    checks_as_json,
    compute_checks,
    frozen_checks,
    unmet_text,
    validate_answers,
)
from kapdesk.services.session_support import (
    MAX_ROOM_CHARS,
    Loaded,
    aware_time,
    gate_override,
    gate_rows,
    given_time,
    holding_reading,
    load,
    no_hold_reason,
    not_before_check_in,
    override_info,
    reason_text,
    refuse,
    session_gate,
    session_info,
    session_route,
    short_text,
    validate_prescriber,
    who_may,
)
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    Patient,
    SideEffect,
    VitalReading,
)

_S = SessionState
_PRE_DOSE = (_S.CHECKED_IN, _S.PRE_DOSE_VITALS)
_AFTER_DOSE = (_S.DOSED, _S.MONITORING)


@audit_denials
class SessionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ---------------------------------------------------------------- lifecycle

    def schedule(
        self, actor: Actor, course_id: int, scheduled_at: datetime, room: str
    ) -> SessionInfo:
        room_v = short_text("Room", room, MAX_ROOM_CHARS)
        when = aware_time("Scheduled at", scheduled_at, self.ctx.now())
        actor.require(Action.SCHEDULE_SESSION)
        with self.ctx.db.write() as s:
            course = s.get(Course, course_id)
            if course is None:
                raise NotFound(f"There is no treatment course #{course_id}.")
            if course.ended_on is not None:
                raise ValidationError(
                    "Course",
                    course_id,
                    f"Course #{course_id} ended on {course.ended_on.isoformat()}; "
                    "sessions can only be scheduled on a course that has not ended.",
                )
            self.ctx.course_protocol(s, course)  # refused when its pinned version is missing
            patient = s.get(Patient, course.patient_id)
            assert patient is not None
            ds = DosingSession(
                course_id=course.id,
                scheduled_at=when,
                room=room_v,
                state=_S.SCHEDULED.value,
                weight_kg=None,
                checklist={},
                discharge_criteria={},
                created_at=self.ctx.now(),
                created_by=actor.user_id,
            )
            s.add(ds)
            s.flush()
            audit_row(s, self.ctx, actor, "session.schedule", ds)
            return session_info(ds, course, patient)

    def check_in(
        self,
        actor: Actor,
        session_id: int,
        *,
        room: str | None = None,
        same_day_reason: str | None = None,
        tz: tzinfo | None = None,
    ) -> SessionInfo:
        """Check in, into ``room`` if given (an audited room change). Refused while the room
        or the patient is in another running session; a second dosing session of the
        patient on one day needs a clinician and ``same_day_reason``."""
        actor.require(Action.CHECK_IN)
        room_v = None if room is None else short_text("Room", room, MAX_ROOM_CHARS)
        reason = reason_text(same_day_reason)
        now = self.ctx.now()
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds = loaded.session
            transition(loaded.state, _S.CHECKED_IN)
            conflicts = load_conflicts(s, loaded, now, room_v, tz)
            enforce(conflicts, loaded, actor, reason, given_room=room, now=now, tz=tz)
            if room_v is not None and room_v != ds.room:
                before = snapshot(ds)
                ds.room = room_v
                self._audit(s, actor, "session.change_room", ds, before)
            before = snapshot(ds)
            ds.state = _S.CHECKED_IN.value
            ds.checked_in_at = now
            if conflicts.dosed_same_day:
                ds.same_day_reason = reason
                ds.same_day_confirmed_by = actor.user_id
            self._audit(s, actor, "session.check_in", ds, before)
            return session_info(ds, loaded.course, loaded.patient)

    def schedule_warnings(
        self, course_id: int, scheduled_at: datetime, tz: tzinfo | None = None
    ) -> tuple[str, ...]:
        """What to tell whoever schedules a session (the patient already has one that day);
        scheduling goes ahead anyway, the confirmation is asked at check-in."""
        when = aware_time("Scheduled at", scheduled_at, self.ctx.now())
        with self.ctx.db.read() as s:
            course = s.get(Course, course_id)
            if course is None:
                raise NotFound(f"There is no treatment course #{course_id}.")
            patient = s.get(Patient, course.patient_id)
            assert patient is not None
            return schedule_warnings(s, patient, when, tz)

    def rooms(self) -> list[str]:
        """Every room sessions have been booked in, for choosing one (case-folded duplicates
        merged)."""
        with self.ctx.db.read() as s:
            found = s.scalars(select(DosingSession.room).distinct()).all()
        merged = {room_key(r): r for r in sorted(found, reverse=True)}
        return sorted(merged.values(), key=room_key)

    def check_in_conflicts(
        self, session_id: int, room: str | None = None, tz: tzinfo | None = None
    ) -> CheckInConflicts:
        """What checking in now (into ``room``) would meet: for the screen to ask first."""
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            return load_conflicts(s, loaded, self.ctx.now(), room, tz)

    def cancel(self, actor: Actor, session_id: int, reason: str) -> SessionInfo:
        return self._end(actor, session_id, _S.CANCELLED, Action.CANCEL_SESSION, reason)

    def withhold_dose(self, actor: Actor, session_id: int, reason: str) -> SessionInfo:
        return self._end(actor, session_id, _S.DOSE_WITHHELD, Action.WITHHOLD_DOSE, reason)

    def _end(
        self, actor: Actor, session_id: int, target: SessionState, action: Action, reason: str
    ) -> SessionInfo:
        text = reason_text(reason)
        actor.require(action)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds = loaded.session
            before = snapshot(ds)
            ds.state = transition(loaded.state, target, reason=text).value
            ds.state_reason = text
            verb = "cancel" if target is _S.CANCELLED else "withhold_dose"
            self._audit(s, actor, f"session.{verb}", ds, before)
            return session_info(ds, loaded.course, loaded.patient)

    # ---------------------------------------------------------------- checklist

    def record_checklist(
        self, actor: Actor, session_id: int, answers: Mapping[str, bool | float | None]
    ) -> SessionInfo:
        """Merge answers into the checklist (None clears one); ``weight_kg`` also sets the
        session weight."""
        actor.require(Action.COMPLETE_CHECKLIST)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds, protocol = loaded.session, loaded.protocol
            clean = clean_answers(protocol, answers)
            if WEIGHT_ID in clean and clean[WEIGHT_ID] != ds.weight_kg:
                mg_kg = s.scalar(
                    select(Dose.id)
                    .where(Dose.session_id == ds.id, Dose.unit == "mg_per_kg")
                    .limit(1)
                )
                if mg_kg is not None:
                    raise refuse(
                        loaded.state,
                        "set_weight",
                        f"The weight ({ds.weight_kg:g} kg) is fixed: dose #{mg_kg} was "
                        "given in mg/kg from it.",
                    )
            if loaded.state not in _PRE_DOSE:
                raise refuse(
                    loaded.state,
                    "complete_checklist",
                    "The pre-session checklist is completed while the patient is checked in "
                    f"or taking pre-dose vitals; this session is {loaded.state.label}.",
                )
            merged = merge(ds.checklist or {}, clean)
            weight = merged.get(WEIGHT_ID) if WEIGHT_ID in clean else ds.weight_kg
            if merged == (ds.checklist or {}) and weight == ds.weight_kg:
                return session_info(ds, loaded.course, loaded.patient)
            before = snapshot(ds)
            ds.checklist = merged
            ds.weight_kg = weight
            self._audit(s, actor, "session.checklist", ds, before)
            return session_info(ds, loaded.course, loaded.patient)

    def set_weight(self, actor: Actor, session_id: int, kg: float | str) -> SessionInfo:
        return self.record_checklist(actor, session_id, {WEIGHT_ID: validate_weight(kg)})

    # ---------------------------------------------------------------- hold

    def override_hold(
        self,
        actor: Actor,
        session_id: int,
        prescriber_name: str,
        reason: str,
        reading_id: int | None = None,
        item_id: str | None = None,
    ) -> OverrideInfo:
        """Record a clinician's override of a dose gate (kapdesk.domain.gates):

        * ``item_id``: a blocking checklist item not answered yes (kind 'checklist');
        * otherwise, before the first dose: the reading holding it (pre-dose hold);
        * otherwise, after it: the latest post-dose reading gating further doses.

        ``reading_id``, if given, must be the reading the override lifts, so nobody
        overrides a reading they did not see.
        """
        name = validate_prescriber(prescriber_name)
        text = reason_text(reason)
        if not text:
            raise ValidationError("Reason", reason, "An override needs a reason; none was given.")
        actor.require(Action.OVERRIDE_HOLD)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            state = loaded.state
            if state not in (*_PRE_DOSE, *_AFTER_DOSE):
                raise refuse(
                    state,
                    "override_hold",
                    f"A session that is {state.label} takes no doses: there is no hold to "
                    "override.",
                )
            readings, overrides = gate_rows(s, session_id)
            if item_id is not None:
                row = self._checklist_override(loaded, item_id, overrides)
            else:
                row = self._reading_override(loaded, readings, overrides, reading_id)
            row.prescriber_name = name
            row.reason = text
            row.recorded_by = actor.user_id
            row.recorded_at = self.ctx.now()
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "session.override_hold", row)
            return override_info(row, {actor.user_id: actor.full_name})

    def _reading_override(
        self,
        loaded: Loaded,
        readings: list[VitalReading],
        overrides: list[HoldOverride],
        reading_id: int | None,
    ) -> HoldOverride:
        state, protocol = loaded.state, loaded.protocol
        first = state in _PRE_DOSE
        gate = session_gate(
            protocol, loaded.session, readings, overrides, route=None, first_dose=first
        )
        kind = GateKind.PRE_DOSE_HOLD if first else GateKind.POST_DOSE_GATE
        block = next((b for b in gate.blocks if b.kind is kind), None)
        if block is None or block.reading is None:
            if first:
                why = no_hold_reason(readings)
            else:
                bands = " or ".join(b.value for b in protocol.booster_gate_bands)
                why = f"no post-dose reading in the {bands} band is waiting for an override."
            raise refuse(state, "override_hold", f"There is no hold to override: {why}")
        held = block.reading
        if reading_id is not None and reading_id != held.id:
            which = "pre-dose" if first else "post-dose"
            raise ValidationError(
                "Reading",
                reading_id,
                f"Reading #{reading_id} is not the one holding the dose: the {which} reading "
                f"holding it is #{held.id} ({held.text}, {held.band.value}). Review it before "
                "overriding.",
            )
        return HoldOverride(
            session_id=loaded.session.id, reading_id=held.id, kind=OverrideKind.READING.value
        )

    def _checklist_override(
        self, loaded: Loaded, item_id: str, overrides: list[HoldOverride]
    ) -> HoldOverride:
        protocol = loaded.protocol
        item = next((c for c in protocol.checklist if c.id == item_id), None)
        if item is None or not item.blocks_dose:
            blocking = ", ".join(c.id for c in protocol.checklist if c.blocks_dose) or "none"
            raise ValidationError(
                "Checklist item",
                item_id,
                f"Checklist item '{item_id}' does not block the dose in {protocol.label}; "
                f"items that do: {blocking}.",
            )
        gate = checklist_gate(
            protocol,
            item.routes[0] if item.routes else None,
            dict(loaded.session.checklist or {}),
            [gate_override(o) for o in overrides],
        )
        if not any(b.item.id == item_id for b in gate.blocks):
            why = (
                "it is already overridden"
                if any(i.id == item_id for i, _ in gate.overridden)
                else "it is answered yes"
            )
            raise refuse(
                loaded.state,
                "override_hold",
                f"There is nothing to override on '{item.label}': {why}.",
            )
        return HoldOverride(
            session_id=loaded.session.id,
            reading_id=None,
            kind=OverrideKind.CHECKLIST.value,
            item_id=item_id,
        )

    def hold_active(self, session_id: int) -> bool:
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            if loaded.state not in _PRE_DOSE:
                return False
            readings, overrides = gate_rows(s, session_id)
            return holding_reading(readings, overrides, loaded.protocol) is not None

    # ---------------------------------------------------------------- discharge

    def discharge_checks(self, session_id: int) -> tuple[DischargeCheck, ...]:
        """Each protocol criterion as of now (after discharge: as frozen then)."""
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            frozen = frozen_checks(loaded.session.discharge_criteria or {})
            if frozen is not None:
                return frozen
            return self._checks(s, loaded.session, loaded.protocol, self.ctx.now())

    def _checks(
        self,
        s: Session,
        ds: DosingSession,
        protocol: Protocol,
        at: datetime,
        now: datetime | None = None,
    ) -> tuple[DischargeCheck, ...]:
        doses = list(s.scalars(select(Dose).where(Dose.session_id == ds.id)))
        readings = list(s.scalars(select(VitalReading).where(VitalReading.session_id == ds.id)))
        effects = list(s.scalars(select(SideEffect).where(SideEffect.session_id == ds.id)))
        route = session_route(protocol, doses)
        # The schedule the board and the session screen show (rechecks, conditional readings).
        schedule = session_schedule(
            protocol,
            session=ds,
            route=route,
            readings=readings,
            doses=doses,
            history=course_history(s, [ds.course_id]).get(ds.course_id, []),
            now=at,
        )
        return compute_checks(
            protocol,
            route=route,
            doses=doses,
            readings=readings,
            stored=ds.discharge_criteria or {},
            at=at,
            side_effects=effects,
            schedule=schedule,
            now=now,
        )

    def record_discharge_answers(
        self, actor: Actor, session_id: int, answers: Mapping[str, bool]
    ) -> SessionInfo:
        """Tick the staff-confirmed criteria (merged with earlier ticks)."""
        actor.require(Action.DISCHARGE)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds = loaded.session
            clean = validate_answers(loaded.protocol, answers)
            if loaded.state not in _AFTER_DOSE:
                raise refuse(
                    loaded.state,
                    "discharge_answers",
                    "Discharge criteria are ticked after the dose, before discharge; "
                    f"this session is {loaded.state.label}.",
                )
            stored = dict(ds.discharge_criteria or {})
            merged = {**(stored.get("answers") or {}), **clean}
            if merged == (stored.get("answers") or {}):
                return session_info(ds, loaded.course, loaded.patient)
            before = snapshot(ds)
            ds.discharge_criteria = {**stored, "answers": merged}
            self._audit(s, actor, "session.discharge_answers", ds, before)
            return session_info(ds, loaded.course, loaded.patient)

    def discharge(
        self,
        actor: Actor,
        session_id: int,
        at: datetime | None = None,
        unmet_reason: str | None = None,
    ) -> SessionInfo:
        """Discharge at ``at`` (None: now). The time is the clock's or a past one, never
        ahead of the clock nor before the latest reading; minimum observation is judged at
        it (so no typed time borrows observation), the other criteria on everything
        recorded up to the clock (a backdated time hides nothing recorded since). Unmet
        criteria: only a role with DISCHARGE_WITH_UNMET_CRITERIA, with a reason, stored as
        ``discharge_reason`` and ``discharge_criteria.against_criteria``.
        """
        actor.require(Action.DISCHARGE)
        now = self.ctx.now()
        when = given_time("Discharged at", at, now)
        if when > now:
            raise ValidationError(
                "Discharged at",
                at,
                f"Discharged at {when:%Y-%m-%d %H:%M:%S} UTC is in the future; a discharge is "
                f"recorded at the clock's time ({now:%H:%M:%S} UTC) or earlier.",
            )
        reason = reason_text(unmet_reason)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds = loaded.session
            state = loaded.state
            not_before_check_in("Discharged at", at, when, ds)
            if state is _S.DOSED:
                state = transition(state, _S.MONITORING)
            transition(state, _S.DISCHARGED)
            last_dose = s.scalar(
                select(Dose.given_at)
                .where(Dose.session_id == ds.id)
                .order_by(Dose.given_at.desc())
                .limit(1)
            )
            if last_dose is not None and when < last_dose:
                raise ValidationError(
                    "Discharged at",
                    at,
                    f"Discharged at {when:%Y-%m-%d %H:%M} UTC is before the last dose "
                    f"({last_dose:%Y-%m-%d %H:%M} UTC).",
                )
            latest = s.scalars(
                select(VitalReading)
                .where(VitalReading.session_id == ds.id)
                .order_by(VitalReading.taken_at.desc(), VitalReading.id.desc())
                .limit(1)
            ).first()
            if latest is not None and when < latest.taken_at:
                raise ValidationError(
                    "Discharged at",
                    at,
                    f"Discharged at {when:%Y-%m-%d %H:%M:%S} UTC is before the latest reading "
                    f"(BP {latest.systolic}/{latest.diastolic} at "
                    f"{latest.taken_at:%Y-%m-%d %H:%M:%S} UTC): a discharge is recorded at or "
                    "after the last reading taken.",
                )
            # observation judged at the discharge time, the rest on all recorded up to now
            checks = self._checks(s, ds, loaded.protocol, when, now=now)
            unmet = [c for c in checks if not c.met]
            if unmet and not can(actor.role, Action.DISCHARGE_WITH_UNMET_CRITERIA):
                raise PermissionDenied(
                    actor.role.value,
                    Action.DISCHARGE_WITH_UNMET_CRITERIA.value,
                    f"Discharge criteria of {loaded.protocol.label} not met: "
                    f"{unmet_text(unmet)}. Only "
                    f"{who_may(Action.DISCHARGE_WITH_UNMET_CRITERIA)} may discharge with "
                    "unmet criteria, giving a reason.",
                )
            if unmet and not reason:
                raise ValidationError(
                    "Reason",
                    unmet_reason,
                    f"Discharge criteria of {loaded.protocol.label} not met: "
                    f"{unmet_text(unmet)}. Discharging anyway needs a reason.",
                )
            before = snapshot(ds)
            ds.state = _S.DISCHARGED.value
            ds.discharged_at = when
            ds.discharged_by = actor.user_id
            ds.discharge_reason = reason if unmet else None
            ds.discharge_criteria = {
                **(ds.discharge_criteria or {}),
                "checks": checks_as_json(checks),
                "checked_at": when.isoformat(),
                "against_criteria": bool(unmet),
            }
            self._audit(s, actor, "session.discharge", ds, before)
            return session_info(ds, loaded.course, loaded.patient)

    # ---------------------------------------------------------------- reading

    def get(self, session_id: int) -> SessionInfo:
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            return session_info(loaded.session, loaded.course, loaded.patient)

    def detail(self, session_id: int) -> SessionDetail:
        return build_detail(self.ctx, session_id)

    def sessions_for_course(self, course_id: int) -> list[SessionInfo]:
        with self.ctx.db.read() as s:
            if s.get(Course, course_id) is None:
                raise NotFound(f"There is no treatment course #{course_id}.")
            return self._list(s, Course.id == course_id)

    def sessions_for_patient(self, patient_id: int) -> list[SessionInfo]:
        with self.ctx.db.read() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFound(f"There is no patient #{patient_id}.")
            return self._list(s, Patient.id == patient_id)

    def _list(self, s: Session, where: ColumnElement[bool]) -> list[SessionInfo]:
        rows = s.execute(
            select(DosingSession, Course, Patient)
            .join(Course, DosingSession.course_id == Course.id)
            .join(Patient, Course.patient_id == Patient.id)
            .where(where)
            .order_by(DosingSession.scheduled_at, DosingSession.id)
        ).all()
        return [session_info(ds, c, p) for ds, c, p in rows]

    def _audit(
        self, s: Session, actor: Actor, action: str, ds: DosingSession, before: dict[str, Any]
    ) -> None:
        audit_row(s, self.ctx, actor, action, ds, before=before)
