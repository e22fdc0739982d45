"""The cohort table reproduces the published pilot study (nine adults with treatment-resistant
depression, ketamine with psychotherapy over eight weeks) from records made through the
services; and its boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.cohort import CohortFilter
from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.research import Pseudonymizer
from kapdesk.services.cohort import CohortService, cohort_table
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.patients import PatientService

from .conftest import T0
from .test_instruments import phq9

START = T0.date()  # 2026-03-02
FOLLOW_UP_DAY = 56 + 91  # three months after the week-8 endpoint


@dataclass(frozen=True)
class Pilot:
    name: str
    baseline: int
    endpoint: int
    si_before: int  # item 9 at baseline (and the weeks before the endpoint)
    si_after: int  # item 9 at the endpoint
    follow_up: int | None  # PHQ-9 at the 3-month follow-up


PILOT = (
    Pilot("Alves, Ana", 21, 9, 1, 0, 12),  # responder; loss of response at follow-up
    Pilot("Borges, Bruno", 23, 11, 2, 0, 10),  # responder
    Pilot("Costa, Clara", 20, 10, 0, 0, 10),  # responder (exactly 50 % fall)
    Pilot("Dias, Duarte", 24, 4, 0, 0, 6),  # responder and remission
    Pilot("Esteves, Eva", 22, 14, 1, 0, 19),  # rise of 5 points: deterioration
    Pilot("Faria, Filipe", 19, 12, 1, 1, 13),
    Pilot("Gomes, Graça", 24, 13, 0, 0, 11),
    Pilot("Henriques, Hugo", 26, 18, 2, 1, None),  # not followed up
    Pilot("Isidro, Inês", 20, 16, 0, 0, None),  # not followed up
)


def _at(day: int) -> datetime:
    return T0 + timedelta(days=day, hours=1)


class Clinic:
    def __init__(self, ctx: ServiceContext, clinician: Actor, clock: FakeClock) -> None:
        self.ctx, self.actor = ctx, clinician
        clock.set(T0 + timedelta(days=400))
        self.n = 0

    def course(self, name: str, *, protocol: str = "kap-default", start: date = START) -> int:
        self.n += 1
        family, given = name.split(", ")
        patient = PatientService(self.ctx).create(
            self.actor,
            mrn=f"PILOT-{self.n}",
            given_name=given,
            family_name=family,
            date_of_birth="1975-06-01",
            sex="female",
        )
        course = CourseService(self.ctx).start(self.actor, patient.id, protocol, start)
        return course.id

    def phq9(self, course_id: int, day: int, total: int, item9: int = 0) -> None:
        info = CourseService(self.ctx).get(course_id)
        InstrumentService(self.ctx).record(
            self.actor,
            info.patient_id,
            "PHQ-9",
            phq9(total, item9),
            taken_at=_at((info.started_on - START).days + day),
            course_id=course_id,
        )

    def pilot(self, p: Pilot, **kw: object) -> int:
        cid = self.course(p.name, **kw)  # type: ignore[arg-type]
        for week in range(9):  # weekly, weeks 0-8, falling in a straight line
            total = p.baseline + round((p.endpoint - p.baseline) * week / 8)
            self.phq9(cid, 7 * week, total, p.si_before if week < 8 else p.si_after)
        if p.follow_up is not None:
            self.phq9(cid, FOLLOW_UP_DAY, p.follow_up)
        return cid


@pytest.fixture
def clinic(ctx: ServiceContext, clinician: Actor, clock: FakeClock) -> Clinic:
    return Clinic(ctx, clinician, clock)


PILOT_FILTER = CohortFilter(("kap-default",), START, START + timedelta(days=30))


def test_the_pilot_cohort_reproduces_the_published_figures(
    clinic: Clinic, ctx: ServiceContext, clinician: Actor
) -> None:
    for p in PILOT:
        clinic.pilot(p)
    # outside the filters: another protocol; a course started before the date range
    clinic.pilot(Pilot("Outro, Protocolo", 27, 0, 3, 0, 3), protocol="spravato-rems")
    clinic.pilot(Pilot("Antes, Cedo", 27, 0, 3, 0, 3), start=START - timedelta(days=1))

    table = CohortService(ctx).table(clinician, PILOT_FILTER)
    rows = {r.facts.patient: r for r in table.rows}
    assert list(rows) == [p.name for p in PILOT]
    for p in PILOT:
        r = rows[p.name]
        assert (r.baseline, r.endpoint) == (p.baseline, p.endpoint)
        assert r.baseline_band == "severe" or p.baseline < 20
        assert r.si_baseline is (p.si_before > 0)
        assert r.si_endpoint is (p.si_after > 0)
        assert r.followed_up is (p.follow_up is not None)
    assert [rows[p.name].response for p in PILOT] == [True] * 4 + [False] * 5
    assert rows["Costa, Clara"].percent_change == -50.0
    assert rows["Dias, Duarte"].remission is True
    assert rows["Alves, Ana"].deteriorated is True  # loss of response (12 vs baseline 21)
    assert rows["Esteves, Eva"].deteriorated is True  # 14 -> 19
    assert rows["Henriques, Hugo"].deteriorated is None
    assert rows["Alves, Ana"].latest_follow_up.startswith("3-month follow-up: 12, deterioration")

    s = table.summary
    assert (s.n, s.with_endpoint) == (9, 9)
    assert s.baseline is not None
    assert s.endpoint is not None
    assert (s.baseline.median, s.baseline.q1, s.baseline.q3, s.baseline.band) == (
        22,
        20,
        24,
        "severe",
    )
    assert (s.endpoint.median, s.endpoint.q1, s.endpoint.q3, s.endpoint.band) == (
        12,
        10,
        14,
        "moderate",
    )
    assert s.response.text() == "4 of 9 (44 %)"
    assert s.remission.text() == "1 of 9 (11 %)"
    assert s.si_remission.text() == "3 of 5 (60 %)"  # more than half
    assert s.deterioration.text() == "2 of 7 (29 %)"
    assert s.lines()[1:3] == (
        "Baseline PHQ-9, median (IQR): 22 (20–24), severe",
        "Endpoint PHQ-9, median (IQR): 12 (10–14), moderate",
    )


def test_boundaries_no_endpoint_no_follow_up_and_remission_at_5_vs_4(
    clinic: Clinic, ctx: ServiceContext
) -> None:
    only_baseline = clinic.course("Sem, Fim")
    clinic.phq9(only_baseline, 0, 22, 2)
    five = clinic.course("Cinco, Cinco")
    clinic.phq9(five, 0, 10)
    clinic.phq9(five, 56, 5)
    four = clinic.course("Quatro, Quatro")
    clinic.phq9(four, 0, 10)
    clinic.phq9(four, 56, 4)
    late = clinic.course("Tarde, Tarde")  # a follow-up at 5 months: outside 3 months
    clinic.phq9(late, 0, 20)
    clinic.phq9(late, 56, 8)
    clinic.phq9(late, 56 + 152, 20)
    table = cohort_table(ctx, CohortFilter())
    rows = {r.facts.patient: r for r in table.rows}
    none = rows["Sem, Fim"]
    assert (none.endpoint, none.response, none.remission, none.si_endpoint) == (
        None,
        None,
        None,
        None,
    )
    assert none.si_baseline is True
    assert none.followed_up is False
    assert rows["Cinco, Cinco"].remission is False
    assert rows["Cinco, Cinco"].response is True
    assert rows["Quatro, Quatro"].remission is True
    assert rows["Tarde, Tarde"].followed_up is False
    assert rows["Tarde, Tarde"].latest_follow_up.startswith("5-month follow-up: 20")
    s = table.summary
    assert (s.n, s.with_endpoint) == (4, 3)
    assert s.si_remission.of == 0  # SI at baseline, but no endpoint yet
    assert s.deterioration.text() == "none to count (0 of 0)"


def test_status_filter_and_pseudonyms(
    clinic: Clinic, ctx: ServiceContext, clinician: Actor
) -> None:
    kept = clinic.course("Aberto, Curso")
    ended = clinic.course("Fechado, Curso")
    clinic.phq9(ended, 0, 15)
    CourseService(ctx).end(clinician, ended, START + timedelta(days=60))
    assert [r.facts.course_id for r in cohort_table(ctx, CohortFilter(status="open")).rows] == [
        kept
    ]
    assert [r.facts.course_id for r in cohort_table(ctx, CohortFilter(status="ended")).rows] == [
        ended
    ]
    pseudo = Pseudonymizer(b"k" * 32)
    table = cohort_table(ctx, CohortFilter(), pseudo=pseudo)
    assert table.deidentified
    shifted = {r.facts.course_id: r.facts.ended_on for r in table.rows}
    assert shifted[kept] is None
    assert shifted[ended] is not None
    assert shifted[ended] - table.rows[1].facts.started_on == timedelta(days=60)
    for r in table.rows:
        assert r.facts.patient.startswith("P-")
        assert r.facts.mrn == ""
        assert r.facts.started_on != START


def test_the_table_needs_a_clinician(
    ctx: ServiceContext, nurse: Actor, therapist: Actor, clinician: Actor
) -> None:
    """Every patient's outcomes at once: clinicians only (a therapist may print the reports
    of the sessions they take part in, not read the whole clinic's outcomes)."""
    for refused in (nurse, therapist):
        with pytest.raises(PermissionDenied, match="may not view or export the clinic's cohort"):
            CohortService(ctx).table(refused, CohortFilter())
    assert CohortService(ctx).table(clinician, CohortFilter()).rows == ()


