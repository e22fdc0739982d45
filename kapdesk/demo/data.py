"""Tables behind the demo clinic (kapdesk.demo.small): people, regimens and texts.

Nothing here is a clinical default: doses and readings are *example data*
that the real services check against the shipped protocols like any input.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time
from typing import Final

from kapdesk.domain.permissions import Role

DEMO_PASSWORD: Final = "demo"
CLINIC_NAME: Final = "Lakeside Demo Clinic"
MAX_PATIENTS: Final = 500  # a typo guard for `kapdesk demo --patients`
OPENED_DAYS_AGO: Final = 180  # the staff accounts are made this long before ``today``

# username, full name (as signed), role
STAFF: Final = (
    ("admin", "Alex Morgan", Role.ADMIN),
    ("clinician", "Dr. Amara Okafor, MD", Role.CLINICIAN),
    ("therapist", "Mateo Fernández, LMFT", Role.THERAPIST),
    ("nurse", "Ingrid Solberg, RN", Role.NURSE),
)

# (given name, family name, sex). The first five are always in a demo of five or more.
SHOWCASE_NAMES: Final = (
    ("Conceição", "Simões", "female"),
    ("Jürgen", "Müller", "male"),
    ("Siobhán", "Ní Bhriain", "female"),
    ("Thị Lan", "Nguyễn", "female"),
    ("Zoë", "Åberg", "female"),
)
MORE_NAMES: Final = (
    ("Kwame", "Mensah", "male"),
    ("Aisha", "Rahman", "female"),
    ("Søren", "Østergaard", "male"),
    ("María José", "Ibáñez", "female"),
    ("Mehmet", "Yılmaz", "male"),
    ("Priya", "Raghunathan", "female"),
    ("Hiroshi", "Tanaka", "male"),
    ("Łucja", "Wiśniewska", "female"),
    ("Seán", "O'Brien", "male"),
    ("Chioma", "Eze", "female"),
    ("Björn", "Lindqvist", "male"),
    ("Ana Lúcia", "Ferreira", "female"),
    ("François", "Lefèvre", "male"),
    ("Eleni", "Papadopoulou", "female"),
    ("Rafael", "Guzmán-Ortiz", "male"),
    ("Fatima Zahra", "El Amrani", "female"),
    ("Marek", "Dvořák", "male"),
    ("Hannah", "Goldberg", "female"),
    ("Jamal", "Washington", "male"),
    ("Leilani", "Kahananui", "female"),
    ("Mei-Ling", "Chen", "female"),
    ("Robin", "Achterberg", "other"),
    ("Oskar", "Nyström", "male"),
    ("Camille", "Dubois", "female"),
    ("Dmitri", "Volkov", "male"),
)

# The big clinic's name pools: the small demo's people first, then more of mixed origins,
# a third with accents or letters Unicode does not decompose (ø, ł, ß), as a real clinic's
# list has.
_PEOPLE: Final = (*SHOWCASE_NAMES, *MORE_NAMES)
GIVEN_NAMES: Final = (
    *((given, sex) for given, _, sex in _PEOPLE),
    ("Emma", "female"), ("Liam", "male"), ("Olivia", "female"), ("Noah", "male"),
    ("Sophia", "female"), ("Lucas", "male"), ("Isabella", "female"), ("Mateo", "male"),
    ("Amelia", "female"), ("Elijah", "male"), ("Charlotte", "female"), ("James", "male"),
    ("Mia", "female"), ("Benjamin", "male"), ("Harper", "female"), ("Samuel", "male"),
    ("Evelyn", "female"), ("Daniel", "male"), ("Grace", "female"), ("Michael", "male"),
    ("Chloé", "female"), ("José", "male"), ("Inês", "female"), ("João", "male"),
    ("Agnieszka", "female"), ("Paweł", "male"), ("Ayşe", "female"), ("Çağrı", "male"),
    ("Nguyễn Anh", "female"), ("Trần Minh", "male"), ("Ngozi", "female"), ("Olumide", "male"),
    ("Sakura", "female"), ("Kenji", "male"), ("Ji-woo", "female"), ("Min-jun", "male"),
    ("Aarav", "male"), ("Ananya", "female"), ("Ravi", "male"), ("Deepika", "female"),
    ("Yusuf", "male"), ("Layla", "female"), ("Omar", "male"), ("Nour", "female"),
    ("Ingrid", "female"), ("Lars", "male"), ("Åsa", "female"), ("Håkon", "male"),
    ("Renée", "female"), ("Jérôme", "male"), ("Zsófia", "female"), ("Ádám", "male"),
    ("Dagný", "female"), ("Þór", "male"), ("Alex", "other"), ("Sam", "other"), ("Jordan", "other"),
    ("Kai", "other"), ("Tomás", "male"), ("Lucía", "female"), ("Gabriel", "male"),
    ("Valentina", "female"), ("Andrés", "male"), ("Martina", "female"), ("Nikolai", "male"),
    ("Anastasia", "female"), ("Wei", "male"), ("Xiu", "female"), ("Duc", "male"),
    ("Linh", "female"),
)  # fmt: skip
FAMILY_NAMES: Final = (
    *(family for _, family, _ in _PEOPLE),
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Schröder", "Weiß", "Straße", "Groß", "Kovačević",
    "Petrović", "Nowak", "Kowalczyk", "Łukasiewicz", "Żak", "Szabó", "Kovács", "Horváth", "Öztürk",
    "Şahin", "Çelik", "Kaya", "Demir", "Fernández", "González", "Martín", "Jiménez", "Muñoz",
    "Álvarez", "Romero", "Gómez", "Núñez", "Costa", "Santos", "Gonçalves", "Araújo", "Sørensen",
    "Jørgensen", "Hansen", "Bjørnsen", "Johansson", "Söderberg", "Virtanen", "Mäkinen", "Häkkinen",
    "Kim", "Park", "Choi", "Sato", "Suzuki", "Watanabe", "Patel", "Sharma", "Singh", "Iyer",
    "Okafor", "Adeyemi", "Okonkwo", "Haddad", "Khalil", "Mansour", "Cohen", "Levi", "Friedman",
    "MacDonald", "McCarthy", "Ó Súilleabháin", "Van der Berg", "De Vries", "D'Angelo", "Rossi",
    "Russo", "Bianchi", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Leclerc", "Moreau",
    "Lefebvre", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Trần",
    "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
)  # fmt: skip

ALLERGIES: Final = (
    "",
    "",
    "",
    "",
    "Penicillin (rash)",
    "Sulfonamides (hives)",
    "Latex",
    "Codeine (nausea and vomiting)",
    "Ibuprofen (bronchospasm)",
)
CONTRAINDICATIONS: Final = (
    "",
    "",
    "",
    "",
    "Hypertension, controlled on amlodipine 5 mg daily.",
    "Alcohol use disorder in sustained remission since 2019; watch for craving.",
    "Mild intermittent asthma; salbutamol inhaler carried.",
    "Hypothyroidism on levothyroxine; stable.",
    "Family history of bipolar disorder; no personal history of mania.",
)
COURSE_GOALS: Final = (
    "Treatment-resistant depression: bring PHQ-9 below 10 and return to work.",
    "Recurrent major depression after three antidepressant trials: reduce anhedonia.",
    "Depression with chronic pain: improve mood and sleep, re-engage with physiotherapy.",
    "Persistent depressive disorder: fewer low days, resume social contact.",
    "Treatment-resistant depression with anxiety: reduce PHQ-9 and GAD-7 by half.",
)


@dataclass(frozen=True)
class Regimen:
    """How one patient's course is dosed: protocol, route and the dose at each session."""

    protocol_id: str
    route: str
    medication: str
    unit: str  # DoseUnit value
    amounts: tuple[float, ...]  # session k gets amounts[min(k, len - 1)]
    booster: float | None  # an occasional top-up dose, in ``unit``
    lot_prefix: str
    given_by: Role


