"""What a clinic protocol holds: phases, bands, routes, rules and the Protocol itself.

Plain frozen dataclasses; ``kapdesk.domain.protocol_parse`` builds them from a
protocol file and ``kapdesk.domain.protocol`` is the module callers import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from kapdesk.domain.wording import Wording
from kapdesk.i18n import ENGLISH, N_, _, current


class Phase(StrEnum):
    PRE_DOSE = "pre_dose"
    POST_DOSE = "post_dose"
    ANY = "any"


class Band(StrEnum):
    """Classification of a reading, in rising order of concern."""

    NORMAL = "normal"
    ELEVATED = "elevated"
    ALERT = "alert"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _BAND_RANK[self]


_BAND_RANK = {Band.NORMAL: 0, Band.ELEVATED: 1, Band.ALERT: 2, Band.CRITICAL: 3}
# The band as a word in a sentence about a reading ('is elevated', 'Elevated – ...').
_BAND_WORDS = {
    Band.NORMAL: N_("normal"),
    Band.ELEVATED: N_("elevated"),
    Band.ALERT: N_("alert"),
    Band.CRITICAL: N_("critical"),
}


def band_word(band: Band) -> Wording:
    """'elevated' (its value), shown in the active language: stored texts keep English."""
    return Wording(_BAND_WORDS[Band(band)])


class Route(StrEnum):
    IV = "iv"
    IM = "im"
    SC = "sc"
    SUBLINGUAL = "sublingual"
    BUCCAL = "buccal"
    INTRANASAL = "intranasal"
    ORAL = "oral"


class Anchor(StrEnum):
    """What a scheduled reading's time is counted from."""

    PRE_DOSE = "pre_dose"  # before the first dose
    FIRST_DOSE = "first_dose"  # minutes after the first dose
    EACH_DOSE = "each_dose"  # minutes after every dose, boosters included
    DISCHARGE = "discharge"  # the last reading before discharge
    RECHECK = "recheck"  # computed from a rule's repeat_after_min; never in a protocol file


@dataclass(frozen=True)
class VitalRule:
    """One threshold rule; it fires when ANY of its conditions holds."""

    id: str
    phase: Phase
    band: Band
    action: str
    systolic_gte: int | None = None
    systolic_gt: int | None = None
    diastolic_gte: int | None = None
    diastolic_gt: int | None = None
    pulse_gt: int | None = None
    spo2_lt: int | None = None
    repeat_after_min: int | None = None
    escalate_after_consecutive: int | None = None
    # post-dose rise above the pre-dose baseline (the latest pre-dose reading), mmHg
    systolic_rise_gte: int | None = None
    diastolic_rise_gte: int | None = None

    def describe(self) -> Wording:
        """Human-readable condition, e.g. 'systolic ≥ 140 or diastolic ≥ 90 mmHg'. Kept in
        stored assessments: English, shown translated (kapdesk.domain.wording)."""
        parts: list[Wording] = []
        if self.systolic_gte is not None:
            parts.append(Wording(N_("systolic ≥ {value}"), value=self.systolic_gte))
        if self.systolic_gt is not None:
            parts.append(Wording(N_("systolic > {value}"), value=self.systolic_gt))
        if self.diastolic_gte is not None:
            parts.append(Wording(N_("diastolic ≥ {value}"), value=self.diastolic_gte))
        if self.diastolic_gt is not None:
            parts.append(Wording(N_("diastolic > {value}"), value=self.diastolic_gt))
        conditions: list[Wording] = []
        if parts:
            conditions.append(
                Wording(N_("{conditions} mmHg"), conditions=Wording.joined(OR, parts))
            )
        if self.pulse_gt is not None:
            conditions.append(Wording(N_("pulse > {value}/min"), value=self.pulse_gt))
        if self.spo2_lt is not None:
            conditions.append(Wording(N_("SpO2 < {value} %"), value=self.spo2_lt))
        rise = [
            Wording(N_("systolic ≥ {value}"), value=self.systolic_rise_gte)
            if self.systolic_rise_gte is not None
            else None,
            Wording(N_("diastolic ≥ {value}"), value=self.diastolic_rise_gte)
            if self.diastolic_rise_gte is not None
            else None,
        ]
        risen = [r for r in rise if r is not None]
        if risen:
            conditions.append(
                Wording(
                    N_("{conditions} mmHg above the pre-dose baseline"),
                    conditions=Wording.joined(OR, risen),
                )
            )
        return Wording.joined(OR, conditions)


OR = N_(" or ")  # between a rule's conditions


class Labelled:
    """An item with a label people read (schedule, checklist, discharge, side effects):
    ``label`` is the protocol's English, ``labels`` its translations from the file's
    ``"label.pt-PT" = ...`` keys (language, text)."""

    label: str
    labels: tuple[tuple[str, str], ...]

    def shown_label(self) -> str:
        """The label in the active language: the file's own translation, else the shipped
        catalogue's translation of the English label (the presets' labels are there, so
        their pinned text never changes), else the English."""
        language = current()
        if language == ENGLISH:
            return self.label
        return dict(self.labels).get(language) or _(self.label)


