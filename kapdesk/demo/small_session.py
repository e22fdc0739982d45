"""One demo dosing session, planned step by step (used by kapdesk.demo.small).

Each step is a call to a real service at a planned moment, deciding what happens as
:mod:`kapdesk.demo.plan` does for both writers; reading times come from the protocol's
own schedule (``compute_schedule``) and the minimum observation time, so the demo stays
consistent with whatever the presets say.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from kapdesk.demo import data
from kapdesk.demo.plan import local_time, minutes
from kapdesk.demo.plan import session as decide
from kapdesk.demo.plan.showcase import ShowcasePatient
from kapdesk.domain.check_in import room_key
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.domain.protocol import SCHEDULE_CONDITIONS, Anchor, Protocol, Route
from kapdesk.domain.schedule import compute_schedule, minimum_observation_end
from kapdesk.domain.signing import Meaning, SignedEntity
from kapdesk.services.addenda import AddendumService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.services.vitals import VitalsService

# Why the running session's mistyped reading was marked entered in error.
MISTYPED_REASON = "Typed 181/76 for 118/76; the reading was 118/76."


@dataclass(order=True)
class _Event:
    when: datetime
    seq: int
    action: Callable[[], object] = field(compare=False)


class Timeline:
    """Steps to replay in time order (ties in the order they were planned)."""

    def __init__(self, end: datetime) -> None:
        self.end = end
        self.events: list[_Event] = []

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        self.events.append(_Event(when, len(self.events), action))

    def first(self) -> datetime:
        return min(e.when for e in self.events)

    def run(self, clock: FakeClock, step: Callable[[int, int], None] | None = None) -> None:
        """Every step up to the end (later ones never happen: they are in the future).

        ``step(done, total)`` is called after each step, the clock still at its moment."""
        due = [event for event in sorted(self.events) if event.when <= self.end]
        for done, event in enumerate(due, start=1):
            clock.set(event.when)
            event.action()
            if step is not None:
                step(done, len(due))
        clock.set(self.end)


@dataclass
class Ref:
    """An id known only once the step that creates the row has run."""

    id: int = 0


@dataclass
class PatientPlan:
    """A planned patient (kapdesk.demo.plan.showcase) and the ids its steps create."""

    plan: ShowcasePatient
    protocol: Protocol
    sessions: list[Ref]
    patient: Ref = field(default_factory=Ref)
    course: Ref = field(default_factory=Ref)


class SessionPlanner:
    def __init__(
        self,
        ctx: ServiceContext,
        rng: random.Random,
        timeline: Timeline,
        staff: Mapping[Role, Actor],
        today: date,
    ) -> None:
        self.rng = rng
        self.timeline = timeline
        self.staff = staff
        self.today = today
        self.rooms: tuple[str, ...] = data.ROOMS  # the planner's (kapdesk.demo.plan.rooms)
        self.patients = PatientService(ctx)
        self.courses = CourseService(ctx)
        self.sessions = SessionService(ctx)
        self.vitals = VitalsService(ctx)
        self.doses = DoseService(ctx)
        self.effects = SideEffectService(ctx)
        self.observations = ObservationService(ctx)
        self.instruments = InstrumentService(ctx)
        self.notes = NoteService(ctx)
        self.signing = SigningService(ctx)  # password re-entry: the demo password
        self.addenda = AddendumService(ctx)
        self.corrections = ctx.corrections

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        self.timeline.at(when, action)

    # ------------------------------------------------------------ building blocks

    def scheduler(self, pp: PatientPlan, k: int, when: datetime, room: str) -> Callable[[], None]:
        def schedule() -> None:
            info = self.sessions.schedule(self.staff[Role.NURSE], pp.course.id, when, room)
            pp.sessions[k].id = info.id

        return schedule

    def instrument(
        self, pp: PatientPlan, t: datetime, code: str, index: int, session: Ref | None
    ) -> None:
        """PHQ-9 number ``index`` of the patient's series (or GAD-7 end) at ``t``."""
        item9 = 1 if pp.plan.item9 and index <= 1 else 0
        answers = data.item_answers(self.rng, max(pp.plan.phq[index], item9), 9, item9)
        self.at(
            t,
            lambda: self.instruments.record(
                self.staff[Role.THERAPIST], pp.patient.id, code, answers,
                course_id=pp.course.id, session_id=session.id if session else None,
            ),
        )  # fmt: skip

    def _reading(self, s: Ref, t: datetime, v: decide.Vitals) -> None:
        self.at(t, lambda: self.vitals.record(self.staff[Role.NURSE], s.id, *v))

    def _mistyped_reading(self, s: Ref, at: datetime) -> None:
        """A reading typed wrongly (181 for 118), marked entered in error a minute later: the
        running session shows a struck-through row, and the alert it raised is gone."""
        nurse, ref = self.staff[Role.NURSE], Ref()

        def record() -> None:
            ref.id = self.vitals.record(nurse, s.id, 181, 76, pulse=72, spo2=98).reading.id

        self.at(at, record)
        self.at(at + minutes(1), lambda: self.corrections.mark_entered_in_error(
            nurse, "reading", ref.id, MISTYPED_REASON))  # fmt: skip

    def _pre(self, pp: PatientPlan, elevated: bool = False) -> decide.Vitals:
        return decide.pre_dose_vitals(self.rng, pp.plan, elevated)

    def _post(self, pp: PatientPlan, after_min: float) -> decide.Vitals:
        return decide.post_dose_vitals(self.rng, pp.plan, after_min)

    # ------------------------------------------------------------ one session

    def _check_in(self, nurse: Actor, session_id: int) -> None:
        """Check in, into another room when the booked one is still in use (as staff do)."""
        conflicts = self.sessions.check_in_conflicts(session_id)
        room = None
        if conflicts.room_taken_by is not None:
            taken = {room_key(r) for r in conflicts.rooms_in_use}
            room = next((r for r in self.rooms if room_key(r) not in taken), None)
        self.sessions.check_in(nurse, session_id, room=room)

    def plan(
        self,
        pp: PatientPlan,
        k: int,
        scheduled: datetime,
        stage: str,
        feature: str | None,
        *,
        gad_end: bool,
    ) -> None:
        """Steps of session ``k``: stage is full, discharged, monitoring, pre_dose or scheduled."""
        rng, staff, s = self.rng, self.staff, pp.sessions[k]
        nurse, clinician = staff[Role.NURSE], staff[Role.CLINICIAN]
        if stage == "scheduled":
            return
        if feature == "cancel":
            self.at(
                scheduled - timedelta(hours=20),
                lambda: self.sessions.cancel(nurse, s.id, data.CANCEL_REASON),
            )
            return
        t0 = scheduled + minutes(4 if stage in ("monitoring", "pre_dose") else rng.randint(-5, 10))
        route = Route(pp.plan.regimen.route)
        answers = decide.checklist(pp.protocol, route)
        answers["weight_kg"] = decide.day_weight(rng, pp.plan.weight)
        self.at(t0, lambda: self._check_in(nurse, s.id))
        self.at(t0 + minutes(3), lambda: self.sessions.record_checklist(nurse, s.id, answers))
        self.instrument(pp, t0 + minutes(5), "PHQ-9", k + 1, s)
        if gad_end:
            gad = data.item_answers(rng, round(pp.plan.gad[0] * pp.plan.gad[1]), 7)
            self.at(
                t0 + minutes(6),
                lambda: self.instruments.record(
                    staff[Role.THERAPIST], pp.patient.id, "GAD-7", gad, session_id=s.id
                ),
            )
        t = t0 + minutes(8)
        elevated = stage == "pre_dose" or feature in ("override", "recheck_clears", "withhold")
        if stage == "full" and feature is None and rng.random() < 0.1:
            elevated = True
        self._reading(s, t, self._pre(pp, elevated))
        if stage == "pre_dose":
            return
        if elevated:
            outcome = feature or rng.choice(("recheck_clears", "override"))
            t += minutes(pp.protocol.recheck_after_min)
            self._reading(s, t, self._pre(pp, elevated=outcome != "recheck_clears"))
            if outcome == "withhold":
                self.at(t + minutes(4), lambda: self.sessions.withhold_dose(
                    clinician, s.id, data.WITHHOLD_REASON))  # fmt: skip
                self._session_note(pp, s, t + minutes(15), decide.WITHHELD_NOTE, [])
                self._sign_session(pp, s, k, t + minutes(45))
                return
            if outcome == "override":
                reason = rng.choice(data.OVERRIDE_REASONS)
                t += minutes(3)
                self.at(t, lambda: self.sessions.override_hold(
                    clinician, s.id, clinician.full_name, reason))  # fmt: skip
        dose_at = t + minutes(4)
        amount = pp.plan.regimen.amounts[min(k, len(pp.plan.regimen.amounts) - 1)]
        self._dose(pp, s, dose_at, amount, k)
        dose_times = [dose_at]
        booster = pp.plan.regimen.booster
        if booster and stage == "full" and (feature == "booster" or rng.random() < 0.12):
            dose_times.append(dose_at + minutes(rng.randint(25, 35)))
            self._dose(pp, s, dose_times[-1], booster, k)
        if stage == "monitoring":
            self.at(dose_at + minutes(5), lambda: self.observations.record_moaas(nurse, s.id, 4))
            self._mistyped_reading(s, dose_at + minutes(6))
            self._reading(s, dose_at + minutes(7), self._post(pp, 7))
            onset = dose_at + minutes(10)
            self.at(onset + minutes(2), lambda: self.effects.record(
                nurse, s.id, "nausea", severity="mild", onset_at=onset))  # fmt: skip
            return
        self._monitor(pp, s, k, stage, feature, dose_times)

    def _dose(self, pp: PatientPlan, s: Ref, at: datetime, amount: float, k: int) -> None:
        reg = pp.plan.regimen
        lot = decide.lot_number(self.rng, reg, self.today.year, k)
        giver = self.staff[reg.given_by]
        self.at(
            at,
            lambda: self.doses.record(
                giver, s.id, medication=reg.medication, route=reg.route, amount=amount,
                unit=reg.unit, lot_number=lot,
            ),
        )  # fmt: skip

    def _monitor(
        self,
        pp: PatientPlan,
        s: Ref,
        k: int,
        stage: str,
        feature: str | None,
        dose_times: list[datetime],
    ) -> None:
        rng, nurse = self.rng, self.staff[Role.NURSE]
        route, first = Route(pp.plan.regimen.route), dose_times[0]
        # Every conditional reading too (first session, elevated baseline, dose increase):
        # one taken where it was not required is harmless; one missed is unmet at discharge.
        items = compute_schedule(
            pp.protocol,
            route=route,
            dose_times=dose_times,
            readings=[],
            now=first + minutes(1440),
            conditions=SCHEDULE_CONDITIONS,
        )
        timed = [i for i in items if i.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE)]
        late = 0 if feature == "late" else None
        if late is None and stage == "full" and timed and rng.random() < 0.25:
            late = rng.randrange(len(timed))
        times: list[datetime] = []
        for j, item in enumerate(timed):
            assert item.opens_at is not None
            assert item.closes_at is not None
            width = int((item.closes_at - item.opens_at).total_seconds() // 60)
            # Late, but before the next window opens (a reading then would belong to it).
            # Any later window counts, the discharge reading's too (opening it misses this one).
            gap = min(
                (int((i.opens_at - item.closes_at).total_seconds() // 60) - 1 for i in items
                 if i.opens_at is not None and i.opens_at >= item.closes_at),
                default=9,
            )  # fmt: skip
            if j == late and gap >= 3:
                times.append(item.closes_at + minutes(rng.randint(3, min(9, gap))))
            else:
                times.append(item.opens_at + minutes(rng.randint(0, max(width - 1, 0))))
        if not timed:  # e.g. sublingual-kap: a routine mid-session check anyway
            times.append(first + minutes(rng.randint(35, 50)))
        times.sort()
        effects: list[str] = []
        for j, when in enumerate(times):
            if j == 0 and feature == "alert":
                self._alert(pp, s, when, effects)
            else:
                self._reading(s, when, self._post(pp, (when - first).total_seconds() / 60))
        obs_end = minimum_observation_end(pp.protocol, route, dose_times)
        assert obs_end is not None
        opens = next((i.opens_at for i in items if i.anchor is Anchor.DISCHARGE), None)
        settle = (opens or obs_end - minutes(10)) + minutes(rng.randint(2, 6))
        last = max(times[-1] + minutes(8), settle)
        self._reading(s, last, self._post(pp, 240))  # settled: close to usual
        discharge = max(obs_end, last) + minutes(rng.randint(2, 10))
        moaas, present, text = decide.observations(rng)
        self.at(first + minutes(15), lambda: self.observations.record_moaas(nurse, s.id, moaas))
        self.at(first + minutes(30), lambda: self.observations.record_dissociation(
            nurse, s.id, present, text))  # fmt: skip
        self._side_effects(pp, s, first, discharge, effects)
        criteria = decide.discharge_answers(pp.protocol)
        self.at(discharge - minutes(2), lambda: self.sessions.record_discharge_answers(
            nurse, s.id, criteria))  # fmt: skip
        self.at(discharge, lambda: self.sessions.discharge(nurse, s.id))
        amount = pp.plan.regimen.amounts[min(k, len(pp.plan.regimen.amounts) - 1)]
        dose = decide.dose_text(pp.plan.regimen, amount, boosted=len(dose_times) > 1)
        template = decide.session_note_template(rng, dose)
        self._session_note(pp, s, discharge + minutes(8), template, effects)
        if stage == "full":
            self._sign_session(pp, s, k, discharge + minutes(25 + (pp.plan.index + k) % 4 * 15))
            self._integration(pp, s, k, discharge)

    def _alert(self, pp: PatientPlan, s: Ref, when: datetime, effects: list[str]) -> None:
        rng = self.rng
        self._reading(s, when, decide.alert_vitals(rng, pp.plan))
        repeat = when + minutes(5)
        # The recheck has settled: within the post-dose limits and the rise from baseline.
        self._reading(s, repeat, self._post(pp, 40))
        self._effect(s, "elevated_bp", "moderate", when, data.ALERT_INTERVENTION, repeat)
        effects.append(decide.ALERT_EFFECT)

    def _side_effects(
        self, pp: PatientPlan, s: Ref, first: datetime, discharge: datetime, effects: list[str]
    ) -> None:
        for e in decide.side_effects(self.rng, pp.plan.regimen.route, first, discharge):
            self._effect(s, e.effect_id, e.severity, e.onset, e.intervention, e.resolved)
            effects.append(e.phrase())

    def _effect(
        self, s: Ref, effect_id: str, severity: str, onset: datetime, action: str, end: datetime
    ) -> None:
        """Recorded two minutes after its onset, resolved at ``end``."""
        nurse, ref = self.staff[Role.NURSE], Ref()

        def record() -> None:
            ref.id = self.effects.record(
                nurse, s.id, effect_id, severity=severity, onset_at=onset, intervention=action
            ).id

        self.at(onset + minutes(2), record)
        self.at(end, lambda: self.effects.resolve(nurse, ref.id))

    def _session_note(
        self, pp: PatientPlan, s: Ref, at: datetime, template: str, effects: list[str]
    ) -> Ref:
        body = decide.note_body(template, effects)
        ref = Ref()

        def save() -> None:
            info = self.notes.save_session_note(self.staff[Role.NURSE], s.id, body)
            ref.id = info.id if info else 0

        self.at(at, save)
        return ref

    def _sign_session(self, pp: PatientPlan, s: Ref, k: int, at: datetime) -> None:
        """The clinician signs the session (its note becomes final with it) once it is old
        enough; every fifth gets a nurse's addendum the next morning, every other one of
        those signed by her."""
        if at.astimezone().date() > self.today - timedelta(days=data.SIGN_SESSIONS_AFTER_DAYS):
            return
        clinician, nurse = self.staff[Role.CLINICIAN], self.staff[Role.NURSE]
        self.at(at, lambda: self.signing.sign(
            clinician, SignedEntity.DOSING_SESSION, s.id, data.DEMO_PASSWORD, Meaning.REVIEWED
        ))  # fmt: skip
        if (pp.plan.index + k) % 5:
            return
        text = data.SESSION_ADDENDA[(pp.plan.index + k) // 5 % len(data.SESSION_ADDENDA)]
        when = local_time(at.astimezone().date() + timedelta(days=1), time(9, 15 + k % 4 * 10))
        self._addendum(nurse, SignedEntity.DOSING_SESSION, s, text, when, sign=k % 2 == 0)

    def _addendum(
        self, author: Actor, kind: SignedEntity, target: Ref, text: str, at: datetime, *,
        sign: bool,
    ) -> None:  # fmt: skip
        ref = Ref()

        def add() -> None:
            ref.id = self.addenda.add_addendum(author, kind, target.id, text).id

        self.at(at, add)
        if sign:
            self.at(at + minutes(5), lambda: self.signing.sign(
                author, SignedEntity.ADDENDUM, ref.id, data.DEMO_PASSWORD, Meaning.AUTHORED
            ))  # fmt: skip

    def _integration(self, pp: PatientPlan, s: Ref, k: int, discharge: datetime) -> None:
        rng, therapist = self.rng, self.staff[Role.THERAPIST]
        day = discharge.astimezone().date() + timedelta(days=rng.randint(1, 3))
        held = local_time(day, rng.choice(data.NOTE_TIMES))
        improving = pp.plan.responding and k >= 1
        sections = decide.integration_sections(
            rng, improving=improving, item9=pp.plan.item9 and k == 0
        )
        signed = day < self.today - timedelta(days=7)
        if held + minutes(60) > self.timeline.end:
            return
        ref = Ref()

        def create() -> None:
            ref.id = self.notes.create_integration_note(
                therapist, pp.course.id, follows_session_id=s.id, held_at=held
            ).id

        self.at(held + minutes(50), create)
        self.at(held + minutes(60), lambda: self.notes.update_integration_note(
            therapist, ref.id, sections=sections))  # fmt: skip
        if signed:
            self.at(held + minutes(70), lambda: self.signing.sign(
                therapist, SignedEntity.NOTE, ref.id, data.DEMO_PASSWORD, Meaning.AUTHORED
            ))  # fmt: skip
            if (pp.plan.index + k) % 4 == 1:
                text = data.NOTE_ADDENDA[(pp.plan.index + k) // 4 % len(data.NOTE_ADDENDA)]
                when = held + timedelta(days=2)
                self._addendum(therapist, SignedEntity.NOTE, ref, text, when, sign=True)
