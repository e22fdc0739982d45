"""PHQ-9 and GAD-7 results: record, history, and the outcome of a course.

Decisions a caller must know:

* ``instrument`` accepts 'PHQ-9', 'phq9', 'GAD-7' ...; it is stored under its
  canonical code. Answers are validated and scored by the domain (exact item
  count, each 0-3); PHQ-9 item 9 > 0 sets ``item9_flag`` and a ``follow_up``
  sentence the screen must show prominently.
* A result may name a course (which must be the patient's) and a dosing
  session (which must belong to that course; the course is taken from the
  session when not given). ``taken_at`` defaults to now; never in the future (see ``given_time``).
* A course that has ended takes a result (without a session) only when the caller says so
  (``after_course_end=True``, the person chose it); otherwise a ValidationError on 'Course'
  and nothing is stored, so an ended course's outcome never changes silently.
  ``filing_effect`` says beforehand what filing it there does to the outcome (a follow-up
  apart from the acute endpoint, or the new endpoint when still within the acute phase).
* Each result stores the scoring rule that produced its total and band
  (instrument, version, bands: ``Instrument.scoring_rule``); older results show
  '' (recorded before kapdesk stored it).
* ``course_outcome``: baseline = the course's first PHQ-9 (by time taken); the
  endpoint (``latest``) = its last PHQ-9 within the acute phase (the course's
  pinned protocol, ``[outcomes] acute_weeks``, default 8 weeks, by local date);
  later results are follow-ups, judged for deterioration against the endpoint
  and never replacing it (domain.outcomes). Response and remission follow the
  domain rule (>= 50 % fall from baseline; PHQ-9 < 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kapdesk.domain.clock import local_time
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.instruments import (
    PHQ9,
    get_instrument,
    score_instrument,
)
from kapdesk.domain.outcomes import CourseEndpoint, Scored
from kapdesk.domain.permissions import Action
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor, Service, ServiceContext
from kapdesk.services.course_outcome import outcome_info, outcome_split
from kapdesk.services.dtos import CourseOutcomeInfo, InstrumentInfo
from kapdesk.services.error_marks import markers
from kapdesk.services.given_input import (
    given_time,
)
from kapdesk.services.guard import audit_denials
from kapdesk.services.pinned_version import find_course_protocol
from kapdesk.services.recording import audit_row
from kapdesk.services.row_info import instrument_info, user_names
from kapdesk.services.rows import stored
from kapdesk.storage.orm import Course, DosingSession, InstrumentResult, Patient


@dataclass(frozen=True)
class FilingEffect:
    """What filing one more result under a course (an ended one) does to its outcome."""

    course_id: int
    ended_on: date | None
    changes_outcome: bool
    text: str  # one or two sentences for the person choosing


def _results(s: Session, *conditions: ColumnElement[bool]) -> list[InstrumentInfo]:
    rows = s.scalars(
        select(InstrumentResult)
        .where(*conditions)
        .order_by(InstrumentResult.taken_at, InstrumentResult.id)
    ).all()
    names = user_names(s, [*(r.recorded_by for r in rows), *markers(rows)])
    return [instrument_info(r, names) for r in rows]


@audit_denials
class InstrumentService(Service):
    def record(
        self,
        actor: Actor,
        patient_id: int,
        instrument: str,
        answers: Sequence[int],
        *,
        taken_at: datetime | None = None,
        course_id: int | None = None,
        session_id: int | None = None,
        after_course_end: bool = False,
    ) -> InstrumentInfo:
        """Store one result; ``after_course_end``: the person chose an ended course."""
        actor.require(Action.RECORD_INSTRUMENT)
        score = score_instrument(instrument, answers)
        now = self.ctx.now()
        moment = given_time(N_("Taken at"), taken_at, now, self.ctx.tz)
        with self.ctx.db.write() as s:
            stored(s, Patient, patient_id)
            if session_id is not None:
                session = stored(s, DosingSession, session_id)
                if course_id is not None and session.course_id != course_id:
                    raise ValidationError(
                        "Session",
                        session_id,
                        _(
                            "Dosing session #{session} belongs to course #{actual}, not to "
                            "course #{given}.",
                            session=session_id,
                            actual=session.course_id,
                            given=course_id,
                        ),
                    )
                course_id = session.course_id
            if course_id is not None:
                course = stored(s, Course, course_id)
                if course.patient_id != patient_id:
                    raise ValidationError(
                        "Course",
                        course_id,
                        _(
                            "Course #{course} belongs to another patient, not to patient "
                            "#{patient}.",
                            course=course_id,
                            patient=patient_id,
                        ),
                    )
                if course.ended_on is not None and session_id is None and not after_course_end:
                    raise ValidationError(
                        "Course",
                        course_id,
                        _(
                            "Course #{course} ended on {ended}: file this {instrument} under "
                            "it only by choosing so (it then counts as a result after the "
                            "course), or choose an open course or start a new one.",
                            course=course_id,
                            ended=course.ended_on.isoformat(),
                            instrument=score.code,
                        ),
                    )
            row = InstrumentResult(
                patient_id=patient_id,
                course_id=course_id,
                session_id=session_id,
                instrument=score.code,
                answers=list(score.answers),
                total=score.total,
                band=score.band,
                item9_flag=score.item9_flag,
                scoring_rule=score.scoring_rule,
                taken_at=moment,
                recorded_by=actor.user_id,
                recorded_at=now,
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "instrument.record", row)
            return instrument_info(row, {actor.user_id: actor.full_name})

    def history(
        self, patient_id: int, instrument: str = "PHQ-9", course_id: int | None = None
    ) -> list[InstrumentInfo]:
        """A patient's results of one instrument, oldest first (optionally one course's)."""
        code = get_instrument(instrument).code
        with self.ctx.db.read() as s:
            stored(s, Patient, patient_id)
            conditions = [
                InstrumentResult.patient_id == patient_id,
                InstrumentResult.instrument == code,
            ]
            if course_id is not None:
                conditions.append(InstrumentResult.course_id == course_id)
            return _results(s, *conditions)

    def _course_split(
        self, course_id: int, extra: Scored | None = None
    ) -> tuple[Course, CourseEndpoint, list[InstrumentInfo], str]:
        """The course, its PHQ-9 split (with ``extra`` appended last), results, protocol label."""
        with self.ctx.db.read() as s:
            return course_split(s, self.ctx, course_id, extra)

    def filing_effect(
        self, course_id: int, instrument: str, total: int, taken_at: datetime
    ) -> FilingEffect:
        """What one more result (``total``, taken at ``taken_at``) filed under the course
        does to the course outcome, in words for the person choosing where to file it."""
        code = get_instrument(instrument).code
        taken_on = local_time(taken_at, self.ctx.tz).date()
        course, before, results, _label = self._course_split(course_id)
        ended = course.ended_on
        if code != PHQ9.code:
            text = _(
                "A {instrument} does not change the course outcome (that is judged on PHQ-9).",
                instrument=code,
            )
            return FilingEffect(course_id, ended, False, text)
        after = self._course_split(course_id, Scored(taken_on, total))[1]
        new = len(results)
        now_text = _("none yet") if after.outcome is None else after.outcome.summary
        was_text = _("none yet") if before.outcome is None else before.outcome.summary
        changes = before.outcome != after.outcome
        when = {
            "taken": taken_on.isoformat(),
            "weeks": after.rule.acute_weeks,
            "end": after.acute_end.isoformat(),
        }
        if new in [f.index for f in after.follow_ups]:
            label = next(f.label for f in after.follow_ups if f.index == new)
            text = _(
                "Taken {taken}, after the course's {weeks}-week acute phase (which ended "
                "{end}), it would be a {label}, shown apart from the acute endpoint. The "
                "course outcome stays {was}.",
                label=label,
                was=was_text,
                **when,
            )
        else:
            becomes = (
                N_(
                    "Taken {taken}, within the course's {weeks}-week acute phase (until "
                    "{end}), it would become the course's baseline"
                )
                if after.baseline == new
                else N_(
                    "Taken {taken}, within the course's {weeks}-week acute phase (until "
                    "{end}), it would become the course's endpoint"
                )
            )
            where = _(becomes, **when)
            text = (
                _(
                    "{where} and change the course outcome\nfrom: {was}\nto: {now}.",
                    where=where,
                    was=was_text,
                    now=now_text,
                )
                if changes
                else _("{where}; the course outcome stays {was}.", where=where, was=was_text)
            )
        return FilingEffect(course_id, ended, changes, text)

    def course_outcome(self, course_id: int) -> CourseOutcomeInfo:
        with self.ctx.db.read() as s:
            return course_outcome_in(s, self.ctx, course_id)


def course_split(
    s: Session,
    ctx: ServiceContext,
    course_id: int,
    extra: Scored | None = None,
    results: list[InstrumentInfo] | None = None,
) -> tuple[Course, CourseEndpoint, list[InstrumentInfo], str]:
    """``InstrumentService._course_split`` in the caller's transaction; ``results``: the
    course's PHQ-9 results, oldest first, when the caller read them already (the chart)."""
    course = stored(s, Course, course_id)
    protocol = find_course_protocol(s, ctx, course)
    if results is None:
        results = _results(
            s, InstrumentResult.course_id == course_id, InstrumentResult.instrument == PHQ9.code
        )
    split, results, label = outcome_split(ctx.tz, course.started_on, protocol, results, extra)
    return course, split, results, label


def course_outcome_in(
    s: Session, ctx: ServiceContext, course_id: int, results: list[InstrumentInfo] | None = None
) -> CourseOutcomeInfo:
    """``InstrumentService.course_outcome`` in the caller's transaction (``results``: as
    :func:`course_split`)."""
    _, split, results, label = course_split(s, ctx, course_id, results=results)
    return outcome_info(course_id, split, results, label)
