"""Doses given in a dosing session, checked against the protocol.

Decisions a caller must know:

* The first dose needs the session in pre-dose vitals (so at least one
  pre-dose reading), no active pre-dose hold, and a time after the latest
  pre-dose reading; it sets ``first_dose_at`` and moves the session to dosed.
  Later doses (dosed or monitoring) are boosters, at or after the first dose,
  by any route the protocol allows. Boosters count: the session's total on a
  route is checked against the route's session maximum (SPRAVATO 84 mg) or,
  where the protocol sets none, the route's per-dose maximum (a safety
  default; over it needs the confirmation below), and against the ceiling.
* Every dose passes kapdesk.domain.gates.dose_gate: the pre-dose hold (first
  dose), the post-dose gate (an unoverridden alert/critical post-dose reading)
  and the blocking checklist items. A refusal (IllegalTransition) names each
  rule and protocol version ("held by pre-dose-elevated, kap-default v1.0: ...").
* Warnings (the checklist's non-blocking items, first dose only; an unusually
  small dose; a nasal device sooner than the protocol's gap) need
  ``acknowledge_warnings=True`` (else ValidationError 'Warnings'); their texts
  are stored in ``doses.warnings``. Above the route's absolute ceiling a dose
  is refused (ValidationError 'Amount'), confirmation or not.
* mg/kg is converted with the session's weight (checklist ``weight_kg``); there
  is no fallback to the patient's usual weight.
* Over the protocol maximum: only roles with CONFIRM_OVER_MAX_DOSE (clinician)
  may record it, with ``confirm_over_max=True`` and a reason; the dose stores
  ``over_limit``, the reason and who confirmed it.
* ``given_by_user_id`` (default: the actor) must be an active user whose role
  may give doses. ``DoseInfo.unit`` is the stored unit value ('mg',
  'mg_per_kg', 'device'; ``DoseUnit(unit).label`` for display).
* Audit: ``dose.record`` on entity ``dose``; the first dose adds
  ``session.transition`` on ``dosing_session``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from kapdesk.domain.dosing import (
    DoseUnit,
    PriorDose,
    require_acknowledgement,
    require_confirmation,
    validate_dose,
)
from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.domain.gates import block_message
from kapdesk.domain.permissions import Action, Role, can
from kapdesk.domain.protocol import Phase, Route
from kapdesk.domain.session_state import SessionEvent, SessionState, state_after_event
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import DoseInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row, recheck_actor, snapshot
from kapdesk.services.session_support import (
    MAX_LOT_CHARS,
    dose_info,
    gate_rows,
    given_time,
    load,
    not_before_check_in,
    refuse,
    session_gate,
    session_route,
    short_text,
    user_names,
    who_may,
)
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.storage.orm import Dose, User

_S = SessionState


@audit_denials
class DoseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(
        self,
        actor: Actor,
        session_id: int,
        *,
        medication: str,
        route: Route | str,
        amount: float | int | str,
        unit: DoseUnit | str,
        lot_number: str,
        given_at: datetime | None = None,
        given_by_user_id: int | None = None,
        confirm_over_max: bool = False,
        confirmation_reason: str | None = None,
        acknowledge_warnings: bool = False,
    ) -> DoseInfo:
        lot = short_text("Lot number", lot_number, MAX_LOT_CHARS)
        now = self.ctx.now()
        given = given_time("Given at", given_at, now)
        actor.require(Action.RECORD_DOSE)
        with self.ctx.db.write() as s:
            recheck_actor(s, self.ctx, actor, "dose.record")  # before "Given by" names the actor
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id)
            ds, protocol, state = loaded.session, loaded.protocol, loaded.state
            if state is _S.SCHEDULED:
                raise refuse(
                    state, "dosed", "This session is only scheduled: check the patient in first."
                )
            if state is _S.CHECKED_IN:
                raise refuse(state, "dosed", "Record the pre-dose vitals before the first dose.")
            if state not in (_S.PRE_DOSE_VITALS, _S.DOSED, _S.MONITORING):
                raise refuse(state, "dosed", f"A session that is {state.label} takes no doses.")
            not_before_check_in("Given at", given_at, given, ds)
            booster = state is not _S.PRE_DOSE_VITALS
            readings, overrides = gate_rows(s, session_id)
            pre = [r for r in readings if r.phase == Phase.PRE_DOSE.value]
            if not pre:
                raise refuse(state, "dosed", "Record the pre-dose vitals before the first dose.")
            earlier = list(s.scalars(select(Dose).where(Dose.session_id == session_id)))
            gate = session_gate(
                protocol,
                ds,
                readings,
                overrides,
                route=_route_of(route) or session_route(protocol, earlier),
                first_dose=not booster,
            )
            if gate.blocks:
                raise refuse(
                    state,
                    "dosed",
                    "Dose refused: " + " ".join(block_message(b) for b in gate.blocks),
                )
            if booster:
                assert ds.first_dose_at is not None
                if given < ds.first_dose_at:
                    raise ValidationError(
                        "Given at",
                        given_at,
                        f"A booster given at {given:%H:%M} UTC cannot be before the first "
                        f"dose ({ds.first_dose_at:%H:%M} UTC).",
                    )
            else:
                last_pre = max(r.taken_at for r in pre)
                if given <= last_pre:
                    raise ValidationError(
                        "Given at",
                        given_at,
                        f"The dose at {given:%H:%M:%S} UTC must come after the latest "
                        f"pre-dose reading ({last_pre:%H:%M:%S} UTC).",
                    )

            calc = validate_dose(
                protocol,
                medication=medication,
                route=route,
                amount=amount,
                unit=unit,
                weight_kg=ds.weight_kg,
                previous=[
                    PriorDose(Route(d.route), DoseUnit(d.unit), d.mg, d.given_at) for d in earlier
                ],
                given_at=given,
            )
            reason: str | None = None
            if calc.over_limit:
                if not can(actor.role, Action.CONFIRM_OVER_MAX_DOSE):
                    raise PermissionDenied(
                        actor.role.value,
                        Action.CONFIRM_OVER_MAX_DOSE.value,
                        f"{calc.limit_message} Only {who_may(Action.CONFIRM_OVER_MAX_DOSE)} "
                        "may confirm a dose above the protocol maximum.",
                    )
                reason = require_confirmation(calc, confirm_over_max, confirmation_reason)
            warnings = require_acknowledgement(
                (*gate.warnings, *calc.warnings), acknowledge_warnings
            )

            giver_id = actor.user_id if given_by_user_id is None else given_by_user_id
            giver = s.get(User, giver_id)
            if giver is None or not giver.active or not can(Role(giver.role), Action.RECORD_DOSE):
                if giver is None:
                    who = f"there is no user #{giver_id}"
                else:
                    inactive = "" if giver.active else ", account disabled"
                    who = f"{giver.full_name} ({giver.role}{inactive}) cannot have given the dose"
                raise ValidationError(
                    "Given by",
                    given_by_user_id,
                    f"Given by: {who}; choose an active member of staff who gives doses "
                    f"({who_may(Action.RECORD_DOSE)}).",
                )

            row = Dose(
                session_id=session_id,
                medication=calc.medication,
                route=calc.route.value,
                amount=calc.amount_entered,
                unit=calc.unit.value,
                mg=calc.mg,
                given_at=given,
                lot_number=lot,
                given_by=giver_id,
                is_booster=booster,
                over_limit=calc.over_limit,
                confirmation_reason=reason,
                confirmed_by=actor.user_id if calc.over_limit else None,
                recorded_by=actor.user_id,
                recorded_at=now,
                warnings=list(warnings),
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "dose.record", row)
            if not booster:
                before = snapshot(ds)
                ds.first_dose_at = given
                ds.state = state_after_event(state, SessionEvent.DOSE_GIVEN).value
                audit_row(s, self.ctx, actor, "session.transition", ds, before=before)
            names = {actor.user_id: actor.full_name, giver.id: giver.full_name}
            return dose_info(row, names)

    def doses(self, session_id: int) -> list[DoseInfo]:
        """The session's doses in the order they were given."""
        with self.ctx.db.read() as s:
            load(s, self.ctx, session_id)
            rows = s.scalars(
                select(Dose).where(Dose.session_id == session_id).order_by(Dose.given_at, Dose.id)
            ).all()
            names = user_names(
                s, [x for d in rows for x in (d.given_by, d.recorded_by, d.confirmed_by)]
            )
            return [dose_info(d, names) for d in rows]


def _route_of(value: Route | str) -> Route | None:
    """The dose's route if it is one (validate_dose names a wrong one), for the checklist."""
    try:
        return Route(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        return None
