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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from kapdesk.demo import data
from kapdesk.demo.bulk_writer import BulkWriter, Row
from kapdesk.demo.plan import CHECK_IN_TIMES, ROOMS, CoursePlan, PatientPlan
from kapdesk.demo.small_session import local_time
from kapdesk.domain.dosing import ROUTE_LABELS, DoseUnit, validate_dose
from kapdesk.domain.instruments import score_instrument
from kapdesk.domain.notes import empty_sections
from kapdesk.domain.protocol import Anchor, Phase, Protocol, Route
from kapdesk.domain.schedule import compute_schedule, minimum_observation_end
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.vitals import VitalsInput, classify
from kapdesk.services.context import Actor
from kapdesk.services.session_discharge import checks_as_json, compute_checks
from kapdesk.storage.orm import (
    Course,
    Dose,
    DosingSession,
    HoldOverride,
    InstrumentResult,
    Note,
    Observation,
    SideEffect,
    VitalReading,
)

_S = SessionState
Vitals = tuple[int, int, int, int]


def _min(n: float) -> timedelta:
    return timedelta(minutes=n)


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


@dataclass(frozen=True)
class _Dose:
    id: int
    given_at: datetime
    route: str


@dataclass
class _Run:
    """One session being generated."""

    ps: PatientState
    course: CourseState
    row: Row
    nurse: Actor
    readings: list[_Reading] = field(default_factory=list)
    doses: list[_Dose] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)


