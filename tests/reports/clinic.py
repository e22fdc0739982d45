"""Build realistic sessions and courses through the real services, for report tests and the
benchmark. Every value the tests assert on is written here, in one place.

Times: the clinic day starts at ``T0`` (2026-03-02 09:00 UTC = 10:00 in Berlin,
the zone the tests print in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from kapdesk.domain.clock import FakeClock
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.vitals import VitalsService

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
YES_TO_ALL = {
    "consent": True,
    "ride_home": True,
    "fasting": True,
    "medication_changes": True,
    "contraindications": True,
}
DISCHARGE_OK = {"alert_oriented": True, "steady": True, "ride_home_present": True}

OVERRIDE_PRESCRIBER = "Dr. Jürgen Müller"
OVERRIDE_REASON = "Anxious at baseline; BP stable on recheck. Benefit outweighs risk."
LOT = "LOT-2026-A17"
SESSION_NOTE = (
    "Patient arrived calm and oriented, accompanied by her partner who will drive her home.\n\n"
    "Intention for today: to revisit the grief around her mother's death without "
    "being overwhelmed. Eyeshades and music (playlist B) from the first dose.\n\n"
    "Brief nausea around 20 minutes after the dose settled with ondansetron. Mild "
    "dizziness on standing at 11:50; steady after sitting for ten minutes."
)
INTEGRATION = {
    "themes": "Saw her mother's kitchen; felt warmth rather than guilt for the first time.",
    "changes": "Sleeping better (6-7 h); returned to choir practice.",
    "plan": "Letter to her mother, to read aloud next session. Daily 10-minute walk.",
    "risk": "No suicidal ideation reported; PHQ-9 item 9 = 0. Safety plan reviewed.",
}
LONG_WORDS = (
    "The patient described a sequence of images from childhood, returning several times "
    "to the house by the river and to her grandmother's garden, which she connected with "
    "a sense of safety she has rarely felt as an adult. "
)


@dataclass
class Staff:
    nurse: Actor
    therapist: Actor
    clinician: Actor


def phq9_answers(total: int, item9: int = 0) -> list[int]:
    """Nine answers 0-3 adding up to ``total`` with item 9 = ``item9``."""
    answers = [0] * 8 + [item9]
    rest = total - item9
    for i in range(8):
        step = min(3, rest)
        answers[i] = step
        rest -= step
    assert rest == 0, "total too high for item 9"
    return answers


def gad7_answers(total: int) -> list[int]:
    answers = [0] * 7
    rest = total
    for i in range(7):
        answers[i] = min(3, rest)
        rest -= answers[i]
    return answers


class Clinic:
    """The services plus the steps that build the sessions the report tests print."""

    def __init__(self, ctx: ServiceContext, clock: FakeClock, staff: Staff) -> None:
        self.ctx, self.clock, self.staff = ctx, clock, staff
        self.sessions = SessionService(ctx)
        self.vitals = VitalsService(ctx)
        self.doses = DoseService(ctx)
        self.effects = SideEffectService(ctx)
        self.observations = ObservationService(ctx)
        self.notes = NoteService(ctx)
        self.instruments = InstrumentService(ctx)

    def at(self, moment: datetime) -> datetime:
        self.clock.set(moment)
        return moment

    def patient_and_course(
        self,
        *,
        mrn: str = "KAP-0042",
        given: str = "Conceição",
        family: str = "Simões",
        allergies: str = "Penicillin (rash)",
        goal: str = "Treatment-resistant depression: reduce PHQ-9 below 10.",
        protocol: str = "kap-default",
    ) -> tuple[int, int]:
        p = PatientService(self.ctx).create(
            self.staff.nurse,
            mrn=mrn,
            given_name=given,
            family_name=family,
            date_of_birth="1980-05-17",
            sex="female",
            weight_kg=68.0,
            allergies=allergies,
        )
        c = CourseService(self.ctx).start(self.staff.clinician, p.id, protocol, goal=goal)
        return p.id, c.id

    # ------------------------------------------------------------ the known session

    def known_session(self, course_id: int, start: datetime = T0) -> int:
        """Elevated pre-dose BP overridden, a dose and a booster, an alert, two side
        effects (one resolved), MOAA/S and dissociation, discharge, a session note and
        an integration note the next day."""
        n, t, c = self.staff.nurse, self.staff.therapist, self.staff.clinician
        m = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
        self.at(m(0))
        sid = self.sessions.schedule(n, course_id, m(0), "Room 2 – Garden").id
        self.sessions.check_in(n, sid)
        self.sessions.record_checklist(n, sid, {**YES_TO_ALL, "weight_kg": 70.0})
        self.at(m(2))
        self.vitals.record(n, sid, 146, 92, pulse=78, spo2=98)
        self.at(m(8))
        self.vitals.record(n, sid, 144, 91, pulse=76, spo2=98)
        self.at(m(9))
        self.sessions.override_hold(c, sid, OVERRIDE_PRESCRIBER, OVERRIDE_REASON)
        self.at(m(10))
        self.doses.record(n, sid, medication="racemic ketamine", route="im", amount=0.5,
                          unit="mg/kg", lot_number=LOT)  # fmt: skip
        self.at(m(20))
        dizziness = self.effects.record(t, sid, "dizziness", severity="mild", onset_at=m(20))
        self.at(m(30))
        nausea = self.effects.record(
            t, sid, "nausea", severity="moderate", onset_at=m(28),
            intervention="Ondansetron 4 mg ODT",
        )  # fmt: skip
        self.effects.record(t, sid, "headache", present=False)
        self.observations.record_moaas(t, sid, 4)
        self.at(m(35))
        self.vitals.record(n, sid, 168, 98, pulse=96, spo2=97)
        self.at(m(40))
        self.observations.record_dissociation(
            t, sid, True, "Felt detached from her body; calm, no distress."
        )
        self.doses.record(n, sid, medication="racemic ketamine", route="im", amount=0.25,
                          unit="mg/kg", lot_number=LOT)  # fmt: skip
        self.at(m(50))
        self.vitals.record(n, sid, 186, 112, pulse=104, spo2=96)
        self.at(m(55))
        self.vitals.record(n, sid, 176, 104, pulse=98, spo2=97)
        self.at(m(64))
        self.vitals.record(n, sid, 158, 94, pulse=90, spo2=98)
        self.at(m(65))
        self.effects.resolve(t, nausea.id)
        self.at(m(120))
        self.effects.resolve(t, dizziness.id)  # unresolved effects keep discharge unmet
        self.at(m(125))
        self.vitals.record(n, sid, 132, 84, pulse=74, spo2=98)
        self.at(m(126))
        self.sessions.record_discharge_answers(n, sid, DISCHARGE_OK)
        self.at(m(132))
        self.sessions.discharge(n, sid)
        self.at(m(150))
        self.notes.save_session_note(t, sid, SESSION_NOTE)
        self.at(start + timedelta(days=1, hours=6))
        note = self.notes.create_integration_note(t, course_id, follows_session_id=sid)
        self.notes.update_integration_note(t, note.id, sections=INTEGRATION)
        return sid

    # ------------------------------------------------------------ other shapes

    def long_session(self, course_id: int, start: datetime, readings: int = 40,
                     paragraphs: int = 20) -> int:  # fmt: skip
        """``readings`` readings (one pre-dose, then every 5 min), long notes."""
        n, t = self.staff.nurse, self.staff.therapist
        self.at(start)
        sid = self.sessions.schedule(n, course_id, start, "Room 1").id
        self.sessions.check_in(n, sid)
        self.sessions.record_checklist(n, sid, {**YES_TO_ALL, "weight_kg": 82.5})
        self.vitals.record(n, sid, 128, 82, pulse=70, spo2=99)
        dose_at = self.at(start + timedelta(minutes=5))
        self.doses.record(n, sid, medication="racemic ketamine", route="im", amount=0.6,
                          unit="mg/kg", lot_number=LOT)  # fmt: skip
        for i in range(1, readings):
            self.at(dose_at + timedelta(minutes=5 * i))
            sys_bp = 130 + (i * 7) % 45
            self.vitals.record(n, sid, sys_bp, 80 + (i * 3) % 25, pulse=72 + i % 20, spo2=97)
        self.sessions.record_discharge_answers(n, sid, DISCHARGE_OK)
        self.at(self.clock.now() + timedelta(minutes=2))
        self.sessions.discharge(n, sid)
        body = "\n\n".join(f"{k + 1}. " + LONG_WORDS * 4 for k in range(paragraphs))
        self.notes.save_session_note(t, sid, body)
        return sid

    def cancelled_session(self, course_id: int, start: datetime) -> int:
        n = self.staff.nurse
        self.at(start)
        sid = self.sessions.schedule(n, course_id, start, "Room 3").id
        self.sessions.check_in(n, sid)
        self.at(start + timedelta(minutes=4))
        self.vitals.record(n, sid, 122, 80, pulse=104, spo2=98)
        self.sessions.cancel(n, sid, "Patient unwell (fever 38.4 °C); rescheduled.")
        return sid

    def simple_session(
        self,
        course_id: int,
        patient_id: int,
        start: datetime,
        *,
        phq9: tuple[int, int] | None = None,
        gad7: int | None = None,
        peak: tuple[int, int] = (150, 90),
        effects: tuple[str, ...] = (),
        amount: float = 0.5,
        recheck: tuple[int, int] | None = None,
    ) -> int:
        """A routine session: questionnaires, pre-dose, dose, 25 min, pre-discharge, discharge."""
        n, t = self.staff.nurse, self.staff.therapist
        self.at(start)
        if phq9 is not None:
            self.instruments.record(t, patient_id, "PHQ-9", phq9_answers(*phq9),
                                    course_id=course_id)  # fmt: skip
        if gad7 is not None:
            self.instruments.record(t, patient_id, "GAD-7", gad7_answers(gad7),
                                    course_id=course_id)  # fmt: skip
        sid = self.sessions.schedule(n, course_id, start, "Room 1").id
        self.sessions.check_in(n, sid)
        self.sessions.record_checklist(n, sid, {**YES_TO_ALL, "weight_kg": 70.0})
        self.vitals.record(n, sid, 124, 80, pulse=72, spo2=98)
        dose_at = self.at(start + timedelta(minutes=5))
        self.doses.record(n, sid, medication="racemic ketamine", route="im", amount=amount,
                          unit="mg/kg", lot_number=LOT)  # fmt: skip
        self.at(dose_at + timedelta(minutes=22))
        seen = [self.effects.record(t, sid, effect, severity="mild") for effect in effects]
        self.vitals.record(n, sid, *peak, pulse=88, spo2=97)
        if recheck is not None:  # the protocol's recheck after an alert reading
            self.at(dose_at + timedelta(minutes=27))
            self.vitals.record(n, sid, *recheck, pulse=84, spo2=97)
        self.at(dose_at + timedelta(minutes=100))
        for e in seen:  # unresolved effects keep discharge unmet
            self.effects.resolve(t, e.id)
        self.at(dose_at + timedelta(minutes=110))
        self.vitals.record(n, sid, 126, 80, pulse=70, spo2=98)
        self.sessions.record_discharge_answers(n, sid, DISCHARGE_OK)
        self.at(dose_at + timedelta(minutes=125))
        self.sessions.discharge(n, sid)
        return sid


# A six-session course: PHQ-9 19 -> 7 (response, no remission), item 9 at 1 twice.
COURSE_PLAN: tuple[dict[str, object], ...] = (
    {"phq9": (19, 1), "gad7": 15, "effects": ("nausea", "dizziness")},
    {"phq9": (16, 1), "gad7": 12, "effects": ("nausea",)},
    {
        "phq9": (13, 0),
        "gad7": 10,
        "peak": (184, 100),
        "recheck": (152, 90),
        "effects": ("dizziness",),
    },
    {"phq9": (10, 0), "gad7": 8, "effects": ("nausea",)},
    {"phq9": (8, 0), "gad7": 7},
    {"phq9": (7, 0), "gad7": 6, "effects": ("headache",)},
)


def build_course(
    clinic: Clinic, sessions: int = 6, first_day: date | None = None
) -> tuple[int, int]:
    """A patient with one course of ``sessions`` weekly sessions (plan repeats past six)."""
    first_day = first_day or clinic.clock.now().date()
    pid, cid = clinic.patient_and_course()
    for i in range(sessions):
        start = datetime.combine(first_day + timedelta(days=7 * i), T0.timetz())
        plan = dict(COURSE_PLAN[i % len(COURSE_PLAN)])
        clinic.simple_session(cid, pid, start, **plan)  # type: ignore[arg-type]
    return pid, cid
