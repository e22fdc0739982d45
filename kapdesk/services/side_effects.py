"""Side effects seen in a dosing session: record, correct or resolve, list.

Decisions a caller must know:

* An effect must be in the course protocol's catalogue for the session's
  route: the route of its first dose not marked entered in error (before any
  dose: the protocol's only route; a protocol with several routes needs a dose
  first).
* ``present=False`` records "checked, absent": no severity, onset, resolution
  or intervention. ``present=True`` needs a severity (mild / moderate / severe
  / life-threatening or grade 1-4); onset defaults to now.
* ``record`` always appends a row; ``list_for_session`` shows the latest row
  of each effect (so "absent" at 10:00 then "present" at 10:20 shows present).
  ``update`` corrects or resolves one row in place, audited before/after;
  an update that changes nothing writes nothing; a row marked entered in error is
  not updated (IllegalTransition).
* Nothing is recorded on a cancelled session or one whose dose was withheld.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import Route
from kapdesk.domain.side_effects import Severity, validate_side_effect
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service
from kapdesk.services.dtos import SideEffectInfo
from kapdesk.services.error_marks import markers
from kapdesk.services.given_input import (
    given_time,
    not_before_check_in,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.observations import open_for_recording
from kapdesk.services.recording import audit_row, snapshot
from kapdesk.services.row_info import side_effect_info, user_names
from kapdesk.services.rows import only_fields, stored
from kapdesk.services.session_support import Loaded, load, refuse
from kapdesk.storage.orm import Dose, SideEffect

UPDATABLE_FIELDS: Final = ("present", "severity", "onset_at", "intervention", "resolved_at")


def _route(s: Session, loaded: Loaded) -> Route:
    first = s.scalar(
        select(Dose.route)
        .where(Dose.session_id == loaded.session.id, Dose.error_at.is_(None))
        .order_by(Dose.given_at, Dose.id)
        .limit(1)
    )
    if first is not None:
        return Route(first)
    routes = loaded.protocol.routes
    if len(routes) == 1:
        return routes[0]
    raise refuse(
        loaded.state,
        "side effect",
        _(
            "Session #{session} has no dose yet and {protocol} allows several routes: record "
            "the first dose, then its side effects.",
            session=loaded.session.id,
            protocol=loaded.protocol.label,
        ),
    )


def _validated(
    loaded: Loaded, route: Route, values: dict[str, Any], now: datetime, tz: tzinfo | None
) -> dict[str, Any]:
    """Column values for ``values`` (effect_id, present, severity, onset_at, ...)."""
    present = values["present"]
    if not isinstance(present, bool):
        raise ValidationError(
            "Present", present, _("Present must be yes or no, got {value}.", value=repr(present))
        )
    if present:
        if values["severity"] is None:
            raise ValidationError(
                "Severity",
                None,
                _(
                    "Severity is required for a side effect that is present: mild, moderate, "
                    "severe or life-threatening (grades 1-4)."
                ),
            )
        onset = given_time(N_("Onset"), values["onset_at"], now, tz)
        not_before_check_in("Onset", values["onset_at"], onset, loaded.session, tz)
        resolved = values["resolved_at"]
        if resolved is not None:
            resolved = given_time(N_("Resolved"), resolved, now, tz)
            not_before_check_in("Resolved", values["resolved_at"], resolved, loaded.session, tz)
        checked = validate_side_effect(
            loaded.protocol,
            values["effect_id"],
            route=route,
            severity=values["severity"],
            onset=onset,
            now=now,  # given_time has already taken the current minute as now
            resolved_at=resolved,
            tz=tz,
            intervention=values["intervention"],
        )
        return {
            "label": checked.label,
            "present": True,
            "severity": checked.severity.value,
            "onset_at": checked.onset,
            "intervention": checked.intervention,
            "resolved_at": checked.resolved_at,
        }
    for field, label, message in (
        ("severity", "Severity", N_("A side effect checked as absent has no severity.")),
        ("onset_at", "Onset", N_("A side effect checked as absent has no onset.")),
        ("resolved_at", "Resolved", N_("A side effect checked as absent has no resolved.")),
    ):
        if values[field] is not None:
            raise ValidationError(label, values[field], _(message))
    if values["intervention"]:
        raise ValidationError(
            "Intervention",
            values["intervention"],
            _("A side effect checked as absent has no intervention."),
        )
    # Only the catalogue check matters here; severity and onset are placeholders.
    checked = validate_side_effect(
        loaded.protocol,
        values["effect_id"],
        route=route,
        severity=Severity.MILD,
        onset=now,
        now=now,
    )
    return {
        "label": checked.label,
        "present": False,
        "severity": None,
        "onset_at": None,
        "intervention": "",
        "resolved_at": None,
    }


@audit_denials
class SideEffectService(Service):
    def record(
        self,
        actor: Actor,
        session_id: int,
        effect_id: str,
        *,
        present: bool = True,
        severity: Severity | str | int | None = None,
        onset_at: datetime | None = None,
        intervention: str = "",
        resolved_at: datetime | None = None,
    ) -> SideEffectInfo:
        actor.require(Action.RECORD_SIDE_EFFECT)
        now = self.ctx.now()
        with self.ctx.db.write() as s:
            loaded = open_for_recording(s, self.ctx, session_id, N_("side effect"))
            values = _validated(
                loaded,
                _route(s, loaded),
                {
                    "effect_id": effect_id,
                    "present": present,
                    "severity": severity,
                    "onset_at": onset_at,
                    "intervention": intervention,
                    "resolved_at": resolved_at,
                },
                now,
                self.ctx.tz,
            )
            row = SideEffect(
                session_id=session_id,
                effect_id=effect_id,
                **values,
                recorded_by=actor.user_id,
                recorded_at=now,
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "side_effect.record", row)
            return side_effect_info(row, user_names(s, [row.recorded_by]))

    def update(self, actor: Actor, side_effect_id: int, **changes: Any) -> SideEffectInfo:
        """Correct or resolve one recorded effect: any of UPDATABLE_FIELDS."""
        actor.require(Action.RECORD_SIDE_EFFECT)
        only_fields(N_("Side-effect"), changes, UPDATABLE_FIELDS, N_("changeable"))
        now = self.ctx.now()
        with self.ctx.db.write() as s:
            row = stored(s, SideEffect, side_effect_id)
            if row.error_at is not None:
                raise IllegalTransition(
                    "entered_in_error",
                    "update side effect",
                    _(
                        "Side effect {id} ({effect}) was marked entered in error: it is no "
                        "longer corrected or resolved. Record the effect again if it is "
                        "present.",
                        id=side_effect_id,
                        effect=_(row.label),
                    ),
                )
            loaded = open_for_recording(s, self.ctx, row.session_id, N_("side effect"))
            current = {f: getattr(row, f) for f in UPDATABLE_FIELDS}
            merged = {**current, **changes, "effect_id": row.effect_id}
            if merged["present"] is False:
                # Turning an effect into "absent" clears what only a present one has.
                for field in ("severity", "onset_at", "resolved_at", "intervention"):
                    if field not in changes:
                        merged[field] = "" if field == "intervention" else None
            values = _validated(loaded, _route(s, loaded), merged, now, self.ctx.tz)
            diff = {k: v for k, v in values.items() if getattr(row, k) != v}
            if diff:
                before = snapshot(row)
                for key, value in diff.items():
                    setattr(row, key, value)
                audit_row(s, self.ctx, actor, "side_effect.update", row, before=before)
            return side_effect_info(row, user_names(s, [row.recorded_by]))

    def resolve(
        self, actor: Actor, side_effect_id: int, resolved_at: datetime | None = None
    ) -> SideEffectInfo:
        """Mark an effect resolved (now, unless a time is given)."""
        return self.update(actor, side_effect_id, resolved_at=resolved_at or self.ctx.now())

    def list_for_session(
        self, session_id: int, *, latest_only: bool = True
    ) -> list[SideEffectInfo]:
        """The latest record of each effect (or every record), in catalogue order."""
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            rows = s.scalars(
                select(SideEffect)
                .where(SideEffect.session_id == session_id)
                .order_by(SideEffect.recorded_at, SideEffect.id)
            ).all()
            names = user_names(s, [*(r.recorded_by for r in rows), *markers(rows)])
        if latest_only:
            rows = list({r.effect_id: r for r in rows}.values())
            order = {d.id: i for i, d in enumerate(loaded.protocol.side_effects)}
            rows.sort(key=lambda r: (order.get(r.effect_id, len(order)), r.id))
        return [side_effect_info(r, names) for r in rows]
