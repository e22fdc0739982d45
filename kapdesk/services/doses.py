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

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import shown_time, zoned_once
from kapdesk.domain.dosing import (
    DoseCalc,
    DoseUnit,
    PriorDose,
    require_acknowledgement,
    require_confirmation,
    validate_dose,
)
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.gates import block_message
from kapdesk.domain.permissions import Action, Role, can
from kapdesk.domain.protocol import Phase, Route
from kapdesk.domain.session_state import SessionEvent, SessionState, state_after_event
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.dtos import DoseInfo
from kapdesk.services.given_input import (
    given_time,
    not_before_check_in,
    short_text,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row, recheck_actor, snapshot
from kapdesk.services.row_info import dose_info, session_route, user_names
from kapdesk.services.session_support import (
    MAX_LOT_CHARS,
    Loaded,
    gate_rows,
    load,
    refuse,
    session_gate,
)
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.services.wording import denied, who_may
from kapdesk.storage.orm import Dose, DosingSession, User, VitalReading

_HMS = "%H:%M:%S"
_S = SessionState


@audit_denials
class DoseService(Service):
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
        lot = short_text(N_("Lot number"), lot_number, MAX_LOT_CHARS)
        now, tz = self.ctx.now(), self.ctx.tz
        given = given_time(N_("Given at"), given_at, now, tz)
        actor.require(Action.RECORD_DOSE)
        with self.ctx.db.write() as s:
            recheck_actor(s, self.ctx, actor, "dose.record")  # before "Given by" names the actor
            loaded = _open_for_dose(s, self.ctx, session_id)
            ds, protocol = loaded.session, loaded.protocol
            not_before_check_in("Given at", given_at, given, ds, tz)
            booster = loaded.state is not _S.PRE_DOSE_VITALS
            earlier = list(  # a dose entered in error was not given: no limit counts it
                s.scalars(
                    select(Dose).where(Dose.session_id == session_id, Dose.error_at.is_(None))
                )
            )
            gate = _passed_gate(s, loaded, _route_of(route) or session_route(protocol, earlier), tz)
            _check_order(ds, booster, gate.pre_dose_readings, given_at, given, tz)
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
            reason = _confirmed(actor, calc, confirm_over_max, confirmation_reason)
            warnings = require_acknowledgement(
                (*gate.warnings, *calc.warnings), acknowledge_warnings
            )
            giver = _giver(s, actor, given_by_user_id)
            row = Dose(
                session_id=session_id,
                medication=calc.medication,
                route=calc.route.value,
                amount=calc.amount_entered,
                unit=calc.unit.value,
                mg=calc.mg,
                given_at=given,
                lot_number=lot,
                given_by=giver.id,
                is_booster=booster,
                over_limit=calc.over_limit,
                confirmation_reason=reason,
                confirmed_by=actor.user_id if calc.over_limit else None,
                recorded_by=actor.user_id,
                recorded_at=now,
                warnings=list(warnings),
            )
            self._write(s, actor, loaded, row)
            return dose_info(row, {actor.user_id: actor.full_name, giver.id: giver.full_name})

    def _write(self, s: Session, actor: Actor, loaded: Loaded, row: Dose) -> None:
        """Store the dose; the first one also moves the session to dosed."""
        s.add(row)
        s.flush()
        audit_row(s, self.ctx, actor, "dose.record", row)
        if not row.is_booster:
            ds = loaded.session
            before = snapshot(ds)
            ds.first_dose_at = row.given_at
            ds.state = state_after_event(loaded.state, SessionEvent.DOSE_GIVEN).value
            audit_row(s, self.ctx, actor, "session.transition", ds, before=before)

    def doses(self, session_id: int) -> list[DoseInfo]:
        """The session's doses in the order they were given."""
        with self.ctx.db.read() as s:
            load(s, self.ctx, session_id)
            rows = s.scalars(
                select(Dose).where(Dose.session_id == session_id).order_by(Dose.given_at, Dose.id)
            ).all()
            names = user_names(
                s,
                [x for d in rows for x in (d.given_by, d.recorded_by, d.confirmed_by, d.error_by)],
            )
            return [dose_info(d, names) for d in rows]


def _route_of(value: Route | str) -> Route | None:
    """The dose's route if it is one (validate_dose names a wrong one), for the checklist."""
    try:
        return Route(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Gate:
    warnings: tuple[str, ...]
    pre_dose_readings: list[VitalReading]


def _open_for_dose(s: Session, ctx: ServiceContext, session_id: int) -> Loaded:
    """The session, if it is in a state that takes a dose (else IllegalTransition)."""
    loaded = load(s, ctx, session_id)
    ensure_not_signed(s, "dosing_session", session_id, ctx.tz)
    state = loaded.state
    if state is _S.SCHEDULED:
        raise refuse(
            state, "dosed", _("This session is only scheduled: check the patient in first.")
        )
    if state is _S.CHECKED_IN:
        raise refuse(state, "dosed", _("Record the pre-dose vitals before the first dose."))
    if state not in (_S.PRE_DOSE_VITALS, _S.DOSED, _S.MONITORING):
        raise refuse(
            state, "dosed", _("A session that is {state} takes no doses.", state=state.label)
        )
    return loaded


def _passed_gate(s: Session, loaded: Loaded, route: Route | None, tz: tzinfo | None) -> _Gate:
    """The dose gates (pre-dose hold, post-dose gate, checklist): refused if any blocks."""
    state, ds = loaded.state, loaded.session
    readings, overrides = gate_rows(s, ds.id)
    pre = [r for r in readings if r.phase == Phase.PRE_DOSE.value]
    if not pre:
        raise refuse(state, "dosed", _("Record the pre-dose vitals before the first dose."))
    first_dose = state is _S.PRE_DOSE_VITALS
    gate = session_gate(
        loaded.protocol, ds, readings, overrides, route=route, first_dose=first_dose
    )
    if gate.blocks:
        fmt = zoned_once(tz)  # local times, the zone named once
        blocks = " ".join(block_message(b, fmt) for b in gate.blocks)
        raise refuse(state, "dosed", _("Dose refused: {blocks}", blocks=blocks))
    return _Gate(tuple(gate.warnings), pre)


def _check_order(
    ds: DosingSession,
    booster: bool,
    pre: list[VitalReading],
    given_at: datetime | None,
    given: datetime,
    tz: tzinfo | None,
) -> None:
    """A booster is at or after the first dose; a first dose after the latest pre-dose
    reading. Times in the message are local (``tz``)."""
    if booster:
        assert ds.first_dose_at is not None
        if given < ds.first_dose_at:
            raise ValidationError(
                "Given at",
                given_at,
                _(
                    "A booster given at {given} cannot be before the first dose ({first}).",
                    given=shown_time(given, tz, zone=True),
                    first=shown_time(ds.first_dose_at, tz),
                ),
            )
        return
    last_pre = max(r.taken_at for r in pre)
    if given <= last_pre:
        raise ValidationError(
            "Given at",
            given_at,
            _(
                "The dose at {given} must come after the latest pre-dose reading ({latest}).",
                given=shown_time(given, tz, _HMS, zone=True),
                latest=shown_time(last_pre, tz, _HMS),
            ),
        )


def _confirmed(actor: Actor, calc: DoseCalc, confirm: bool, reason: str | None) -> str | None:
    """Over the protocol maximum: a clinician's confirmation and its reason (else None)."""
    if not calc.over_limit:
        return None
    if not can(actor.role, Action.CONFIRM_OVER_MAX_DOSE):
        raise denied(
            actor.role.value,
            Action.CONFIRM_OVER_MAX_DOSE.value,
            lambda say: say(
                N_("{limit} Only {who} may confirm a dose above the protocol maximum."),
                limit=calc.limit_message,
                who=who_may(Action.CONFIRM_OVER_MAX_DOSE, say),
            ),
        )
    return require_confirmation(calc, confirm, reason)


def _giver(s: Session, actor: Actor, given_by_user_id: int | None) -> User:
    """Who gave the dose (default: the actor): an active user whose role gives doses."""
    giver_id = actor.user_id if given_by_user_id is None else given_by_user_id
    giver = s.get(User, giver_id)
    if giver is not None and giver.active and can(Role(giver.role), Action.RECORD_DOSE):
        return giver
    if giver is None:
        who = _("there is no user #{id}", id=giver_id)
    else:
        inactive = "" if giver.active else _(", account disabled")
        who = _(
            "{name} ({role}{inactive}) cannot have given the dose",
            name=giver.full_name,
            role=_(giver.role),
            inactive=inactive,
        )
    raise ValidationError(
        "Given by",
        given_by_user_id,
        _(
            "Given by: {who}; choose an active member of staff who gives doses ({roles}).",
            who=who,
            roles=who_may(Action.RECORD_DOSE),
        ),
    )
