"""Vital signs during a dosing session: record a reading, classified under the protocol.

Decisions a caller must know:

* A reading is taken while the session is active (checked in ... monitoring);
  a scheduled session is refused with "check the patient in first".
* Phase: pre-dose until the first dose is recorded, post-dose after. Once the first
  dose is recorded a reading taken before it is refused (a pre-dose reading added then
  would document a dose past a hold and move the rise-from-baseline): the clinician
  notes it in the session note or an addendum. Times are typed as HH:MM, so a reading
  typed in the dose's own minute is taken as at the dose. The band comes from the protocol rules of
  that phase, with the earlier readings of the same phase for "two in a row"
  and, after the dose, the latest pre-dose reading as the baseline of the
  rise-from-baseline rule.
* Audit: ``vitals.record`` on entity ``vital_reading``; when the reading moves
  the session (first pre-dose reading: checked in -> pre-dose vitals; first
  post-dose reading: dosed -> monitoring) a second entry ``session.transition``
  on ``dosing_session`` records that move.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Insert,
    Integer,
    Row,
    Select,
    String,
    Subquery,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from kapdesk.domain.clock import ensure_utc, shown_time
from kapdesk.domain.errors import NotFound, RecordLocked, ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import Phase, Protocol
from kapdesk.domain.session_state import ACTIVE, SessionEvent, SessionState, state_after_event
from kapdesk.domain.signing import SignedEntity, locked_message
from kapdesk.domain.vitals import (
    Assessment,
    VitalsInput,
    classify,
    previous_needed,
    stored_assessment,
    validate_vitals,
)
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.dtos import ReadingInfo
from kapdesk.services.given_input import (
    given_time,
    not_before_check_in,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import ReadAtStart, audit_row, snapshot, with_actor_and_head
from kapdesk.services.row_info import reading_info, user_names
from kapdesk.services.screen_dtos import RecordedReading
from kapdesk.services.session_support import gate_rows, holding_reading, load, reading_order, refuse
from kapdesk.storage.audit_with_row import NewRow
from kapdesk.storage.orm import Course, DosingSession, Signature, VitalReading

_S = SessionState


def _not_before_first_dose(
    value: object, taken: datetime, first: datetime, tz: tzinfo | None
) -> datetime:
    """``taken`` for a reading recorded after the first dose: refused before the dose's
    minute, the dose's moment within it."""
    first = ensure_utc(first)
    if taken < first.replace(second=0, microsecond=0):
        raise ValidationError(
            "Taken at",
            value,
            _(
                "The first dose was recorded at {first}; a reading before it can no longer be "
                "added: note it in the session note or an addendum.",
                first=shown_time(first, tz, zone=True),
            ),
        )
    return max(taken, first)


def _as_input(r: VitalReading | Row[*tuple[Any, ...]] | _Earlier) -> VitalsInput:
    return VitalsInput(r.systolic, r.diastolic, r.pulse, r.spo2)


class _SessionRow(NamedTuple):
    """The columns of the session a reading reads (Core, not a DosingSession: ~0.1 ms of
    CPU less per reading); the row itself is loaded only when the reading moves it."""

    id: int
    course_id: int
    state: str
    checked_in_at: datetime | None
    first_dose_at: datetime | None


class _CourseRow(NamedTuple):
    """The columns of the session's course a reading reads: its patient (the change's
    scope) and its pinned protocol (``PinnedCourse``)."""

    id: int
    patient_id: int
    protocol_id: str
    protocol_version: str
    protocol_hash: str


@dataclass(frozen=True, slots=True)
class _Opened:
    """The session a reading is recorded on, its course and the protocol the course is
    pinned to."""

    session: _SessionRow
    course: _CourseRow
    protocol: Protocol

    @property
    def state(self) -> SessionState:
        return SessionState(self.session.state)


class _Earlier(NamedTuple):
    """An earlier reading read with the session (:func:`_session_query`): ``part`` says
    which of its three lists it is in (:data:`_PRE_DOSE`, :data:`_POST_DOSE`,
    :data:`_BASELINE`)."""

    part: int
    id: int
    taken_at: datetime
    systolic: int
    diastolic: int
    pulse: int | None
    spo2: int | None