KAP_IM = Regimen(
    "kap-default",
    "im",
    "racemic ketamine",
    "mg_per_kg",
    (0.5, 0.6, 0.75, 0.75, 0.9, 0.9, 1.0),
    0.25,
    "KIM",
    Role.NURSE,
)
KAP_SL = Regimen(
    "kap-default",
    "sublingual",
    "racemic ketamine",
    "mg",
    (100, 150, 200, 200, 250, 300),
    100,
    "KSL",
    Role.NURSE,
)
SPRAVATO = Regimen(
    "spravato-rems", "intranasal", "esketamine", "device", (2, 2, 3), None, "ESK", Role.NURSE
)
IV_INFUSION = Regimen(
    "iv-infusion", "iv", "racemic ketamine", "mg_per_kg", (0.5,), None, "KIV", Role.CLINICIAN
)
SL_KAP = Regimen(
    "sublingual-kap",
    "sublingual",
    "racemic ketamine",
    "mg",
    (150, 200, 300),
    100,
    "TRO",
    Role.NURSE,
)
SL_KAP_BUCCAL = Regimen(
    "sublingual-kap", "buccal", "racemic ketamine", "mg", (100, 200, 200, 300), None, "TRO",
    Role.NURSE,
)  # fmt: skip

# Patient i gets REGIMENS[i % len]; the first five cover all four protocols.
REGIMENS: Final = (
    KAP_IM,
    SPRAVATO,
    IV_INFUSION,
    KAP_SL,
    SL_KAP,
    SPRAVATO,
    KAP_IM,
    IV_INFUSION,
    SL_KAP_BUCCAL,
    KAP_SL,
    SPRAVATO,
    KAP_IM,
)

