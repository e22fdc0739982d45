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
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kapdesk.domain.check_in import CheckInConflicts, room_key
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState, transition
from kapdesk.domain.signing import SignedEntity
from kapdesk.domain.vitals import validate_weight
from kapdesk.i18n import N_, _
from kapdesk.i18n import formats as locale_formats
from kapdesk.services.context import Actor, Service
from kapdesk.services.dtos import OverrideInfo, SessionInfo
from kapdesk.services.given_input import (
    aware_time,
    given_time,
    not_before_check_in,
    short_text,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.hold_overrides import checklist_override, reading_override
from kapdesk.services.recording import audit_row, snapshot
from kapdesk.services.row_info import session_info
from kapdesk.services.rows import stored
from kapdesk.services.screen_dtos import DischargeCheck, SessionDetail
from kapdesk.services.session_check_in import enforce, load_conflicts, schedule_warnings
from kapdesk.services.session_checklist import WEIGHT_ID, clean_answers, merge
from kapdesk.services.session_detail import build_detail
from kapdesk.services.session_discharge import (
    check_discharge_time,
    freeze_discharge,
    frozen_checks,
    require_met_or_reason,
    session_checks,
    validate_answers,
)
from kapdesk.services.session_support import (
    MAX_ROOM_CHARS,
    gate_rows,
    holding_reading,
    load,
    override_info,
    reason_text,
    refuse,
    validate_prescriber,
)
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    Patient,
    Signature,
)

_S = SessionState
_PRE_DOSE = (_S.CHECKED_IN, _S.PRE_DOSE_VITALS)
_AFTER_DOSE = (_S.DOSED, _S.MONITORING)


def with_signature(info: SessionInfo, sig: Signature | None) -> SessionInfo:
    """``info`` with who signed it and when (unchanged while it is unsigned)."""
    if sig is None:
        return info
    return replace(info, signed_at=sig.signed_at, signed_by=sig.signer_name)


