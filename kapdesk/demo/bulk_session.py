"""The big demo clinic's records, one patient event at a time (kapdesk.demo.bulk).

A dosing session is generated as the services would have recorded it, step by
step, and cut off at the build's end (its "now"): a session whose check-in
lies in the future stays scheduled; one that started before the end stops
wherever it had got to (checked in, taking pre-dose vitals, dosed, in
monitoring), so the last day's Today board is live. Bands come from the
domain's ``classify`` under the session's protocol, doses are converted by
``validate_dose``, PHQ-9 / GAD-7 totals and bands by ``score_instrument``, and
the discharge checks by the same ``compute_checks`` the discharge service
freezes. Each row's audit entry holds the row as the service created it
(a session as scheduled, a note as a draft); later changes are not audited
here, except that a course's end gets its ``course.end`` entry.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from kapdesk.demo import data
from kapdesk.demo.bulk_signed import Paperwork, SessionRows
from kapdesk.demo.bulk_writer import BulkWriter, Row
from kapdesk.demo.plan import local_time, minutes
from kapdesk.demo.plan import session as decide
from kapdesk.demo.plan.years import CHECK_IN_TIMES, ROOMS, CoursePlan, PatientPlan
from kapdesk.domain.dosing import validate_dose
from kapdesk.domain.instruments import score_instrument
from kapdesk.domain.protocol import Anchor, Phase, Protocol, Route
from kapdesk.domain.schedule import compute_schedule, minimum_observation_end
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.vitals import VitalsInput, classify
from kapdesk.services.context import Actor
from kapdesk.services.session_discharge import checks_as_json, compute_checks
from kapdesk.storage import orm
from kapdesk.storage.orm import Dose, VitalReading

_S = SessionState
_min = minutes


@dataclass(frozen=True)
class Staff:
    admin: Actor
    clinicians: tuple[Actor, ...]
    nurses: tuple[Actor, ...]
    therapists: tuple[Actor, ...]


@dataclass
class CourseState:
    id: int
    plan: CoursePlan
    protocol: Protocol
    created_at: datetime
    row: Row


@dataclass
class PatientState:
    plan: PatientPlan
    id: int
    rng: random.Random
    sessions_done: int = 0
    course: CourseState | None = None

    def phq_total(self, relapse: float = 0.0) -> int:
        """Baseline easing towards the patient's target over the first sessions, with noise."""
        p, r = self.plan, self.rng
        target = p.phq_baseline * p.phq_target
        level = target + (p.phq_baseline - target) * 0.6**self.sessions_done
        level += relapse * p.phq_baseline
        return max(0, min(27, round(level) + r.randint(-2, 2)))


@dataclass(frozen=True)
class _Reading:
    """What the discharge checks read of a reading (duck-typed for compute_checks)."""

    id: int
    taken_at: datetime
    phase: str
    band: str
    rules: list[str]
    protocol_label: str
    systolic: int
    diastolic: int
    pulse: int | None
    spo2: int | None
    error_at: datetime | None = None  # never entered in error: the demo's entries all count


@dataclass(frozen=True)
class _Dose:
    id: int
    given_at: datetime
    route: str
    error_at: datetime | None = None


@dataclass
class _Run:
    """One session being generated."""

    ps: PatientState
    course: CourseState
    row: Row
    nurse: Actor
    record: SessionRows  # what its signature covers
    readings: list[_Reading] = field(default_factory=list)
    doses: list[_Dose] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)