@audit_denials
class VitalsService(Service):
    def record(
        self,
        actor: Actor,
        session_id: int,
        systolic: int | str | None,
        diastolic: int | str | None,
        pulse: int | str | None = None,
        spo2: int | str | None = None,
        taken_at: datetime | None = None,
    ) -> RecordedReading:
        values = validate_vitals(systolic, diastolic, pulse, spo2)
        now, tz = self.ctx.now(), self.ctx.tz
        taken = given_time(N_("Taken at"), taken_at, now, tz)
        actor.require(Action.RECORD_VITALS)
        with self.ctx.db.write() as s:
            opened = _open_for_reading(s, self.ctx, session_id, actor, taken)
            loaded, found = opened.loaded, opened.found
            not_before_check_in("Taken at", taken_at, taken, loaded.session, tz)
            first = loaded.session.first_dose_at
            if first is not None:
                taken = _not_before_first_dose(taken_at, taken, first, tz)
            phase = Phase.PRE_DOSE if first is None else Phase.POST_DOSE
            assessment = _assess(s, loaded, values, (phase, taken), found)
            row = VitalReading(
                session_id=session_id,
                taken_at=taken,
                systolic=values.systolic,
                diastolic=values.diastolic,
                pulse=values.pulse,
                spo2=values.spo2,
                phase=phase.value,
                band=assessment.band.value,
                rules=[h.rule_id for h in assessment.fired],
                assessment=str.__str__(stored_assessment(assessment)),
                protocol_label=assessment.protocol_label,
                recorded_by=actor.user_id,
                recorded_at=now,
            )
            self._write(s, actor, opened, row, phase)
            hold = first is None and (
                holding_reading(*gate_rows(s, session_id), loaded.protocol) is not None
            )
            info = reading_info(row, {actor.user_id: actor.full_name}, first)
            return RecordedReading(reading=info, assessment=assessment, hold_active=hold)

    def _write(
        self, s: Session, actor: Actor, opened: _Read, row: VitalReading, phase: Phase
    ) -> None:
        """Store the reading and its audit entry (on a server in one statement, the id drawn
        by the session's statement); the first of a phase moves the session (pre-dose
        vitals / monitoring)."""
        read, new = opened.read, None
        if opened.next_id is None:  # a file: the INSERT gives the id
            _insert(s, row)
        else:  # inserted with its audit entry (a failure rolls back all)
            row.id = opened.next_id
            new = NewRow(_READINGS, _values(row, "id", *_INSERTED))
            _entered_not_in_error(row)
        loaded = opened.loaded
        session_id, state = loaded.session.id, loaded.state
        scope = (session_id, loaded.course.patient_id)  # the change's, as read with the session
        audit_row(s, self.ctx, actor, "vitals.record", row, read=read, new=new, scope=scope)
        if (state, phase) in ((_S.CHECKED_IN, Phase.PRE_DOSE), (_S.DOSED, Phase.POST_DOSE)):
            event = (
                SessionEvent.PRE_DOSE_READING_RECORDED
                if phase is Phase.PRE_DOSE
                else SessionEvent.MONITORING_STARTED
            )
            ds = s.get(DosingSession, session_id)  # (the first reading of a phase only)
            assert ds is not None
            before = snapshot(ds)
            ds.state = state_after_event(state, event).value
            audit_row(s, self.ctx, actor, "session.transition", ds, before=before, scope=scope)

    def readings(self, session_id: int) -> list[ReadingInfo]:
        """The session's readings in the order they were taken."""
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            rows = sorted(
                s.scalars(select(VitalReading).where(VitalReading.session_id == session_id)),
                key=reading_order,
            )
            names = user_names(s, [x for r in rows for x in (r.recorded_by, r.error_by)])
            first = loaded.session.first_dose_at
            return [reading_info(r, names, first) for r in rows]


_Query = Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]

_READINGS = cast(Table, VitalReading.__table__)
_SESSIONS = cast(Table, DosingSession.__table__)
_COURSES = cast(Table, Course.__table__)
_SIGNATURES = cast(Table, Signature.__table__)
# The reading's columns the INSERT sends: those a new reading sets (not the error mark's).
_INSERTED = tuple(c.key for c in _READINGS.c if c.key != "id" and not c.key.startswith("error_"))
_NOT_ENTERED_IN_ERROR = {"error_at": None, "error_by": None, "error_reason": None}


@functools.cache
def _reading_insert() -> Insert:
    """The reading's INSERT (Core, through the session's connection), built once."""
    return insert(_READINGS)


def _insert(s: Session, row: VitalReading) -> None:
    """Store ``row`` (not added to ``s``) with a Core INSERT and give it its id: the same row
    and statement as the ORM's flush of it, at a fraction of its CPU (no unit of work for
    one row)."""
    result = s.connection().execute(_reading_insert(), _values(row, *_INSERTED))
    assert result.inserted_primary_key is not None
    row.id = result.inserted_primary_key[0]
    _entered_not_in_error(row)


def _values(row: VitalReading, *keys: str) -> dict[str, Any]:
    return {key: getattr(row, key) for key in keys}


def _entered_not_in_error(row: VitalReading) -> None:
    for key, value in _NOT_ENTERED_IN_ERROR.items():
        setattr(row, key, value)