@audit_denials
class SessionService(Service):
    # ---------------------------------------------------------------- lifecycle

    def schedule(
        self, actor: Actor, course_id: int, scheduled_at: datetime, room: str
    ) -> SessionInfo:
        room_v = short_text(N_("Room"), room, MAX_ROOM_CHARS)
        when = aware_time(N_("Scheduled at"), scheduled_at, self.ctx.now())
        actor.require(Action.SCHEDULE_SESSION)
        with self.ctx.db.write() as s:
            course = stored(s, Course, course_id)
            if course.ended_on is not None:
                raise ValidationError(
                    "Course",
                    course_id,
                    _(
                        "Course #{course} ended on {ended}; sessions can only be scheduled on "
                        "a course that has not ended.",
                        course=course_id,
                        ended=course.ended_on.isoformat(),
                    ),
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
        room_v = None if room is None else short_text(N_("Room"), room, MAX_ROOM_CHARS)
        reason = reason_text(same_day_reason)
        now = self.ctx.now()
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            ds = loaded.session
            transition(loaded.state, _S.CHECKED_IN)
            tz = tz or self.ctx.tz
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
        when = aware_time(N_("Scheduled at"), scheduled_at, self.ctx.now())
        with self.ctx.db.read() as s:
            course = stored(s, Course, course_id)
            patient = s.get(Patient, course.patient_id)
            assert patient is not None
            return schedule_warnings(s, patient, when, tz or self.ctx.tz)

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
            return load_conflicts(s, loaded, self.ctx.now(), room, tz or self.ctx.tz)

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
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
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
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            ds, protocol = loaded.session, loaded.protocol
            clean = clean_answers(protocol, answers)
            if WEIGHT_ID in clean and clean[WEIGHT_ID] != ds.weight_kg:
                mg_kg = s.scalar(
                    select(Dose.id)
                    .where(
                        Dose.session_id == ds.id,
                        Dose.unit == "mg_per_kg",
                        Dose.error_at.is_(None),  # a dose entered in error fixes nothing
                    )
                    .limit(1)
                )
                if mg_kg is not None:
                    raise refuse(
                        loaded.state,
                        "set_weight",
                        _(
                            "The weight ({kg} kg) is fixed: dose #{dose} was given in mg/kg "
                            "from it.",
                            kg=locale_formats.decimal(f"{ds.weight_kg:g}"),
                            dose=mg_kg,
                        ),
                    )
            if loaded.state not in _PRE_DOSE:
                raise refuse(
                    loaded.state,
                    "complete_checklist",
                    _(
                        "The pre-session checklist is completed while the patient is checked "
                        "in or taking pre-dose vitals; this session is {state}.",
                        state=loaded.state.label,
                    ),
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
            raise ValidationError(
                "Reason", reason, _("An override needs a reason; none was given.")
            )
        actor.require(Action.OVERRIDE_HOLD)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            state = loaded.state
            if state not in (*_PRE_DOSE, *_AFTER_DOSE):
                raise refuse(
                    state,
                    "override_hold",
                    _(
                        "A session that is {state} takes no doses: there is no hold to override.",
                        state=state.label,
                    ),
                )
            readings, overrides = gate_rows(s, session_id)
            if item_id is not None:
                row = checklist_override(loaded, item_id, overrides)
            else:
                row = reading_override(loaded, readings, overrides, reading_id)
            row.prescriber_name = name
            row.reason = text
            row.recorded_by = actor.user_id
            row.recorded_at = self.ctx.now()
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "session.override_hold", row)
            return override_info(row, {actor.user_id: actor.full_name})

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
            return session_checks(s, loaded.session, loaded.protocol, self.ctx.now())

    def record_discharge_answers(
        self, actor: Actor, session_id: int, answers: Mapping[str, bool]
    ) -> SessionInfo:
        """Tick the staff-confirmed criteria (merged with earlier ticks)."""
        actor.require(Action.DISCHARGE)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            ds = loaded.session
            clean = validate_answers(loaded.protocol, answers)
            if loaded.state not in _AFTER_DOSE:
                raise refuse(
                    loaded.state,
                    "discharge_answers",
                    _(
                        "Discharge criteria are ticked after the dose, before discharge; this "
                        "session is {state}.",
                        state=loaded.state.label,
                    ),
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
        now, tz = self.ctx.now(), self.ctx.tz
        when = given_time(N_("Discharged at"), at, now, tz)
        reason = reason_text(unmet_reason)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            ds = loaded.session
            not_before_check_in("Discharged at", at, when, ds, tz)
            state = loaded.state
            if state is _S.DOSED:
                state = transition(state, _S.MONITORING)
            transition(state, _S.DISCHARGED)
            check_discharge_time(s, ds, at, when, tz)
            # observation judged at the discharge time, the rest on all recorded up to now
            checks = session_checks(s, ds, loaded.protocol, when, now=now)
            unmet = [c for c in checks if not c.met]
            require_met_or_reason(actor, loaded.protocol, unmet, reason, unmet_reason)
            before = snapshot(ds)
            freeze_discharge(ds, actor, when, checks, reason if unmet else None)
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
            stored(s, Course, course_id)
            return self._list(s, Course.id == course_id)

    def sessions_for_patient(self, patient_id: int) -> list[SessionInfo]:
        with self.ctx.db.read() as s:
            stored(s, Patient, patient_id)
            return self._list(s, Patient.id == patient_id)

    def _list(self, s: Session, where: ColumnElement[bool]) -> list[SessionInfo]:
        rows = s.execute(
            select(DosingSession, Course, Patient)
            .join(Course, DosingSession.course_id == Course.id)
            .join(Patient, Course.patient_id == Patient.id)
            .where(where)
            .order_by(DosingSession.scheduled_at, DosingSession.id)
        ).all()
        signed = {
            sig.entity_id: sig
            for sig in s.scalars(
                select(Signature).where(
                    Signature.entity == SignedEntity.DOSING_SESSION.value,
                    Signature.entity_id.in_([ds.id for ds, _, _ in rows]),
                )
            )
        }
        return [with_signature(session_info(ds, c, p), signed.get(ds.id)) for ds, c, p in rows]

    def _audit(
        self, s: Session, actor: Actor, action: str, ds: DosingSession, before: dict[str, Any]
    ) -> None:
        audit_row(s, self.ctx, actor, action, ds, before=before)
