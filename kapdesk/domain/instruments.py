"""Rating instruments: PHQ-9, GAD-7, MOAA/S, and the outcome of a course.

These are published instrument definitions (item texts, score ranges, severity
bands and their sources), not clinic settings, so they live here as frozen data.
PHQ-9 and GAD-7 are reproduced unchanged with their attribution, as their
authors require. Every score carries the rule that produced it, with its source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from kapdesk.domain.errors import ValidationError

PHQ_GAD_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)

FREQUENCY_LABELS: tuple[str, ...] = (
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
)

DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you "
    "to do your work, take care of things at home, or get along with other people?"
)
DIFFICULTY_LABELS: tuple[str, ...] = (
    "Not difficult at all",
    "Somewhat difficult",
    "Very difficult",
    "Extremely difficult",
)


@dataclass(frozen=True)
class SeverityBand:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Instrument:
    """One questionnaire scored as the sum of its items, each 0-3."""

    code: str
    title: str
    stem: str
    items: tuple[str, ...]
    bands: tuple[SeverityBand, ...]
    band_source: str  # short citation printed with every band, e.g. "Kroenke 2001"
    reference: str  # full citation
    loinc_total: str
    loinc_panel: str = ""
    answer_labels: tuple[str, ...] = FREQUENCY_LABELS
    difficulty_question: str = DIFFICULTY_QUESTION  # asked, never scored
    difficulty_labels: tuple[str, ...] = DIFFICULTY_LABELS
    attribution: str = PHQ_GAD_ATTRIBUTION
    # 1-based item numbers where any answer above 0 needs clinician follow-up.
    follow_up_items: tuple[int, ...] = ()
    # Version of this scoring (items, range, bands); stored with every result it scores.
    version: str = "1"

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def max_item(self) -> int:
        return len(self.answer_labels) - 1

    @property
    def max_total(self) -> int:
        return self.item_count * self.max_item

    def band_for(self, total: int) -> SeverityBand:
        """The severity band of a total; ValidationError outside 0..max_total."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValidationError(
            f"{self.code} total",
            total,
            f"{self.code} total {total} is outside the allowed range 0-{self.max_total}.",
        )

    @property
    def scoring_rule(self) -> str:
        """Stored with each result: 'PHQ-9 v1 (Kroenke 2001): 0-4 minimal, 5-9 mild, ...'."""
        bands = ", ".join(f"{b.low}-{b.high} {b.label}" for b in self.bands)
        return f"{self.code} v{self.version} ({self.band_source}): {bands}"

    def rule_text(self, band: SeverityBand) -> str:
        """Provenance of a band, e.g. 'PHQ-9 10-14: moderate (Kroenke 2001)'."""
        return f"{self.code} {band.low}-{band.high}: {band.label} ({self.band_source})"


PHQ9 = Instrument(
    code="PHQ-9",
    title="Patient Health Questionnaire (PHQ-9)",
    stem=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself "
        "or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the "
        "opposite — being so fidgety or restless that you have been moving around a lot "
        "more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=(
        SeverityBand(0, 4, "minimal"),
        SeverityBand(5, 9, "mild"),
        SeverityBand(10, 14, "moderate"),
        SeverityBand(15, 19, "moderately severe"),
        SeverityBand(20, 27, "severe"),
    ),
    band_source="Kroenke 2001",
    reference=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression "
        "severity measure. J Gen Intern Med 2001;16(9):606-613."
    ),
    loinc_total="44261-6",
    loinc_panel="44249-1",
    follow_up_items=(9,),
)

GAD7 = Instrument(
    code="GAD-7",
    title="Generalized Anxiety Disorder 7-item scale (GAD-7)",
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    bands=(
        SeverityBand(0, 4, "minimal"),
        SeverityBand(5, 9, "mild"),
        SeverityBand(10, 14, "moderate"),
        SeverityBand(15, 21, "severe"),
    ),
    band_source="Spitzer 2006",
    reference=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
        "generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097."
    ),
    loinc_total="70274-6",
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType({i.code: i for i in (PHQ9, GAD7)})


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def get_instrument(code: str) -> Instrument:
    """Look up an instrument by code; 'PHQ-9', 'phq9' and 'Phq-9' all work."""
    wanted = _normalise_code(code)
    for instrument in INSTRUMENTS.values():
        if _normalise_code(instrument.code) == wanted:
            return instrument
    known = ", ".join(INSTRUMENTS)
    raise ValidationError(
        "Instrument", code, f"Instrument '{code}' is not known; choose one of {known}."
    )


@dataclass(frozen=True)
class InstrumentScore:
    code: str
    answers: tuple[int, ...]
    total: int
    max_total: int
    band: str  # e.g. "moderately severe"
    band_rule: str  # e.g. "PHQ-9 15-19: moderately severe (Kroenke 2001)"
    scoring_rule: str  # instrument, version and bands: Instrument.scoring_rule
    item9_flag: bool = False  # PHQ-9 item 9 > 0: always flag for clinician follow-up
    follow_up: tuple[str, ...] = ()  # one sentence per flagged item