def test_showing_the_table_is_audited(ctx: ServiceContext, clinician: Actor) -> None:
    """As opening a chart is: who, which filters, how many courses; never a patient."""
    import json

    from sqlalchemy import select

    from kapdesk.storage.orm import AuditEntry

    CohortService(ctx).table(clinician, CohortFilter(status="ended"))
    with ctx.db.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (entry.action, entry.entity, entry.user_id) == (
        "cohort.view",
        "database",
        clinician.user_id,
    )
    after = json.loads(entry.after or "{}")
    assert (after["filters"]["status"], after["courses"]) == ("ended", 0)


def test_dosing_sessions_side_effects_and_bp_excursions_are_counted(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    from kapdesk.services.side_effects import SideEffectService

    from .sessionkit import Kit

    kit = Kit(ctx, clock, nurse)
    sid = kit.dosed()  # a pre-dose reading 122/78, then a dose
    kit.advance(minutes=25)
    kit.vitals.record(nurse, sid, 190, 100, pulse=80, spo2=97)  # post-dose alert
    effects = SideEffectService(ctx)
    effects.record(nurse, sid, "nausea", severity="mild")
    effects.record(nurse, sid, "nausea", severity="moderate")  # the same effect, corrected
    effects.record(nurse, sid, "dizziness", present=False)
    [row] = cohort_table(ctx, CohortFilter()).rows
    assert (row.facts.dosing_sessions, row.facts.side_effects, row.facts.bp_excursions) == (
        1,
        1,
        1,
    )
    assert row.baseline is None