class RecordMaker:
    def __init__(
        self,
        writer: BulkWriter,
        staff: Staff,
        today: date,
        end: datetime,
        defer: Callable[[date, Callable[[], None]], None],
    ) -> None:
        self.w = writer
        self.staff = staff
        self.today = today
        self.end = end
        self.defer = defer

    # ------------------------------------------------------------ patients and courses

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
            InstrumentResult,
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

    def start_course(
        self, ps: PatientState, plan: CoursePlan, protocol: Protocol, at: datetime
    ) -> CourseState:
        clinician = ps.rng.choice(self.staff.clinicians)
        row: Row = {
            "id": self.w.new_id(Course), "patient_id": ps.id, "protocol_id": protocol.id,
            "protocol_version": protocol.version, "protocol_hash": protocol.sha256,
            "started_on": plan.start,
            "goal": ps.rng.choice(data.COURSE_GOALS), "ended_on": None, "created_at": at,
        }  # fmt: skip
        self.w.add(
            Course, row, at=at, user_id=clinician.user_id, action="course.start", entity="course",
            after=dict(row),
        )  # fmt: skip
        course = CourseState(row["id"], plan, protocol, at, row)
        relapse = 0.0 if plan.kind == "maintenance" else 0.35 * (ps.sessions_done > 0)
        self.instrument(ps, "PHQ-9", ps.phq_total(relapse), at + _min(10), course.id)
        self.instrument(ps, "GAD-7", ps.plan.gad_baseline, at + _min(15), course.id)
        ps.course = course
        return course

    def end_course(self, ps: PatientState, course: CourseState, at: datetime) -> None:
        """End-of-course PHQ-9 and GAD-7, then ``course.end`` (the row already holds the date)."""
        assert course.plan.ends is not None
        self.instrument(ps, "PHQ-9", ps.phq_total(), at, course.id)
        gad = round(ps.plan.gad_baseline * (0.4 + 0.6 * ps.plan.phq_target))
        self.instrument(ps, "GAD-7", gad, at + _min(5), course.id)
        before = {**course.row, "ended_on": None}
        course.row["ended_on"] = course.plan.ends
        clinician = ps.rng.choice(self.staff.clinicians)
        self.w.audit(
            at=at + _min(30), user_id=clinician.user_id, action="course.end", entity="course",
            entity_id=course.id, before=before,
            after={**course.row, "end_reason": data.COURSE_END_REASON},
        )  # fmt: skip
        if ps.course is course:
            ps.course = None

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
            "id": self.w.new_id(DosingSession), "course_id": course.id,
            "scheduled_at": scheduled, "room": r.choice(ROOMS), "state": _S.SCHEDULED.value,
            "weight_kg": None, "checklist": {}, "checked_in_at": None, "first_dose_at": None,
            "discharged_at": None, "discharged_by": None, "discharge_criteria": {},
            "discharge_reason": None, "state_reason": None, "created_at": created,
            "created_by": nurse.user_id,
        }  # fmt: skip
        self.w.add(
            DosingSession, row, at=created, user_id=nurse.user_id, action="session.schedule",
            entity="dosing_session", after=dict(row),
        )  # fmt: skip
        run = _Run(ps, course, row, nurse)
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
        weight = round(run.ps.plan.weight + r.uniform(-1.5, 1.5), 1)
        route = Route(regimen.route)
        if not self._ok(t0 + _min(3)):
            return
        answers: dict[str, Any] = {
            c.id: True for c in protocol.checklist_for(route) if c.kind != "number"
        }
        row.update(checklist={**answers, "weight_kg": weight}, weight_kg=weight)
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
                    self._session_note(run, t + _min(15), "Dose withheld: pre-dose BP stayed "
                                       "elevated after rest. {effects}")  # fmt: skip
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

    def _pre(self, run: _Run, elevated: bool) -> Vitals:
        r, p = run.ps.rng, run.ps.plan
        if elevated:
            return r.randint(141, 156), r.randint(86, 97), p.pulse + r.randint(-2, 10), p.spo2
        sys_, dia = min(p.bp[0] + r.randint(-6, 6), 136), min(p.bp[1] + r.randint(-4, 4), 87)
        return sys_, dia, p.pulse + r.randint(-4, 8), p.spo2

    def _post(self, run: _Run, minutes: float) -> Vitals:
        """BP rises to a peak ~40 min after dosing, then settles (as in the small demo)."""
        r, p = run.ps.rng, run.ps.plan
        shape = minutes / 40 if minutes < 40 else max(0.0, 1 - (minutes - 40) / 100)
        sys_ = p.bp[0] + round(r.randint(8, 22) * shape) + r.randint(-4, 4)
        dia = p.bp[1] + round(r.randint(5, 13) * shape) + r.randint(-3, 3)
        pulse = p.pulse + round(8 * shape) + r.randint(-4, 4)
        return min(sys_, 176), min(dia, 106), min(pulse, 108), min(99, p.spo2 - r.randint(0, 2))

    def _reading(self, run: _Run, when: datetime, v: Vitals, phase: Phase) -> bool:
        if not self._ok(when):
            return False
        protocol = run.course.protocol
        earlier = [
            VitalsInput(x.systolic, x.diastolic, x.pulse, x.spo2)
            for x in run.readings
            if x.phase == phase.value
        ]
        a = classify(VitalsInput(*v), protocol, phase, earlier)
        row: Row = {
            "session_id": run.row["id"], "taken_at": when, "systolic": v[0], "diastolic": v[1],
            "pulse": v[2], "spo2": v[3], "phase": phase.value, "band": a.band.value,
            "rules": [h.rule_id for h in a.fired],
            "assessment": f"{a.summary}. {a.provenance}", "protocol_label": a.protocol_label,
            "recorded_by": run.nurse.user_id, "recorded_at": when,
        }  # fmt: skip
        rid = self.w.add(
            VitalReading, row, at=when, user_id=run.nurse.user_id, action="vitals.record",
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
        self.w.add(
            HoldOverride,
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
        lot = f"{reg.lot_prefix}-{at.year % 100:02d}{r.randint(1, 52):02d}-{k + 1}"
        did = self.w.add(
            Dose,
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
            minutes = (when - first).total_seconds() / 60
            vitals = self._post(run, minutes if j < len(times) - 1 else 240)
            if alert and j == 0:
                vitals = (r.randint(182, 190), r.randint(104, 112), 96, run.ps.plan.spo2)
            if not self._reading(run, when, vitals, Phase.POST_DOSE):
                break
            if alert and j == 0:
                repeat = when + _min(5)
                v2 = (r.randint(164, 172), r.randint(94, 100), 90, run.ps.plan.spo2)
                if self._reading(run, repeat, v2, Phase.POST_DOSE):
                    self._effect(run, "elevated_bp", "moderate", when, data.ALERT_INTERVENTION,
                                 repeat + _min(r.randint(10, 30)))  # fmt: skip
        self._observations(run, first)
        obs_end = minimum_observation_end(protocol, route, doses)
        assert obs_end is not None
        discharge = max(obs_end, times[-1]) + _min(r.randint(2, 10))
        self._side_effects(run, route, first, discharge)
        if not self._ok(discharge):
            return
        answers = {c.id: True for c in protocol.discharge if not c.computed}
        checks = compute_checks(
            protocol, route=route, doses=cast(Sequence[Dose], run.doses),
            readings=cast(Sequence[VitalReading], run.readings),
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
        unit = DoseUnit(run.course.plan.regimen.unit).label
        dose = f"{amount:g} {unit} {ROUTE_LABELS[route]} {run.course.plan.regimen.medication}"
        if len(doses) > 1:
            dose += " with a booster"
        template = r.choice(data.SESSION_NOTES).replace("{dose}", dose.capitalize())
        self._session_note(run, discharge + _min(8), template)
        if r.random() < 0.6:
            self._integration(run, discharge)

    def _observations(self, run: _Run, first: datetime) -> None:
        r, sid, nurse = run.ps.rng, run.row["id"], run.nurse.user_id
        present = r.random() < 0.65
        for when, kind, score, flag, text in (
            (first + _min(15), "moaas", r.choice((5, 4, 4, 3)), None, ""),
            (first + _min(30), "dissociation", None, present,
             r.choice(data.DISSOCIATION_TEXTS) if present else ""),
        ):  # fmt: skip
            if self._ok(when):
                self.w.add(
                    Observation,
                    {
                        "session_id": sid, "kind": kind, "score": score, "present": flag,
                        "text": text, "observed_at": when, "recorded_by": nurse,
                        "recorded_at": when,
                    },
                    at=when, user_id=nurse, action=f"observation.{kind}", entity="observation",
                )  # fmt: skip

    def _side_effects(self, run: _Run, route: Route, first: datetime, discharge: datetime) -> None:
        r = run.ps.rng
        options = [e for e in data.SIDE_EFFECTS if not e[4] or route.value in e[4]]
        chosen: dict[str, tuple[str, str, str, tuple[int, int], tuple[str, ...]]] = {}
        for _ in range(r.choice((0, 1, 1, 2))):
            option = r.choice(options)
            chosen.setdefault(option[0], option)
        for effect_id, severity, intervention, (lo, hi), _ in chosen.values():
            onset = first + _min(r.randint(5, 40))
            resolved = min(onset + _min(r.randint(lo, hi)), discharge - _min(5))
            self._effect(run, effect_id, severity, onset, intervention, resolved)

    def _effect(
        self, run: _Run, effect_id: str, severity: str, onset: datetime, action: str, end: datetime
    ) -> None:
        at = onset + _min(2)
        if not self._ok(at):
            return
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
        self.w.add(
            SideEffect, row, at=at, user_id=run.nurse.user_id, action="side_effect.record",
            entity="side_effect", after=created,
        )  # fmt: skip
        run.effects.append(f"{effect_id.replace('_', ' ')} ({severity})")

    def _final(self, day: date) -> bool:
        return day < self.today - timedelta(days=7)

    def _session_note(self, run: _Run, at: datetime, template: str) -> None:
        if not self._ok(at):
            return
        said = (
            f"Side effects: {'; '.join(run.effects)}; all settled before discharge."
            if run.effects
            else "No side effects."
        )
        held = run.row["first_dose_at"] or run.row["checked_in_at"] or run.row["scheduled_at"]
        row: Row = {
            "kind": "session", "course_id": run.course.id, "dosing_session_id": run.row["id"],
            "held_at": held, "sections": {}, "body": template.replace("{effects}", said),
            "status": "draft", "author_id": run.nurse.user_id, "signed_at": None,
            "signed_by": None, "addendum_of": None, "created_at": at, "updated_at": at,
        }  # fmt: skip
        created = dict(row)
        if self._final(at.date()):
            row.update(status="final", updated_at=at + timedelta(days=1))
        self.w.add(
            Note, row, at=at, user_id=run.nurse.user_id, action="note.create", entity="note",
            after=created,
        )  # fmt: skip

    def _integration(self, run: _Run, discharge: datetime) -> None:
        r = run.ps.rng
        day = discharge.astimezone().date() + timedelta(days=r.randint(1, 3))
        held = local_time(day, r.choice(data.NOTE_TIMES))
        therapist = r.choice(self.staff.therapists)
        improving = run.ps.plan.phq_target < 0.75 and run.ps.sessions_done >= 1
        sections = {
            "themes": r.choice(data.THEMES),
            "changes": r.choice(data.CHANGES_BETTER if improving else data.CHANGES_SAME),
            "plan": r.choice(data.PLANS),
            "risk": data.RISK_ITEM9 if run.ps.plan.item9 and run.ps.sessions_done == 0
            else data.RISK_CLEAR,
        }  # fmt: skip
        course_id, session_id = run.course.id, run.row["id"]

        def write() -> None:
            at = held + _min(50)
            if not self._ok(held + _min(60)):
                return
            row: Row = {
                "kind": "integration", "course_id": course_id, "dosing_session_id": session_id,
                "held_at": held, "sections": empty_sections(), "body": "", "status": "draft",
                "author_id": therapist.user_id, "signed_at": None, "signed_by": None,
                "addendum_of": None, "created_at": at, "updated_at": at,
            }  # fmt: skip
            created = dict(row)
            row.update(sections=sections, updated_at=held + _min(60))
            if self._final(day):
                row.update(status="final", updated_at=held + _min(70))
            self.w.add(
                Note, row, at=at, user_id=therapist.user_id, action="note.create",
                entity="note", after=created,
            )  # fmt: skip

        self.defer(day, write)
