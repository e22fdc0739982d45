"""Discharge criteria of a session: computed ones and staff-confirmed ones.

``discharge_criteria`` on a session is stored as::

    {"answers": {criterion id: bool},           # staff ticks, autosaved
     "checks": [{id, label, computed, met, detail}, ...],   # frozen at discharge
     "checked_at": ISO-8601 UTC,                           # when they were frozen
     "against_criteria": bool}   # discharged with unmet criteria (reason: discharge_reason)

The criteria themselves are :mod:`kapdesk.domain.discharge`; this module loads rows
into its value objects and stores the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain import alerts
from kapdesk.domain import discharge as rule
from kapdesk.domain.clock import shown_time
from kapdesk.domain.corrections import standing
from kapdesk.domain.discharge_record import Criterion
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action, can
from kapdesk.domain.protocol import Band, Protocol, Route
from kapdesk.domain.schedule import DueItem, compute_schedule
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor
from kapdesk.services.due_readings import (
    alert_reading,
    course_history,
    session_schedule,
)
from kapdesk.services.row_info import session_route
from kapdesk.services.screen_dtos import DischargeCheck
from kapdesk.services.session_support import reading_order, reading_text
from kapdesk.services.wording import denied, who_may
from kapdesk.storage.orm import Dose, DosingSession, SideEffect, VitalReading

_DAY_HM: Final = "%Y-%m-%d %H:%M"
_DAY_HMS: Final = "%Y-%m-%d %H:%M:%S"


# The readings' texts in the criteria's details are Wordings: English where the details
# are frozen into ``discharge_criteria`` at discharge (stored, audited), whoever's language
# discharged; in that language where a refusal or the screen shows them.
def _value_text(measure: str, r: VitalReading) -> Wording:
    if measure == alerts.PULSE:
        return Wording(N_("pulse {pulse}/min"), pulse=r.pulse)
    if measure == alerts.SPO2:
        return Wording(N_("SpO2 {spo2} %"), spo2=r.spo2)
    return Wording(N_("BP {systolic}/{diastolic}"), systolic=r.systolic, diastolic=r.diastolic)


def _reading_wording(r: VitalReading, protocol: Protocol) -> Wording:
    return Wording.later(lambda say, _n: reading_text(r, protocol, say))


def reading_facts(readings: Sequence[VitalReading], protocol: Protocol) -> list[rule.ReadingFact]:
    """Each reading with the band of each value it measured (by the rules that fired on
    it, ``kapdesk.domain.alerts.measure_bands``) and when it was recorded."""
    rules = {x.id: x for x in protocol.vital_rules}
    return [
        rule.ReadingFact(
            r.taken_at,
            Band(r.band),
            _reading_wording(r, protocol),
            r.protocol_label,
            values=tuple(
                rule.ValueFact(m, band, _value_text(m, r))
                for m, band in alerts.measure_bands(alert_reading(r), rules).items()
            ),
            # the demo generator's light reading rows carry no recorded_at
            recorded_at=getattr(r, "recorded_at", None),
        )
        for r in sorted(readings, key=reading_order)
    ]


def effect_facts(effects: Sequence[SideEffect]) -> list[rule.EffectFact]:
    """Oldest first, so the latest record of each effect wins."""
    return [
        rule.EffectFact(e.effect_id, e.label, e.present, e.severity, e.resolved_at, e.recorded_at)
        for e in sorted(effects, key=lambda e: (e.recorded_at, e.id))
    ]


def compute_checks(
    protocol: Protocol,
    *,
    route: Route | None,
    doses: Sequence[Dose],
    readings: Sequence[VitalReading],
    stored: Mapping[str, Any],
    at: datetime,
    side_effects: Sequence[SideEffect] = (),
    schedule: Sequence[DueItem] | None = None,
    checked_in_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[DischargeCheck, ...]:
    """Every discharge criterion of the protocol for a discharge at ``at``, on what was
    recorded up to ``now`` (the clock; None: ``at``), as kapdesk.domain.discharge says.

    ``schedule``: the session's reading schedule as of ``at`` (the one the session
    screen and the board show); without it the protocol schedule is computed here.
    Entries marked entered in error count for nothing.
    """
    doses, readings, side_effects = standing(doses), standing(readings), standing(side_effects)
    if schedule is None:
        schedule = compute_schedule(
            protocol,
            route=route,
            dose_times=[d.given_at for d in doses],
            readings=[r.taken_at for r in readings],
            now=at,
            checked_in_at=checked_in_at,
        )
    criteria = rule.evaluate_discharge(
        protocol,
        route=route,
        dose_times=[d.given_at for d in doses],
        readings=reading_facts(readings, protocol),
        schedule=schedule,
        side_effects=effect_facts(side_effects),
        answers=stored.get("answers") or {},
        at=at,
        now=now,
    )
    return tuple(DischargeCheck(c.id, c.label, c.computed, c.met, c.detail) for c in criteria)


def frozen_checks(stored: Mapping[str, Any]) -> tuple[DischargeCheck, ...] | None:
    """The checks stored at discharge, or None before discharge."""
    raw = stored.get("checks")
    if not isinstance(raw, list):
        return None
    return tuple(
        DischargeCheck(
            id=str(x.get("id", "")),
            label=str(x.get("label", "")),
            computed=bool(x.get("computed", False)),
            met=bool(x.get("met", False)),
            detail=str(x.get("detail", "")),
        )
        for x in raw
        if isinstance(x, dict)
    )


def worded_checks(
    frozen: Sequence[DischargeCheck], again: Sequence[DischargeCheck]
) -> tuple[DischargeCheck, ...]:
    """The checks frozen at discharge, each as judged ``again`` (its words then shown in the
    active language) where that says word for word what was frozen, else as frozen."""
    derived = {c.id: c for c in again}
    shown: list[DischargeCheck] = []
    for c in frozen:
        d = derived.get(c.id)
        said = (c.label, c.computed, c.met, c.detail)
        shown.append(d if d is not None and (d.label, d.computed, d.met, d.detail) == said else c)
    return tuple(shown)


def unmet_text(unmet: Sequence[DischargeCheck]) -> str:
    """'Steady on feet (Not confirmed); Minimum observation time passed (1 h 10 min ...)'."""
    return rule.unmet_text([Criterion(c.id, c.label, c.computed, c.met, c.detail) for c in unmet])


def checks_as_json(checks: Sequence[DischargeCheck]) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "label": c.label, "computed": c.computed, "met": c.met, "detail": c.detail}
        for c in checks
    ]


def validate_answers(protocol: Protocol, answers: Mapping[str, object]) -> dict[str, bool]:
    """Staff answers: known, non-computed criteria, each True or False."""
    criteria = {c.id: c for c in protocol.discharge}
    staff = [c.id for c in protocol.discharge if not c.computed]
    out: dict[str, bool] = {}
    for key, value in answers.items():
        c = criteria.get(key)
        if c is None:
            raise ValidationError(
                "Discharge criterion",
                key,
                _(
                    "Discharge criterion '{key}' is not in protocol {protocol}; known: {known}.",
                    key=key,
                    protocol=protocol.label,
                    known=", ".join(staff),
                ),
            )
        if c.computed:
            raise ValidationError(
                c.label,
                value,
                _(
                    "'{criterion}' is worked out by kapdesk from the record; it cannot be ticked.",
                    criterion=c.shown_label(),
                ),
            )
        if not isinstance(value, bool):
            raise ValidationError(
                c.label,
                value,
                _(
                    "'{label}' takes yes or no (true/false), got {value}.",
                    label=c.shown_label(),
                    value=repr(value),
                ),
            )
        out[key] = value
    return out


def session_checks(
    s: Session,
    ds: DosingSession,
    protocol: Protocol,
    at: datetime,
    now: datetime | None = None,
) -> tuple[DischargeCheck, ...]:
    """The discharge checks of session ``ds`` for a discharge at ``at``, on what was
    recorded up to ``now`` (None: ``at``)."""
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


def check_discharge_time(
    s: Session, ds: DosingSession, at: datetime | None, when: datetime, tz: tzinfo | None
) -> None:
    """A discharge is at or after the last dose and the latest reading (times shown local);
    entries marked entered in error do not count."""
    last_dose = s.scalar(
        select(Dose.given_at)
        .where(Dose.session_id == ds.id, Dose.error_at.is_(None))
        .order_by(Dose.given_at.desc())
        .limit(1)
    )
    if last_dose is not None and when < last_dose:
        raise ValidationError(
            "Discharged at",
            at,
            _(
                "Discharged at {when} is before the last dose ({last}).",
                when=shown_time(when, tz, _DAY_HM, zone=True),
                last=shown_time(last_dose, tz, _DAY_HM),
            ),
        )
    latest = s.scalars(
        select(VitalReading)
        .where(VitalReading.session_id == ds.id, VitalReading.error_at.is_(None))
        .order_by(VitalReading.taken_at.desc(), VitalReading.id.desc())
        .limit(1)
    ).first()
    if latest is not None and when < latest.taken_at:
        raise ValidationError(
            "Discharged at",
            at,
            _(
                "Discharged at {when} is before the latest reading (BP {systolic}/{diastolic} "
                "at {taken}): a discharge is recorded at or after the last reading taken.",
                when=shown_time(when, tz, _DAY_HMS, zone=True),
                systolic=latest.systolic,
                diastolic=latest.diastolic,
                taken=shown_time(latest.taken_at, tz, _DAY_HMS),
            ),
        )


def require_met_or_reason(
    actor: Actor,
    protocol: Protocol,
    unmet: Sequence[DischargeCheck],
    reason: str | None,
    given_reason: str | None,
) -> None:
    """Unmet criteria: only a role with DISCHARGE_WITH_UNMET_CRITERIA, and with a reason."""
    if not unmet:
        return
    if not can(actor.role, Action.DISCHARGE_WITH_UNMET_CRITERIA):
        raise denied(
            actor.role.value,
            Action.DISCHARGE_WITH_UNMET_CRITERIA.value,
            lambda say: say(
                N_(
                    "Discharge criteria of {protocol} not met: {unmet}. Only {who} may discharge "
                    "with unmet criteria, giving a reason."
                ),
                protocol=protocol.label,
                unmet=unmet_text(unmet),
                who=who_may(Action.DISCHARGE_WITH_UNMET_CRITERIA, say),
            ),
        )
    if not reason:
        raise ValidationError(
            "Reason",
            given_reason,
            _(
                "Discharge criteria of {protocol} not met: {unmet}. Discharging anyway needs "
                "a reason.",
                protocol=protocol.label,
                unmet=unmet_text(unmet),
            ),
        )


def freeze_discharge(
    ds: DosingSession,
    actor: Actor,
    when: datetime,
    checks: Sequence[DischargeCheck],
    against_reason: str | None,
) -> None:
    """Mark ``ds`` discharged at ``when`` with its checks frozen as they were judged."""
    ds.state = SessionState.DISCHARGED.value
    ds.discharged_at = when
    ds.discharged_by = actor.user_id
    ds.discharge_reason = against_reason
    ds.discharge_criteria = {
        **(ds.discharge_criteria or {}),
        "checks": checks_as_json(checks),
        "checked_at": when.isoformat(),
        "against_criteria": any(not c.met for c in checks),
    }