# PHQ-9 course profiles: (name, baseline range, final total as a fraction of baseline).
PROFILES: Final = (
    ("responder", (15, 23), (0.25, 0.4)),
    ("non_responder", (14, 22), (0.8, 1.0)),
    ("remitter", (14, 20), (0.1, 0.2)),
    ("partial", (13, 19), (0.6, 0.7)),
    ("responder", (16, 24), (0.25, 0.4)),
    ("non_responder", (15, 21), (0.85, 1.05)),
    ("remitter", (15, 19), (0.1, 0.2)),
    ("non_responder", (13, 20), (0.8, 0.95)),
)
ITEM9_PATIENT: Final = 4  # this patient's PHQ-9 item 9 is above 0 at baseline, then resolves

# The day the demo is built: it ends at BUILD_END local time (or, for the app's
# --demo, at the moment it is built) with these sessions.
# (patient index, stage, minutes from the build's end to check-in / scheduled
# time or None = derived from the stage, room)
BUILD_END: Final = time(10, 0)
TODAY: Final = (
    (0, "discharged", -170, "Room 1"),
    (3, "monitoring", None, "Room 2"),
    (2, "pre_dose", None, "Infusion bay"),
    (1, "scheduled", 45, "Room 3"),
    (5, "scheduled", 210, "Room 4"),
)
# Features every demo of enough patients shows: (patient index, session index) -> feature.
FORCED: Final = {
    (0, 1): "late",
    (1, 1): "override",
    (3, 1): "booster",
    (0, 2): "recheck_clears",
    (4, 2): "withhold",
    (6, 1): "cancel",
    (5, 2): "alert",
    (7, 2): "override",
}
ALERT_PATIENT_BASELINE: Final = ((128, 134), (82, 86))

ROOMS: Final = ("Room 1", "Room 2", "Room 3", "Room 4")
CHECK_IN_TIMES: Final = tuple(
    time(h, m) for h, m in ((8, 0), (8, 30), (9, 0), (9, 30), (10, 0), (11, 0), (13, 0), (13, 30))
)
NOTE_TIMES: Final = tuple(time(h, m) for h, m in ((10, 0), (11, 30), (14, 0), (15, 30), (16, 30)))