@dataclass
class RecordMaker:
    """Writes a patient's instruments and sessions; ``defer`` runs a step on a later day."""

    w: BulkWriter
    staff: Staff
    today: date
    end: datetime  # the build's "now": nothing is recorded after it
    defer: Callable[[date, Callable[[], None]], None]

    def __post_init__(self) -> None:
        self.paper = Paperwork(self.w, self.staff.clinicians, self.end, self.defer)

    def _part(self, run: _Run, model: type[orm.Base], row: Row, **entry: Any) -> int:
        """Queue a row recorded in the session (its signature covers it)."""
        run.record.parts[str(model.__tablename__)].append(row)
        return self.w.add(model, row, **entry)

    def instrument(
        self,
        ps: PatientState,
        code: str,
        total: int,
        at: datetime,
        course_id: int | None,
        session_id: int | None = None,
    ) -> None:
        r = ps.rng
        item9 = 1 if code == "PHQ-9" and ps.plan.item9 and ps.sessions_done < 2 else None
        count = 9 if code == "PHQ-9" else 7
        answers = data.item_answers(r, max(total, item9 or 0), count, item9)
        score = score_instrument(code, answers)
        therapist = r.choice(self.staff.therapists)
        self.w.add(
            orm.InstrumentResult,
            {
                "patient_id": ps.id, "course_id": course_id, "session_id": session_id,
                "instrument": score.code, "answers": list(score.answers), "total": score.total,
                "band": score.band, "item9_flag": score.item9_flag, "taken_at": at,
                "recorded_by": therapist.user_id, "recorded_at": at,
                "scoring_rule": score.scoring_rule,
            },
            at=at, user_id=therapist.user_id, action="instrument.record",
            entity="instrument_result",
        )  # fmt: skip

    # ------------------------------------------------------------ one session

    def session(self, ps: PatientState, day: date, k: int) -> None:
        """Session ``k`` (0-based) of the patient's open course, on ``day``."""
        course = ps.course
        assert course is not None
        r = ps.rng
        scheduled = local_time(day, r.choice(CHECK_IN_TIMES))
        created = scheduled - timedelta(days=r.randint(2, 10), hours=r.randint(0, 6))
        created = min(max(created, course.created_at + _min(40)), self.end - _min(1))
        nurse = r.choice(self.staff.nurses)
        row: Row = {
            "id": self.w.new_id(orm.DosingSession), "course_id": course.id,
            "scheduled_at": scheduled, "room": r.choice(ROOMS), "state": _S.SCHEDULED.value,
            "weight_kg": None, "checklist": {}, "checked_in_at": None, "first_dose_at": None,
            "discharged_at": None, "discharged_by": None, "discharge_criteria": {},
            "discharge_reason": None, "state_reason": None, "created_at": created,
            "created_by": nurse.user_id,
        }  # fmt: skip
        self.w.add(
            orm.DosingSession, row, at=created, user_id=nurse.user_id, action="session.schedule",
            entity="dosing_session", after=dict(row),
        )  # fmt: skip
        run = _Run(ps, course, row, nurse, SessionRows(course.row, row))
        if r.random() < 0.04:
            cancelled = scheduled - _min(r.randint(60, 1800))
            if cancelled <= self.end:
                row.update(state=_S.CANCELLED.value, state_reason=data.CANCEL_REASON)
            return
        self._run(run, scheduled, k)
        if row["state"] in (_S.DISCHARGED.value, _S.DOSE_WITHHELD.value):
            ps.sessions_done += 1

    def _ok(self, when: datetime) -> bool:
        return when <= self.end

    def _run(self, run: _Run, scheduled: datetime, k: int) -> None:
        r, row, protocol = run.ps.rng, run.row, run.course.protocol
        regimen = run.course.plan.regimen
        t0 = scheduled + _min(r.randint(-5, 10))
        if not self._ok(t0):
            return
        row.update(state=_S.CHECKED_IN.value, checked_in_at=t0)
        weight = decide.day_weight(r, run.ps.plan.weight)
        route = Route(regimen.route)
        if not self._ok(t0 + _min(3)):
            return
        answers = {**decide.checklist(protocol, route), "weight_kg": weight}
        row.update(checklist=answers, weight_kg=weight)
        if self._ok(t0 + _min(5)):
            self.instrument(
                run.ps, "PHQ-9", run.ps.phq_total(), t0 + _min(5), run.course.id, row["id"]
            )
        t = t0 + _min(8)
        elevated = r.random() < 0.10
        if not self._ok(t) or not self._reading(run, t, self._pre(run, elevated), Phase.PRE_DOSE):
            return
        row["state"] = _S.PRE_DOSE_VITALS.value
        if elevated:
            outcome = r.choices(("clears", "override", "withhold"), (6, 3, 1))[0]
            t += _min(protocol.recheck_after_min)
            if not self._reading(run, t, self._pre(run, outcome != "clears"), Phase.PRE_DOSE):
                return
            if outcome == "withhold":
                if self._ok(t + _min(4)):
                    row.update(state=_S.DOSE_WITHHELD.value, state_reason=data.WITHHOLD_REASON)
                    body = decide.note_body(decide.WITHHELD_NOTE, run.effects)
                    self.paper.session_note(run.record, run.nurse, t + _min(15), body)
                    self.paper.session_done(run.ps.rng, run.record, run.nurse, t + _min(20))
                return
            if outcome == "override":
                t += _min(3)
                if not self._override(run, t):
                    return
        dose_at = t + _min(4)
        step = k if run.course.plan.kind == "acute" else len(regimen.amounts) + k
        amount = regimen.amounts[min(step, len(regimen.amounts) - 1)]
        if not self._dose(run, dose_at, amount, weight, k, booster=False):
            return
        row.update(state=_S.DOSED.value, first_dose_at=dose_at)
        dose_times = [dose_at]
        if regimen.booster and r.random() < 0.12:
            boost = dose_at + _min(r.randint(25, 35))
            if self._dose(run, boost, regimen.booster, weight, k, booster=True):
                dose_times.append(boost)
        self._monitor(run, route, dose_times, amount)

    def _pre(self, run: _Run, elevated: bool) -> decide.Vitals:
        return decide.pre_dose_vitals(run.ps.rng, run.ps.plan, elevated)

    def _post(self, run: _Run, after_min: float) -> decide.Vitals:
        return decide.post_dose_vitals(run.ps.rng, run.ps.plan, after_min)

    def _reading(self, run: _Run, when: datetime, v: decide.Vitals, phase: Phase) -> bool:
        if not self._ok(when):
            return False
        protocol = run.course.protocol
        earlier = [
            VitalsInput(x.systolic, x.diastolic, x.pulse, x.spo2)
            for x in run.readings
            if x.phase == phase.value and x.error_at is None
        ]
        a = classify(VitalsInput(*v), protocol, phase, earlier)
        row: Row = {
            "session_id": run.row["id"], "taken_at": when, "systolic": v[0], "diastolic": v[1],
            "pulse": v[2], "spo2": v[3], "phase": phase.value, "band": a.band.value,
            "rules": [h.rule_id for h in a.fired],
            "assessment": f"{a.summary}. {a.provenance}", "protocol_label": a.protocol_label,
            "recorded_by": run.nurse.user_id, "recorded_at": when,
        }  # fmt: skip
        rid = self._part(
            run, VitalReading, row, at=when, user_id=run.nurse.user_id, action="vitals.record",
            entity="vital_reading",
        )  # fmt: skip
        run.readings.append(
            _Reading(rid, when, phase.value, row["band"], row["rules"], row["protocol_label"], *v)
        )
        if phase is Phase.POST_DOSE and run.row["state"] == _S.DOSED.value:
            run.row["state"] = _S.MONITORING.value
        return True

    def _override(self, run: _Run, at: datetime) -> bool:
        if not self._ok(at):
            return False
        clinician = run.ps.rng.choice(self.staff.clinicians)
        self._part(
            run, orm.HoldOverride,
            {
                "session_id": run.row["id"], "reading_id": run.readings[-1].id,
                "prescriber_name": clinician.full_name,
                "reason": run.ps.rng.choice(data.OVERRIDE_REASONS),
                "recorded_by": clinician.user_id, "recorded_at": at,
            },
            at=at, user_id=clinician.user_id, action="session.override_hold",
            entity="hold_override",
        )  # fmt: skip
        return True

    def _dose(
        self, run: _Run, at: datetime, amount: float, weight: float, k: int, *, booster: bool
    ) -> bool:
        if not self._ok(at):
            return False
        reg, r = run.course.plan.regimen, run.ps.rng
        calc = validate_dose(
            run.course.protocol, medication=reg.medication, route=reg.route, amount=amount,
            unit=reg.unit, weight_kg=weight,
        )  # fmt: skip
        giver = r.choice(
            self.staff.nurses if reg.given_by.value == "nurse" else self.staff.clinicians
        )
        lot = decide.lot_number(r, reg, at.year, k)
        did = self._part(
            run, Dose,
            {
                "session_id": run.row["id"], "medication": calc.medication,
                "route": calc.route.value, "amount": calc.amount_entered, "unit": calc.unit.value,
                "mg": calc.mg, "given_at": at, "lot_number": lot, "given_by": giver.user_id,
                "is_booster": booster, "over_limit": calc.over_limit,
                "confirmation_reason": None, "confirmed_by": None,
                "recorded_by": giver.user_id, "recorded_at": at,
            },
            at=at, user_id=giver.user_id, action="dose.record", entity="dose",
        )  # fmt: skip
        run.doses.append(_Dose(did, at, calc.route.value))
        return True

    def _reading_times(self, run: _Run, route: Route, doses: list[datetime]) -> list[datetime]:
        """The protocol's timed readings (in their windows) plus a routine one every ~15 min."""
        r, protocol, first = run.ps.rng, run.course.protocol, doses[0]
        items = compute_schedule(
            protocol, route=route, dose_times=doses, readings=[], now=first + _min(1440)
        )
        times = [
            i.opens_at + _min(r.randint(0, max((i.closes_at - i.opens_at).seconds // 60 - 1, 0)))
            for i in items
            if i.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE) and i.opens_at and i.closes_at
        ]
        obs_end = minimum_observation_end(protocol, route, doses)
        assert obs_end is not None
        t = first + _min(r.randint(10, 14))
        while t < obs_end - _min(10):
            if all(abs((t - x).total_seconds()) > 300 for x in times):
                times.append(t)
            t += _min(r.randint(10, 14))
        opens = next((i.opens_at for i in items if i.anchor is Anchor.DISCHARGE), None)
        times.sort()
        last = max(times[-1] + _min(6), (opens or obs_end - _min(10)) + _min(r.randint(2, 6)))
        return [*times, last]

    def _monitor(self, run: _Run, route: Route, doses: list[datetime], amount: float) -> None:
        r, first, protocol = run.ps.rng, doses[0], run.course.protocol
        times = self._reading_times(run, route, doses)
        alert = r.random() < 0.02
        for j, when in enumerate(times):
            after_min = (when - first).total_seconds() / 60
            vitals = self._post(run, after_min if j < len(times) - 1 else 240)
            if alert and j == 0:
                vitals = decide.alert_vitals(r, run.ps.plan)
            if not self._reading(run, when, vitals, Phase.POST_DOSE):
                break
            if self.paper.misread(r, times[j + 1] if j + 1 < len(times) else None, when):
                self._misread(run, when + _min(1), vitals)
            if alert and j == 0:
                repeat = when + _min(5)
                v2 = (r.randint(164, 172), r.randint(94, 100), 90, run.ps.plan.spo2)
                if self._reading(run, repeat, v2, Phase.POST_DOSE):
                    resolved = repeat + _min(r.randint(10, 30))
                    effect = ("elevated_bp", "moderate", when, data.ALERT_INTERVENTION, resolved)
                    if self._effect(run, *effect):
                        run.effects.append(decide.ALERT_EFFECT)
        self._observations(run, first)
        obs_end = minimum_observation_end(protocol, route, doses)
        assert obs_end is not None
        discharge = max(obs_end, times[-1]) + _min(r.randint(2, 10))
        self._side_effects(run, route, first, discharge)
        if not self._ok(discharge):
            return
        answers = decide.discharge_answers(protocol)
        checks = compute_checks(
            protocol, route=route, doses=cast(Sequence[Dose], run.doses),
            readings=cast(Sequence[VitalReading], [x for x in run.readings if x.error_at is None]),
            stored={"answers": answers}, at=discharge,
        )  # fmt: skip
        unmet = [c for c in checks if not c.met]
        run.row.update(
            state=_S.DISCHARGED.value, discharged_at=discharge,
            discharged_by=(r.choice(self.staff.clinicians) if unmet else run.nurse).user_id,
            discharge_reason=data.ALERT_INTERVENTION if unmet else None,
            discharge_criteria={
                "answers": answers, "checks": checks_as_json(checks),
                "checked_at": discharge.isoformat(),
            },
        )  # fmt: skip
        dose = decide.dose_text(run.course.plan.regimen, amount, boosted=len(doses) > 1)
        template = decide.session_note_template(r, dose)
        body = decide.note_body(template, run.effects)
        self.paper.session_note(run.record, run.nurse, discharge + _min(8), body)
        self.paper.session_done(r, run.record, run.nurse, discharge + _min(10))
        if r.random() < 0.6:
            self._integration(run, discharge)

    def _misread(self, run: _Run, at: datetime, v: decide.Vitals) -> None:
        """The reading typed again with a wrong pulse, marked entered in error at once."""
        wrong = (v[0], v[1], None if v[2] is None else v[2] + 20, v[3])
        if self._reading(run, at, wrong, Phase.POST_DOSE):
            self.paper.mark_misread(run.record.parts["vital_readings"][-1], run.nurse, at + _min(1))
            run.readings[-1] = replace(run.readings[-1], error_at=at + _min(1))

    def _observations(self, run: _Run, first: datetime) -> None:
        sid, nurse = run.row["id"], run.nurse.user_id
        moaas, present, said = decide.observations(run.ps.rng)
        for when, kind, score, flag, text in (
            (first + _min(15), "moaas", moaas, None, ""),
            (first + _min(30), "dissociation", None, present, said),
        ):
            if self._ok(when):
                self._part(
                    run, orm.Observation,
                    {
                        "session_id": sid, "kind": kind, "score": score, "present": flag,
                        "text": text, "observed_at": when, "recorded_by": nurse,
                        "recorded_at": when,
                    },
                    at=when, user_id=nurse, action=f"observation.{kind}", entity="observation",
                )  # fmt: skip

    def _side_effects(self, run: _Run, route: Route, first: datetime, discharge: datetime) -> None:
        for e in decide.side_effects(run.ps.rng, route.value, first, discharge):
            if self._effect(run, e.effect_id, e.severity, e.onset, e.intervention, e.resolved):
                run.effects.append(e.phrase())

    def _effect(
        self, run: _Run, effect_id: str, severity: str, onset: datetime, action: str, end: datetime
    ) -> bool:
        at = onset + _min(2)
        if not self._ok(at):
            return False
        labels = {e.id: e.label for e in run.course.protocol.side_effects}
        row: Row = {
            "session_id": run.row["id"], "effect_id": effect_id,
            "label": labels.get(effect_id, effect_id), "present": True, "severity": severity,
            "onset_at": onset, "intervention": action, "resolved_at": None,
            "recorded_by": run.nurse.user_id, "recorded_at": at,
        }  # fmt: skip
        created = dict(row)
        if self._ok(end):
            row["resolved_at"] = end
        self._part(
            run, orm.SideEffect, row, at=at, user_id=run.nurse.user_id, action="side_effect.record",
            entity="side_effect", after=created,
        )  # fmt: skip
        return True

    def _integration(self, run: _Run, discharge: datetime) -> None:
        r = run.ps.rng
        day = discharge.astimezone().date() + timedelta(days=r.randint(1, 3))
        held = local_time(day, r.choice(data.NOTE_TIMES))
        therapist = r.choice(self.staff.therapists)
        improving = run.ps.plan.phq_target < 0.75 and run.ps.sessions_done >= 1
        item9 = run.ps.plan.item9 and run.ps.sessions_done == 0
        sections = decide.integration_sections(r, improving=improving, item9=item9)
        self.paper.integration_note(r, run.course.row, run.row["id"], therapist, held, sections)