# Earlier readings read with the session, per phase: as many as the shipped protocols'
# "N in a row" rules look at (N = 2: one). A protocol that looks at more has its readings
# read in a statement of their own (:func:`_readings_query`).
_WITH_SESSION = 1
_PRE_DOSE, _POST_DOSE, _BASELINE = 0, 1, 2  # _Earlier.part
# Short names in that statement: psycopg caches the parsing of a statement of at most
# MAX_CACHED_STATEMENT_LENGTH (4096) characters only, and parses a longer one on every run.
_SESSION = aliased(DosingSession, name="d")
_READING = aliased(VitalReading, name="r")


@functools.cache
def _session_query(numbered: bool = False) -> Select[*tuple[Any, ...]]:
    """The session with its course and signature (None if unsigned), bound to
    ``session_id``; built once (statements built per call cost more CPU than a round trip).

    One row per earlier reading the band needs (:func:`_earlier_with_session`, bound to
    ``taken``; one row with them None if there is none). ``numbered`` (a server): with the
    new reading's id as ``next_id``, drawn from the id sequence once (an uncorrelated
    subquery is run once per statement), so the reading and its audit entry can be inserted
    by one statement. A refused reading leaves a gap in the ids, as a rolled-back one does."""
    earlier, d, c, sig = _earlier_with_session(), _SESSIONS.c, _COURSES.c, _SIGNATURES.c
    query = (
        with_actor_and_head(
            select(
                *(d[key].label(f"d_{key}") for key in _SessionRow._fields),
                *(c[key].label(f"c_{key}") for key in _CourseRow._fields),
                sig.id.label("signature_id"),
                sig.signer_name,
                sig.signed_at,
            )
            .join(_COURSES, d.course_id == c.id)
            .outerjoin(
                _SIGNATURES,
                (sig.entity == _written(SignedEntity.DOSING_SESSION.value))
                & (sig.entity_id == d.id),
            )
            .where(d.id == bindparam("session_id"))
        )
        .add_columns(*(c.label(f"e_{c.key}") for c in earlier.c))
        .outerjoin(earlier, true())
    )
    if numbered:
        sequence = func.pg_get_serial_sequence(_written(_READINGS.name), _written("id"))
        query = query.add_columns(select(func.nextval(sequence)).scalar_subquery().label("next_id"))
    return query


def _earlier_with_session() -> Subquery:
    """The session's earlier readings :func:`_assess` needs, as :class:`_Earlier` columns:
    before the first dose the latest :data:`_WITH_SESSION` pre-dose readings taken at or
    before ``taken``; after it the latest :data:`_WITH_SESSION` post-dose ones taken at or
    before ``taken`` or the dose (a reading typed in the dose's minute is taken as at the
    dose) and the latest pre-dose one (the baseline)."""
    d, r = _SESSION, _READING
    first_dose = select(d.first_dose_at).where(d.id == bindparam("session_id")).scalar_subquery()
    parts = [
        _latest(
            Phase.PRE_DOSE, _WITH_SESSION, first_dose.is_(None), _up_to_taken(r), part=_PRE_DOSE
        ),
        _latest(
            Phase.POST_DOSE,
            _WITH_SESSION,
            first_dose.is_not(None),
            _up_to_taken(r) | (r.taken_at <= first_dose),
            part=_POST_DOSE,
        ),
        _latest(Phase.PRE_DOSE, 1, first_dose.is_not(None), part=_BASELINE),
    ]
    return union_all(*(p.subquery().select() for p in parts)).subquery("e")


class _Read(NamedTuple):
    """What :func:`_open_for_reading` read: the session, the account and chain head, the
    earlier readings, the new reading's id (None: a file, where its INSERT gives it)."""

    loaded: _Opened
    read: ReadAtStart
    found: list[_Earlier]
    next_id: int | None


def _open_for_reading(
    s: Session, ctx: ServiceContext, session_id: int, actor: Actor, taken: datetime
) -> _Read:
    """The session, if it is active (else IllegalTransition) and not signed (else
    RecordLocked); its signature, the actor's account, the audit chain's head (for the
    first audit entry's re-check), the earlier readings the band needs (as far as
    ``taken``) and on a server the new reading's id are read in the same statement (one
    round trip)."""
    params = {"session_id": session_id, "actor_user_id": actor.user_id, "taken": taken}
    numbered = ctx.db.server is not None
    rows = s.connection().execute(_session_query(numbered), params).all()
    if not rows:
        raise NotFound(_("There is no dosing session #{id}.", id=session_id))
    row = rows[0]
    m = row._mapping
    ds = _SessionRow(*(m[f"d_{key}"] for key in _SessionRow._fields))
    course = _CourseRow(*(m[f"c_{key}"] for key in _CourseRow._fields))
    if row.signature_id is not None:
        raise RecordLocked(
            locked_message(
                SignedEntity.DOSING_SESSION, session_id, row.signer_name, row.signed_at, ctx.tz
            )
        )
    loaded = _Opened(ds, course, ctx.course_protocol(s, course))
    state = loaded.state
    if state is _S.SCHEDULED:
        raise refuse(
            state,
            "record_vitals",
            _("This session is only scheduled: check the patient in first."),
        )
    if state not in ACTIVE:
        raise refuse(
            state,
            "record_vitals",
            _("A session that is {state} takes no more readings.", state=state.label),
        )
    found = [
        _Earlier(*(r._mapping[f"e_{key}"] for key in _Earlier._fields))
        for r in rows
        if r._mapping["e_id"] is not None
    ]
    return _Read(loaded, ReadAtStart.of(row), found, row.next_id if numbered else None)