# effect id, severity, intervention, resolves after (min range), routes (empty: any)
SIDE_EFFECTS: Final = (
    ("nausea", "mild", "", (15, 40), ()),
    ("nausea", "moderate", "Ondansetron 4 mg ODT", (20, 45), ()),
    ("dizziness", "mild", "", (20, 50), ()),
    ("dissociation", "moderate", "Reassurance; eyeshades and music", (30, 70), ()),
    ("headache", "mild", "Paracetamol 1 g PO", (30, 60), ()),
    ("anxiety", "moderate", "Grounding and paced breathing with the therapist", (10, 30), ()),
    ("blurred_vision", "mild", "", (20, 40), ()),
    ("sedation", "mild", "", (30, 60), ()),
    ("nasal_discomfort", "mild", "", (10, 30), ("intranasal",)),
    ("dysgeusia", "mild", "", (20, 40), ("intranasal",)),
)
ALERT_INTERVENTION: Final = "Rested supine in a dim room; BP repeated after 5 min"
DISSOCIATION_TEXTS: Final = (
    "Felt like floating above the couch; calm, spoke little.",
    "Described colours and a sense of distance from the body; not distressed.",
    "Time felt stretched; briefly unsure where the room was, reassured easily.",
    "Vivid images of childhood home; tearful at one point, then settled.",
    "Mild detachment only; chatted with the nurse throughout.",
)
SESSION_NOTES: Final = (
    "Arrived with partner, who is driving home. Checklist complete. {dose}. Settled quickly "
    "with eyeshades and music. {effects} Oriented and steady at discharge.",
    "Came in anxious about the session; intentions reviewed with the therapist. {dose}. "
    "{effects} Debrief: felt 'lighter' afterwards. Left with a friend.",
    "Routine session. {dose}. Quiet, inward experience, little talking. {effects} "
    "Walked unaided at discharge; sister collected.",
    "{dose}. Talked through memories of a difficult year; supportive presence only. "
    "{effects} Discharged after the observation period with a taxi booked by family.",
)
OVERRIDE_REASONS: Final = (
    "White-coat pattern: home readings 120s/80s for two weeks; no symptoms. Proceed, repeat "
    "BP at 20-30 min.",
    "Anxious on arrival, asymptomatic, no end-organ symptoms; benefit outweighs a transient "
    "rise. Close monitoring.",
)
WITHHOLD_REASON: Final = (
    "BP stayed above 140/90 after rest and a recheck, with a headache; dose withheld and "
    "GP review of blood pressure requested."
)
CANCEL_REASON: Final = "Patient unwell with a chest infection; session rebooked for next week."
COURSE_END_REASON: Final = "Planned course completed; follow-up PHQ-9 in 3 months."

THEMES: Final = (
    "Saw the depression 'from the outside' for the first time; grief about the years lost.",
    "Strong sense of connection with family; wants to repair contact with a brother.",
    "Recurring image of a locked door that opened; linked it to shame about leaving work.",
    "Little content recalled; mostly bodily calm. Explored what 'calm' could mean day to day.",
    "Self-critical voice much quieter during the session; curious where it went.",
)
CHANGES_BETTER: Final = (
    "Mood brighter most days; sleeping 6-7 hours; walked the dog daily.",
    "Less morning dread; went back to choir practice.",
    "Partner noticed more laughter; appetite back to normal.",
)
CHANGES_SAME: Final = (
    "Brief lift for two days, then back to low mood; sleep still broken.",
    "No clear change yet; still withdrawing in the evenings.",
    "Some days better, most the same; energy low.",
)
PLANS: Final = (
    "Daily 10-minute walk and journaling; behavioural activation list reviewed.",
    "Practise the breathing exercise before bed; call a friend once this week.",
    "Keep a mood diary; bring two moments of pleasure to the next session.",
)
RISK_CLEAR: Final = "No suicidal ideation, self-harm or craving reported; safety plan unchanged."
RISK_ITEM9: Final = (
    "PHQ-9 item 9 answered above 0 at baseline: passive thoughts of being better off dead, no "
    "plan or intent. Safety plan reviewed; clinician informed."
)

# Signing: a session is signed by the clinician soon after discharge once it is this many
# days old (the newest stay unsigned, as on a real clinic's handover list); integration
# notes older than a week are signed by their author. Some signed records carry an
# addendum (a later fact, never an edit), some of those signed too.
SIGN_SESSIONS_AFTER_DAYS: Final = 2
SESSION_ADDENDA: Final = (
    "Follow-up call the next morning: mild headache overnight, settled with paracetamol; "
    "slept well. No other after-effects.",
    "Patient phoned the next day: nausea in the car home, resolved by the evening. Ride home "
    "was with her sister as documented.",
    "Correction: the pre-dose weight was taken with outdoor shoes on (about 1 kg). Dose "
    "calculation unaffected; noted for the next session.",
)
NOTE_ADDENDA: Final = (
    "Patient emailed two days later: kept the walk going on 4 of 5 days; asks to review the "
    "journaling prompts next time.",
    "Clarification: 'family' in the themes above refers to the patient's adult children, not "
    "the partner.",
)


def item_answers(rng: random.Random, total: int, count: int, item9: int | None = None) -> list[int]:
    """``count`` answers (0-3 each) adding up to ``total``; with ``item9`` the last is fixed."""
    answers = [0] * count
    free = count
    if item9 is not None:
        answers[-1] = item9
        free -= 1
        total -= item9
    for _ in range(max(0, min(total, 3 * free))):
        answers[rng.choice([i for i in range(free) if answers[i] < 3])] += 1
    return answers
