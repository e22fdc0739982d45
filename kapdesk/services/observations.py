"""Sedation (MOAA/S) and dissociation observations during a dosing session.

Decisions a caller must know:

* Observations may be recorded in any state except cancelled and dose
  withheld (no ketamine was given; the patient has left). A baseline MOAA/S
  before dosing is allowed.
* ``observed_at`` defaults to now; a caller-given time must be timezone-aware
  and never in the future (the current minute counts as now) nor before check-in.
* Observations are appended, never edited; ``list_for_session`` returns all
  of them, oldest first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.instruments import validate_moaas
from kapdesk.domain.patients import validate_notes
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.dtos import ObservationInfo
from kapdesk.services.error_marks import markers
from kapdesk.services.given_input import (
    given_time,
    not_before_check_in,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row
from kapdesk.services.row_info import observation_info, user_names
from kapdesk.services.session_support import Loaded, load, refuse
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.storage.orm import Observation

# States in which nothing more is observed: the patient had no ketamine and left.
CLOSED_STATES: Final = frozenset({SessionState.CANCELLED, SessionState.DOSE_WITHHELD})


def open_for_recording(s: Session, ctx: ServiceContext, session_id: int, what: str) -> Loaded:
    """The session, unless it was cancelled or its dose withheld (IllegalTransition), or
    signed (RecordLocked)."""
    loaded = load(s, ctx, session_id)
    ensure_not_signed(s, "dosing_session", session_id, ctx.tz)
    if loaded.state in CLOSED_STATES:
        raise refuse(
            loaded.state,
            what,
            _(
                "Session #{session} is {state}: no {what} can be recorded on it.",
                session=session_id,
                state=loaded.state.label,
                what=_(what),
            ),
        )
    return loaded


@audit_denials
class ObservationService(Service):
    def _record(
        self,
        actor: Actor,
        session_id: int,
        *,
        kind: str,
        score: int | None,
        present: bool | None,
        text: str,
        observed_at: datetime | None,
    ) -> ObservationInfo:
        now = self.ctx.now()
        moment = given_time(N_("Observed at"), observed_at, now, self.ctx.tz)
        with self.ctx.db.write() as s:
            loaded = open_for_recording(s, self.ctx, session_id, N_("observation"))
            not_before_check_in("Observed at", observed_at, moment, loaded.session, self.ctx.tz)
            row = Observation(
                session_id=session_id,
                kind=kind,
                score=score,
                present=present,
                text=text,
                observed_at=moment,
                recorded_by=actor.user_id,
                recorded_at=now,
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, f"observation.{kind}", row)
            return observation_info(row, {actor.user_id: actor.full_name})

    def record_moaas(
        self, actor: Actor, session_id: int, score: int, observed_at: datetime | None = None
    ) -> ObservationInfo:
        """MOAA/S 0-5 (5 responds readily to name ... 0 no response to painful stimulus)."""
        actor.require(Action.RECORD_OBSERVATION)
        level = validate_moaas(score)
        return self._record(
            actor,
            session_id,
            kind="moaas",
            score=level.score,
            present=None,
            text="",
            observed_at=observed_at,
        )

    def record_dissociation(
        self,
        actor: Actor,
        session_id: int,
        present: bool,
        text: str = "",
        observed_at: datetime | None = None,
    ) -> ObservationInfo:
        """Dissociation present or not, with what the patient described (free text)."""
        actor.require(Action.RECORD_OBSERVATION)
        if not isinstance(present, bool):
            raise ValidationError(
                "Dissociation",
                present,
                _("Dissociation must be yes or no, got {value}.", value=repr(present)),
            )
        clean = validate_notes(N_("Dissociation notes"), text)
        return self._record(
            actor,
            session_id,
            kind="dissociation",
            score=None,
            present=present,
            text=clean,
            observed_at=observed_at,
        )

    def list_for_session(self, session_id: int) -> list[ObservationInfo]:
        with self.ctx.db.read() as s:
            load(s, self.ctx, session_id)
            rows = s.scalars(
                select(Observation)
                .where(Observation.session_id == session_id)
                .order_by(Observation.observed_at, Observation.id)
            ).all()
            names = user_names(s, [*(r.recorded_by for r in rows), *markers(rows)])
            return [observation_info(r, names) for r in rows]