def _assess(
    s: Session,
    loaded: _Opened,
    values: VitalsInput,
    at: tuple[Phase, datetime],
    found: list[_Earlier],
) -> Assessment:
    """The reading's band under the protocol rules of its phase, with the earlier readings
    of that phase and (post-dose) the latest pre-dose reading as the baseline.

    Only what :func:`classify` looks at is read: the latest ``previous_needed`` earlier
    readings of the phase and the latest pre-dose one (not every reading of the session: the
    cost of a reading does not grow with the session), read with the session (``found``)
    unless the protocol looks at more than :data:`_WITH_SESSION`: then in a statement of
    their own."""
    phase, taken = at
    needed = previous_needed(loaded.protocol, phase)
    if needed <= _WITH_SESSION:
        part = _PRE_DOSE if phase is Phase.PRE_DOSE else _POST_DOSE
        latest = sorted((r for r in found if r.part == part), key=lambda r: (r.taken_at, r.id))
        earlier = [_as_input(r) for r in latest[max(len(latest) - needed, 0) :]]
        base = [_as_input(r) for r in found if r.part == _BASELINE]
        baseline = base[0] if phase is Phase.POST_DOSE and base else None
        return classify(values, loaded.protocol, phase, earlier, baseline)
    query = _readings_query(phase, needed)
    rows: list[Row[*tuple[Any, ...]]] = []
    if query is not None:
        got = s.execute(query, {"session_id": loaded.session.id, "taken": taken}).all()
        rows = sorted(got, key=lambda r: (r.taken_at, r.id))
    earlier = [_as_input(r) for r in rows if r.phase == phase.value]
    pre = [_as_input(r) for r in rows if r.phase == Phase.PRE_DOSE.value]
    baseline = pre[-1] if phase is Phase.POST_DOSE and pre else None
    return classify(values, loaded.protocol, phase, earlier, baseline)


@functools.cache
def _readings_query(
    phase: Phase, needed: int
) -> Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]] | None:
    """The latest ``needed`` readings of ``phase`` taken at or before ``taken`` and (post-dose)
    the latest pre-dose one, bound to ``session_id`` and ``taken``; None: nothing to read."""
    parts = [_latest(phase, needed, _up_to_taken())] if needed else []
    if phase is Phase.POST_DOSE:  # rise from the latest pre-dose reading
        parts.append(_latest(Phase.PRE_DOSE, 1))
    if len(parts) < 2:
        return parts[0] if parts else None
    return union_all(*(p.subquery().select() for p in parts))


def _latest(
    phase: Phase, limit: int, *where: ColumnElement[bool], part: int | None = None
) -> Select[*tuple[Any, ...]]:
    """The session's latest ``limit`` readings of ``phase`` (``where`` also holds), not
    entered in error (those do not count for "two in a row" nor as the baseline); with
    ``part``: as :class:`_Earlier` columns, the table named ``r`` (:data:`_READING`)."""
    r: Any = VitalReading if part is None else _READING
    kind: Any = r.phase  # (the fallback's rows say their phase)
    if part is not None:
        kind = literal_column(str(part), Integer).label("part")
    query = select(kind, r.id, r.taken_at, r.systolic, r.diastolic, r.pulse, r.spo2).where(
        r.session_id == bindparam("session_id"),
        r.phase == _written(phase.value),
        r.error_at.is_(None),
        *where,
    )
    return query.order_by(r.taken_at.desc(), r.id.desc()).limit(literal_column(str(limit), Integer))


def _written(value: str) -> ColumnElement[str]:
    """A constant of these statements written into their text, not bound: PostgreSQL keeps
    one plan for a prepared statement only when it is estimated no dearer than a plan made
    for the given values, which a bound phase or LIMIT spoils (the statement would be
    planned again at every reading)."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


def _up_to_taken(r: Any = VitalReading) -> ColumnElement[bool]:
    taken: ColumnElement[bool] = r.taken_at <= bindparam("taken")
    return taken