@dataclass(frozen=True)
class ScheduledReading(Labelled):
    """A reading the protocol asks for, with its window in minutes from its anchor.

    FIRST_DOSE / EACH_DOSE: due ``from_min`` minutes after the dose, overdue
    once ``to_min`` has passed (20-30 min: due from 20:00, overdue from 30:01).
    With ``repeat_every_min`` the window repeats ``repeat_count`` times.
    PRE_DOSE: due until the first dose; the window numbers are unused.
    DISCHARGE: ``from_min`` is a lead time: due from ``from_min`` minutes before
    the minimum observation ends; only readings from then on satisfy it.
    """

    id: str
    label: str
    anchor: Anchor
    from_min: int = 0
    to_min: int = 0
    repeat_every_min: int = 0
    repeat_count: int = 1
    # Conditional reading: listed only when one of these holds (SCHEDULE_CONDITIONS);
    # empty: always listed.
    when: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()


# What a conditional schedule item may depend on (services work these out per session).
SCHEDULE_CONDITIONS = ("elevated_baseline", "first_session", "dose_increase")


@dataclass(frozen=True)
class ChecklistItem(Labelled):
    id: str
    label: str
    kind: str = "yes_no"  # "yes_no" or "number"
    required: bool = True
    unit: str = ""
    routes: tuple[Route, ...] = ()  # empty: every route
    # true: the dose is refused until answered yes or a clinician overrides it (with a
    # reason); false (yes/no items): an answer other than yes is a warning acknowledged
    # with the dose.
    blocks_dose: bool = False
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DischargeCriterion(Labelled):
    id: str
    label: str
    computed: str = ""  # "" (staff confirm) or one of COMPUTED_CRITERIA
    labels: tuple[tuple[str, str], ...] = ()


# Criteria kapdesk works out from the record (kapdesk.domain.discharge evaluates them).
COMPUTED_CRITERIA = (
    "vitals_acceptable",
    "min_observation",
    "readings_taken",
    "side_effects_resolved",
)


@dataclass(frozen=True)
class SideEffectDef(Labelled):
    id: str
    label: str
    routes: tuple[Route, ...] = ()  # empty: every route
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DoseLimit:
    """Per-dose maxima (above: a clinician's recorded confirmation), the absolute
    ceiling (above: refused, no confirmation passes), the amount below which a dose is
    questioned (a typo guard) and, optionally, a maximum for the session's total on the
    route. Ceiling and question thresholds default (when a file omits them) to twice and
    one tenth of the maximum: safety defaults, not from a source."""

    route: Route
    max_mg: float | None = None
    max_mg_per_kg: float | None = None
    ceiling_mg: float | None = None
    ceiling_mg_per_kg: float | None = None
    question_below_mg: float | None = None
    question_below_mg_per_kg: float | None = None
    session_max_mg: float | None = None


@dataclass(frozen=True)
class Protocol:
    id: str
    version: str
    title: str
    source: str
    medications: tuple[str, ...]
    routes: tuple[Route, ...]
    vital_rules: tuple[VitalRule, ...]
    schedule: tuple[ScheduledReading, ...]
    min_observation_min: Mapping[Route, int]
    checklist: tuple[ChecklistItem, ...]
    discharge: tuple[DischargeCriterion, ...]
    side_effects: tuple[SideEffectDef, ...]
    dose_limits: Mapping[Route, DoseLimit]
    intranasal_device_mg: float = 28.0
    recheck_after_min: int = 5
    # [dosing]: medications that may be given as nasal devices; the least time between
    # devices (a shorter gap is warned); the post-dose bands that gate every further dose.
    device_medications: tuple[str, ...] = ("esketamine",)
    device_gap_min: int = 5
    booster_gate_bands: tuple[Band, ...] = (Band.ALERT, Band.CRITICAL)
    recheck_window_min: int = 5  # a rule's recheck is due for this long, then overdue
    missed_after_min: int = 15  # an overdue reading is missed this long after its window
    # [observation]: discharge also needs this long after the last dose (a booster restarts it)
    min_after_last_dose_min: int = 60
    acute_weeks: int = 8  # [outcomes]: a course's endpoint is its last PHQ-9 within these weeks
    deterioration_rise: int = 5  # [outcomes]: a follow-up this many points above the endpoint
    file: str = field(default="", compare=False)
    text: str = field(default="", compare=False, repr=False)  # the file's exact text
    sha256: str = field(default="", compare=False)  # protocol_hash(text): what a course pins

    @property
    def label(self) -> str:
        """'kap-default v1.0' - what alerts and PDFs print as provenance."""
        return f"{self.id} v{self.version}"

    @property
    def fingerprint(self) -> str:
        """The first 12 hex digits of the content hash, printed next to the label."""
        return self.sha256[:12]

    def rules_for(self, phase: Phase) -> tuple[VitalRule, ...]:
        return tuple(r for r in self.vital_rules if r.phase in (phase, Phase.ANY))

    def min_observation_for(self, route: Route) -> int:
        try:
            return self.min_observation_min[route]
        except KeyError:
            return max(self.min_observation_min.values(), default=0)

    def side_effects_for(self, route: Route | None) -> tuple[SideEffectDef, ...]:
        return tuple(s for s in self.side_effects if not s.routes or route in s.routes)

    def checklist_for(self, route: Route | None) -> tuple[ChecklistItem, ...]:
        return tuple(c for c in self.checklist if not c.routes or route in c.routes)