def score_instrument(code: str, answers: Sequence[int]) -> InstrumentScore:
    """Validate the item answers (exact count, each 0-3) and score them."""
    instrument = get_instrument(code)
    name = instrument.code
    if isinstance(answers, str | bytes):
        raise ValidationError(
            f"{name} answers", answers, f"{name} answers must be a list of whole numbers."
        )
    values = list(answers)
    if len(values) != instrument.item_count:
        raise ValidationError(
            f"{name} answers",
            len(values),
            f"{name} needs exactly {instrument.item_count} answers, got {len(values)}.",
        )
    for number, value in enumerate(values, start=1):
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= instrument.max_item
        ):
            raise ValidationError(
                f"{name} item {number}",
                value,
                f"{name} item {number} answer {value!r} is outside the allowed range "
                f"0-{instrument.max_item}.",
            )
    total = sum(values)
    band = instrument.band_for(total)
    follow_up = tuple(
        f"{name} item {n} answered {values[n - 1]} ({instrument.answer_labels[values[n - 1]]}): "
        "needs clinician follow-up."
        for n in instrument.follow_up_items
        if values[n - 1] > 0
    )
    return InstrumentScore(
        code=name,
        answers=tuple(values),
        total=total,
        max_total=instrument.max_total,
        band=band.label,
        band_rule=instrument.rule_text(band),
        scoring_rule=instrument.scoring_rule,
        item9_flag=instrument is PHQ9 and values[8] > 0,
        follow_up=follow_up,
    )


# ------------------------------------------------------------------------ MOAA/S

MOAAS_SOURCE = (
    "Modified Observer's Assessment of Alertness/Sedation (Chernik 1990); "
    "sedation monitoring on the esketamine label"
)

MOAAS_LEVELS: Mapping[int, str] = MappingProxyType(
    {
        5: "Responds readily to name spoken in normal tone",
        4: "Lethargic response to name spoken in normal tone",
        3: "Responds only after name is called loudly and/or repeatedly",
        2: "Responds only after mild prodding or shaking",
        1: "Responds only after painful trapezius squeeze",
        0: "No response after painful trapezius squeeze",
    }
)


@dataclass(frozen=True)
class MoaasLevel:
    score: int
    label: str


def validate_moaas(score: int) -> MoaasLevel:
    """A MOAA/S score 0-5 with the label of its level."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in MOAAS_LEVELS:
        raise ValidationError(
            "MOAA/S",
            score,
            f"MOAA/S {score!r} is outside the allowed range 0-5 "
            "(5 responds readily to name, 0 no response to painful stimulus).",
        )
    return MoaasLevel(score, MOAAS_LEVELS[score])


# -------------------------------------------------------------- course outcome


@dataclass(frozen=True)
class OutcomeRule:
    """The published definitions of response and remission on PHQ-9."""

    instrument: Instrument
    response_drop_percent: int  # response: total fell by at least this much from baseline
    remission_below: int  # remission: latest total below this
    source: str


PHQ9_OUTCOME = OutcomeRule(
    instrument=PHQ9,
    response_drop_percent=50,
    remission_below=5,
    source="response = PHQ-9 fell ≥ 50 % from baseline; remission = PHQ-9 < 5",
)


@dataclass(frozen=True)
class Outcome:
    baseline_total: int
    latest_total: int
    percent_change: float | None  # negative = improvement; None when baseline is 0
    response: bool
    remission: bool
    note: str  # one sentence for reports, e.g. why percent change is missing

    @property
    def summary(self) -> str:
        change = "n/a" if self.percent_change is None else f"{self.percent_change:+.1f} %"
        parts = [
            f"PHQ-9 {self.baseline_total} → {self.latest_total} ({change})",
            "response" if self.response else "no response",
            "remission" if self.remission else "no remission",
        ]
        return "; ".join(parts) + "."


def _check_total(rule: OutcomeRule, label: str, total: int) -> None:
    top = rule.instrument.max_total
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= top:
        raise ValidationError(
            label, total, f"{label} {total!r} is outside the allowed range 0-{top}."
        )


def course_outcome(
    baseline_total: int, latest_total: int, *, rule: OutcomeRule = PHQ9_OUTCOME
) -> Outcome:
    """Percent change, response and remission between a baseline and a later PHQ-9."""
    _check_total(rule, "Baseline PHQ-9", baseline_total)
    _check_total(rule, "Latest PHQ-9", latest_total)
    remission = latest_total < rule.remission_below
    if baseline_total == 0:
        return Outcome(
            baseline_total,
            latest_total,
            percent_change=None,
            response=False,
            remission=remission,
            note="Baseline PHQ-9 is 0, so percent change and response cannot be computed.",
        )
    drop = baseline_total - latest_total
    # Integer comparison so that exactly 50 % is a response with no float rounding.
    response = drop * 100 >= rule.response_drop_percent * baseline_total
    return Outcome(
        baseline_total,
        latest_total,
        percent_change=(latest_total - baseline_total) * 100 / baseline_total,
        response=response,
        remission=remission,
        note=rule.source,
    )
