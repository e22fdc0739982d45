"""Entered in error: mark a reading, dose, side effect, observation or PHQ-9/GAD-7 result
that was typed wrongly (rules in :mod:`kapdesk.domain.corrections`).

Decisions a caller must know:

* ``mark_entered_in_error(actor, kind, entry_id, reason)``: ``kind`` is one of
  ``EntryKind`` ('reading', 'dose', 'side_effect', 'observation', 'instrument'). The
  entry keeps every value; ``error_at`` / ``error_by`` / ``error_reason`` are set, and
  every list the screens and the PDF show still carries it with ``error`` set. The rules
  (alerts, holds and dose gates, the schedule, discharge, charts, outcomes) no longer
  count it.
* Refused: a blank or over-long reason (ValidationError on 'Reason'); an entry of a
  signed session (RecordLocked: "... add an addendum instead."); an entry already
  marked (IllegalTransition); a role without MARK_ENTERED_IN_ERROR, or a user who neither
  recorded the entry nor is a clinician (PermissionDenied, audited as a denial).
* Entries that rest on others are marked first (``refusal(kind, id)`` says why not yet,
  before a reason is typed; marking raises the same sentence as IllegalTransition):
  a pre-dose reading is not marked while a dose stands (the dose was given on it and
  every post-dose band was measured against it); the session's only standing first dose
  only while the session is dosed or in monitoring and no post-dose reading, booster,
  observation after it or side effect recorded while it stood remains.
* A dose: a booster marked in error stops counting at once (the discharge clock runs
  from the dose before it). The session's first dose marked: the session goes back to
  pre-dose vitals (or checked in, without a pre-dose reading) and its first-dose time is
  cleared, so the dose can be recorded again.
* Audit: ``entry.entered_in_error`` on the entry's entity (before/after); a first dose
  marked also writes ``session.transition`` on ``dosing_session``. The committed
  ChangeSet names the entry's kind and session (services.changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kapdesk.domain.corrections import (
    ENTRY_LABELS,
    EntryKind,
    RestingRefusal,
    first_dose_refusal,
    parse_entry_kind,
    pre_dose_reading_refusal,
    refuse_if_marked,
    require_may_mark,
    standing,
    validate_error_reason,
)
from kapdesk.domain.errors import IllegalTransition, NotFound
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import Phase
from kapdesk.domain.session_state import SessionState
from kapdesk.i18n import _
from kapdesk.services.context import Actor, Service
from kapdesk.services.dtos import ErrorMark
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row, snapshot
from kapdesk.services.row_info import user_names
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.storage.orm import (
    Dose,
    DosingSession,
    InstrumentResult,
    Observation,
    SideEffect,
    VitalReading,
)

ACTION: Final = "entry.entered_in_error"

_Row = VitalReading | Dose | SideEffect | Observation | InstrumentResult
_MODELS: Final[dict[EntryKind, type[_Row]]] = {
    "reading": VitalReading,
    "dose": Dose,
    "side_effect": SideEffect,
    "observation": Observation,
    "instrument": InstrumentResult,
}
_S = SessionState


@dataclass(frozen=True)
class MarkedEntry:
    """The entry just marked: its kind and id, the session (None for a PHQ-9/GAD-7 taken
    outside a session) and the mark."""

    kind: EntryKind
    entry_id: int
    session_id: int | None
    error: ErrorMark


@audit_denials
class CorrectionsService(Service):
    def mark_entered_in_error(
        self, actor: Actor, kind: EntryKind | str, entry_id: int, reason: str
    ) -> MarkedEntry:
        """Mark one entry entered in error (see the module docstring for what is refused)."""
        entry_kind = parse_entry_kind(kind)
        text = validate_error_reason(reason)
        actor.require(Action.MARK_ENTERED_IN_ERROR)
        now = self.ctx.now()
        with self.ctx.db.write() as s:
            row = cast("_Row | None", s.get(_MODELS[entry_kind], entry_id))
            if row is None:
                raise NotFound(
                    _(
                        "There is no {record} #{id}.",
                        record=_(ENTRY_LABELS[entry_kind]),
                        id=entry_id,
                    )
                )
            session_id = row.session_id
            if session_id is not None:
                ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            names = user_names(s, [row.recorded_by, row.error_by])
            if row.error_at is not None:
                refuse_if_marked(
                    entry_kind,
                    entry_id,
                    row.error_at,
                    names.get(row.error_by or 0, ""),
                    self.ctx.shown(row.error_at),
                )
            require_may_mark(
                actor.role,
                actor.user_id,
                row.recorded_by,
                author=names.get(row.recorded_by, ""),
                kind=entry_kind,
                entry_id=entry_id,
            )
            resting = self._resting(s, row)
            if resting is not None:
                ds = s.get(DosingSession, session_id)
                state = ds.state if ds is not None else "recorded"
                raise IllegalTransition(state, "mark_entered_in_error", resting.message)
            before = snapshot(row)
            row.error_at = now
            row.error_by = actor.user_id
            row.error_reason = text
            audit_row(s, self.ctx, actor, ACTION, row, before=before)
            if isinstance(row, Dose) and not row.is_booster:
                self._first_dose_marked(s, actor, row)
            return MarkedEntry(
                kind=entry_kind,
                entry_id=entry_id,
                session_id=session_id,
                error=ErrorMark(by_name=actor.full_name, at=now, reason=text),
            )

    def refusal(self, kind: EntryKind | str, entry_id: int) -> RestingRefusal | None:
        """Why the entry cannot be marked yet: entries that rest on it stand (None: not for
        that reason; permission, signature and reason are checked when marking). The
        context menu shows it before a reason is typed; marking raises the same sentence."""
        entry_kind = parse_entry_kind(kind)
        with self.ctx.db.read() as s:
            row = cast("_Row | None", s.get(_MODELS[entry_kind], entry_id))
            if row is None or row.error_at is not None:
                return None
            return self._resting(s, row)

    def _resting(self, s: Session, row: _Row) -> RestingRefusal | None:
        if isinstance(row, VitalReading) and row.phase == Phase.PRE_DOSE.value:
            doses = standing(
                s.scalars(
                    select(Dose)
                    .where(Dose.session_id == row.session_id)
                    .order_by(Dose.given_at, Dose.id)
                )
            )
            return pre_dose_reading_refusal(row.id, [self.ctx.shown(d.given_at) for d in doses])
        if isinstance(row, Dose) and not row.is_booster:
            return _first_dose_resting(s, row)
        return None

    def _first_dose_marked(self, s: Session, actor: Actor, dose: Dose) -> None:
        """The session's first dose is marked (nothing rests on it any more, see
        ``_resting``): its first-dose time moves to another standing first dose, or the
        session goes back to before the dose."""
        ds = s.get(DosingSession, dose.session_id)
        assert ds is not None
        doses = standing(s.scalars(select(Dose).where(Dose.session_id == ds.id)))
        firsts = [d for d in doses if not d.is_booster]
        before = snapshot(ds)
        if firsts:
            ds.first_dose_at = min(d.given_at for d in firsts)
        else:
            ds.first_dose_at = None
            readings = s.scalars(select(VitalReading).where(VitalReading.session_id == ds.id))
            pre = [r for r in standing(readings) if r.phase == Phase.PRE_DOSE.value]
            ds.state = (_S.PRE_DOSE_VITALS if pre else _S.CHECKED_IN).value
        audit_row(s, self.ctx, actor, "session.transition", ds, before=before)


def _first_dose_resting(s: Session, dose: Dose) -> RestingRefusal | None:
    """What rests on a first dose when no other standing first dose takes its place: the
    post-dose readings, the boosters, the observations after it and the side effects
    recorded while it stood (their route was its route)."""
    ds = s.get(DosingSession, dose.session_id)
    assert ds is not None
    sid = ds.id
    doses = standing(s.scalars(select(Dose).where(Dose.session_id == sid)))
    others = [d for d in doses if d.id != dose.id]
    if any(not d.is_booster for d in others):
        return None
    readings = standing(s.scalars(select(VitalReading).where(VitalReading.session_id == sid)))
    observations = standing(
        s.scalars(
            select(Observation).where(
                Observation.session_id == sid, Observation.observed_at >= dose.given_at
            )
        )
    )
    effects = standing(
        s.scalars(
            select(SideEffect).where(
                SideEffect.session_id == sid, SideEffect.recorded_at >= dose.recorded_at
            )
        )
    )
    return first_dose_refusal(
        dose.id,
        state=_S(ds.state),
        readings=sum(r.phase == Phase.POST_DOSE.value for r in readings),
        boosters=len(others),
        observations=len(observations),
        side_effects=len(effects),
    )
