"""Dosing sessions: schedule, check in, checklist, hold override, cancel / withhold, discharge.

Decisions a caller must know:

* Every mutation writes one audit entry on entity ``dosing_session`` (the
  override: entity ``hold_override``) with before/after snapshots. Calls that
  change nothing (the same checklist or discharge answers again) write nothing.
* The checklist takes the protocol's item ids for any route the protocol
  allows, plus ``weight_kg`` (the session weight) always; None clears an answer.
  It is open while the patient is checked in or taking pre-dose vitals; the
  weight is fixed once a mg/kg dose exists.
* An override always names the reading it overrides: the latest pre-dose
  reading (``reading_id``, if given, must be that one, so nobody overrides a
  reading they did not see).
* Discharge from ``dosed`` passes through ``monitoring``. The discharge checks
  are frozen into ``discharge_criteria["checks"]`` at discharge; afterwards
  ``discharge_checks`` returns those. Staff answers are ticked under
  ``discharge_criteria["answers"]`` once a dose has been given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kapdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Protocol
from kapdesk.domain.session_state import SessionState, transition
from kapdesk.domain.vitals import validate_weight
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import DischargeCheck, OverrideInfo, SessionDetail, SessionInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_change, snapshot
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
    aware_time,
    given_time,
    holding_reading,
    load,
    no_hold_reason,
    override_info,
    reading_text,
    reason_text,
    refuse,
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
        when = aware_time("Scheduled at", scheduled_at)
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
            audit_change(
                s, self.ctx, actor, "session.schedule", "dosing_session", ds.id, after=snapshot(ds)
            )
            return session_info(ds, course, patient)

    def check_in(self, actor: Actor, session_id: int) -> SessionInfo:
        actor.require(Action.CHECK_IN)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds = loaded.session
            before = snapshot(ds)
            ds.state = transition(loaded.state, _S.CHECKED_IN).value
            ds.checked_in_at = self.ctx.now()
            self._audit(s, actor, "session.check_in", ds, before)
            return session_info(ds, loaded.course, loaded.patient)

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
    ) -> OverrideInfo:
        name = validate_prescriber(prescriber_name)
        text = reason_text(reason)
        if not text:
            raise ValidationError("Reason", reason, "An override needs a reason; none was given.")
        actor.require(Action.OVERRIDE_HOLD)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            if loaded.state not in _PRE_DOSE:
                raise refuse(
                    loaded.state,
                    "override_hold",
                    f"A session that is {loaded.state.label} has no pre-dose hold to override.",
                )
            readings = s.scalars(
                select(VitalReading).where(VitalReading.session_id == session_id)
            ).all()
            overrides = s.scalars(
                select(HoldOverride).where(HoldOverride.session_id == session_id)
            ).all()
            hold = holding_reading(readings, overrides)
            if hold is None:
                why = no_hold_reason(readings)
                raise refuse(loaded.state, "override_hold", f"There is no hold to override: {why}")
            if reading_id is not None and reading_id != hold.id:
                raise ValidationError(
                    "Reading",
                    reading_id,
                    f"Reading #{reading_id} is not the one holding the dose: the latest "
                    f"pre-dose reading is #{hold.id} ({reading_text(hold, loaded.protocol)}, "
                    f"{hold.band}). Review it before overriding.",
                )
            row = HoldOverride(
                session_id=session_id,
                reading_id=hold.id,
                prescriber_name=name,
                reason=text,
                recorded_by=actor.user_id,
                recorded_at=self.ctx.now(),
            )
            s.add(row)
            s.flush()
            audit_change(
                s,
                self.ctx,
                actor,
                "session.override_hold",
                "hold_override",
                row.id,
                after=snapshot(row),
            )
            return override_info(row, {actor.user_id: actor.full_name})

    def hold_active(self, session_id: int) -> bool:
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            if loaded.state not in _PRE_DOSE:
                return False
            readings = s.scalars(select(VitalReading).where(VitalReading.session_id == session_id))
            overrides = s.scalars(select(HoldOverride).where(HoldOverride.session_id == session_id))
            return holding_reading(list(readings), list(overrides)) is not None

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
        self, s: Session, ds: DosingSession, protocol: Protocol, at: datetime
    ) -> tuple[DischargeCheck, ...]:
        doses = list(s.scalars(select(Dose).where(Dose.session_id == ds.id)))
        readings = list(s.scalars(select(VitalReading).where(VitalReading.session_id == ds.id)))
        effects = list(s.scalars(select(SideEffect).where(SideEffect.session_id == ds.id)))
        return compute_checks(
            protocol,
            route=session_route(protocol, doses),
            doses=doses,
            readings=readings,
            stored=ds.discharge_criteria or {},
            at=at,
            side_effects=effects,
            checked_in_at=ds.checked_in_at,
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
        ahead of the clock, and the criteria are judged at it (so no typed time borrows
        observation). Unmet criteria: only a role with DISCHARGE_WITH_UNMET_CRITERIA, with
        a reason, stored as ``discharge_reason`` and ``discharge_criteria.against_criteria``.
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
            checks = self._checks(s, ds, loaded.protocol, when)
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
        audit_change(
            s, self.ctx, actor, action, "dosing_session", ds.id, before=before, after=snapshot(ds)
        )
