"""What happens in one dosing session, decided the same way for both writers.

The vitals a patient shows before and after a dose, the checklist, side effects and their
course, observations, lot numbers and the texts of session and integration notes. The
small demo's writer (:mod:`kapdesk.demo.small_session`) turns each decision into a service
call, the bulk writer (:mod:`kapdesk.demo.bulk_session`) into rows; both draw from the
``random.Random`` they pass in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Protocol

from kapdesk.demo import data
from kapdesk.domain.dosing import ROUTE_LABELS, DoseUnit
from kapdesk.domain.protocol import Protocol as DosingProtocol
from kapdesk.domain.protocol import Route

Vitals = tuple[int, int, int, int]  # systolic, diastolic, pulse, SpO2


def local_time(day: date, at: time) -> datetime:
    """``at`` on ``day`` in the computer's time zone (the clinic's hours), as aware UTC."""
    return datetime.combine(day, at).astimezone().astimezone(UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@dataclass
class Person:
    """Who a planned patient is, as both patient planners decide it."""

    index: int
    given: str
    family: str
    sex: str
    mrn: str
    born: date
    weight: float
    bp: tuple[int, int]  # usual systolic, diastolic
    pulse: int
    spo2: int
    allergies: str
    contraindications: str
    item9: bool  # PHQ-9 item 9 above 0 at baseline


class Usual(Protocol):
    """A patient's usual vital signs (both writers' patient plans have them)."""

    @property
    def bp(self) -> tuple[int, int]: ...  # systolic, diastolic
    @property
    def pulse(self) -> int: ...
    @property
    def spo2(self) -> int: ...


def weight_kg(rng: random.Random, sex: str) -> float:
    return round(rng.uniform(52, 88) if sex == "female" else rng.uniform(62, 112), 1)


def birth_date(rng: random.Random, today: date, oldest: int) -> date:
    age = rng.randint(22, oldest)
    return date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))


def checklist(protocol: DosingProtocol, route: Route) -> dict[str, bool | float | None]:
    """Every yes/no item of the pre-dose checklist ticked (the weight is added to it)."""
    return {c.id: True for c in protocol.checklist_for(route) if c.kind != "number"}


def day_weight(rng: random.Random, usual_kg: float) -> float:
    """The weight taken at check-in: the usual one, give or take."""
    return round(usual_kg + rng.uniform(-1.5, 1.5), 1)


def discharge_answers(protocol: DosingProtocol) -> dict[str, bool]:
    return {c.id: True for c in protocol.discharge if not c.computed}


def pre_dose_vitals(rng: random.Random, usual: Usual, elevated: bool) -> Vitals:
    if elevated:
        sys_, dia = rng.randint(141, 156), rng.randint(86, 97)
    else:
        sys_ = min(usual.bp[0] + rng.randint(-6, 6), 136)
        dia = min(usual.bp[1] + rng.randint(-4, 4), 87)
    return sys_, dia, usual.pulse + rng.randint(-4, 8), usual.spo2


def post_dose_vitals(rng: random.Random, usual: Usual, after_min: float) -> Vitals:
    """BP rises to a peak ~40 min after dosing, then settles (Yale series shape)."""
    shape = after_min / 40 if after_min < 40 else max(0.0, 1 - (after_min - 40) / 100)
    sys_ = usual.bp[0] + round(rng.randint(8, 22) * shape) + rng.randint(-4, 4)
    dia = usual.bp[1] + round(rng.randint(5, 13) * shape) + rng.randint(-3, 3)
    pulse = usual.pulse + round(8 * shape) + rng.randint(-4, 4)
    return min(sys_, 176), min(dia, 106), min(pulse, 108), min(99, usual.spo2 - rng.randint(0, 2))


def alert_vitals(rng: random.Random, usual: Usual) -> Vitals:
    """A post-dose reading in the alert band (a hypertensive peak)."""
    return rng.randint(182, 190), rng.randint(104, 112), 96, usual.spo2


def lot_number(rng: random.Random, regimen: data.Regimen, year: int, k: int) -> str:
    return f"{regimen.lot_prefix}-{year % 100:02d}{rng.randint(1, 52):02d}-{k + 1}"


def dose_text(regimen: data.Regimen, amount: float, *, boosted: bool) -> str:
    """ "0.5 mg/kg IM racemic ketamine with a booster", as a session note names it."""
    unit = DoseUnit(regimen.unit).label
    text = f"{amount:g} {unit} {ROUTE_LABELS[Route(regimen.route)]} {regimen.medication}"
    return text + " with a booster" if boosted else text


def session_note_template(rng: random.Random, dose: str) -> str:
    """A session note with the dose filled in; ``{effects}`` is left for :func:`note_body`."""
    return rng.choice(data.SESSION_NOTES).replace("{dose}", dose.capitalize())


WITHHELD_NOTE: Final = "Dose withheld: pre-dose BP stayed elevated after rest. {effects}"


def note_body(template: str, effects: list[str]) -> str:
    said = (
        f"Side effects: {'; '.join(effects)}; all settled before discharge."
        if effects
        else "No side effects."
    )
    return template.replace("{effects}", said)


@dataclass(frozen=True)
class SideEffectPlan:
    effect_id: str
    severity: str
    intervention: str
    onset: datetime
    resolved: datetime

    def phrase(self) -> str:
        """How the session note names it."""
        label = self.effect_id.replace("_", " ")
        return f"{label} ({self.severity}{', ' + self.intervention if self.intervention else ''})"


def side_effects(
    rng: random.Random, route: str, first_dose: datetime, discharge: datetime
) -> list[SideEffectPlan]:
    """None to two of the route's side effects, each settled five minutes before discharge."""
    options = [e for e in data.SIDE_EFFECTS if not e[4] or route in e[4]]
    chosen: dict[str, tuple[str, str, str, tuple[int, int], tuple[str, ...]]] = {}
    for _ in range(rng.choice((0, 1, 1, 2))):
        option = rng.choice(options)
        chosen.setdefault(option[0], option)
    plans = []
    for effect_id, severity, intervention, (lo, hi), _ in chosen.values():
        onset = first_dose + minutes(rng.randint(5, 40))
        resolved = min(onset + minutes(rng.randint(lo, hi)), discharge - minutes(5))
        plans.append(SideEffectPlan(effect_id, severity, intervention, onset, resolved))
    return plans


ALERT_EFFECT: Final = "elevated blood pressure (moderate, rest)"


def observations(rng: random.Random) -> tuple[int, bool, str]:
    """MOAA/S score at 15 min; dissociation at 30 min: present?, what the nurse wrote."""
    moaas = rng.choice((5, 4, 4, 3))
    present = rng.random() < 0.65
    return moaas, present, rng.choice(data.DISSOCIATION_TEXTS) if present else ""


def integration_sections(rng: random.Random, *, improving: bool, item9: bool) -> dict[str, str]:
    """An integration note's sections; ``item9``: the PHQ-9's item 9 was above 0."""
    return {
        "themes": rng.choice(data.THEMES),
        "changes": rng.choice(data.CHANGES_BETTER if improving else data.CHANGES_SAME),
        "plan": rng.choice(data.PLANS),
        "risk": data.RISK_ITEM9 if item9 else data.RISK_CLEAR,
    }
