"""Rating instruments: PHQ-9, GAD-7, MOAA/S, and the outcome of a course.

These are published instrument definitions (item texts, score ranges, severity
bands and their sources), not clinic settings, so they live here as frozen data.
PHQ-9 and GAD-7 are reproduced unchanged with their attribution, as their
authors require. Every score carries the rule that produced it, with its source.

Languages: the PHQ-9 and GAD-7 items, stem, answer options, difficulty question, titles
and attribution stay the published English in every language. A validated European
Portuguese wording exists (phqscreeners.com distributes translations; Portuguese
validation studies) but kapdesk holds no copy of that exact text whose source it can
name, and a paraphrase is not the validated instrument. What is kapdesk's own frame is
translated: severity bands (:meth:`SeverityBand.shown_label`; the stored band stays
English), totals and rules, messages, MOAA/S's observer anchors (:func:`moaas_label`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _
from kapdesk.i18n import formats as locale_formats

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
    label: str  # English: what a result stores

    @property
    def shown_label(self) -> str:
        """The band in the active language ('moderada')."""
        return _(self.label)


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
            _(
                "{code} total {total} is outside the allowed range 0-{maximum}.",
                code=self.code,
                total=total,
                maximum=self.max_total,
            ),
        )

    @property
    def scoring_rule(self) -> str:
        """Stored with each result: 'PHQ-9 v1 (Kroenke 2001): 0-4 minimal, 5-9 mild, ...'."""
        bands = ", ".join(f"{b.low}-{b.high} {b.label}" for b in self.bands)
        return f"{self.code} v{self.version} ({self.band_source}): {bands}"

    def rule_text(self, band: SeverityBand) -> Wording:
        """Provenance of a band, e.g. 'PHQ-9 10-14: moderate (Kroenke 2001)' (a scored
        result is reused: shown in the language of whoever reads it)."""
        return Wording(
            N_("{code} {low}-{high}: {band} ({source})"),
            code=self.code,
            low=band.low,
            high=band.high,
            band=Wording(band.label),
            source=self.band_source,
        )


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
        SeverityBand(0, 4, N_("minimal")),
        SeverityBand(5, 9, N_("mild")),
        SeverityBand(10, 14, N_("moderate")),
        SeverityBand(15, 19, N_("moderately severe")),
        SeverityBand(20, 27, N_("severe")),
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
        SeverityBand(0, 4, N_("minimal")),
        SeverityBand(5, 9, N_("mild")),
        SeverityBand(10, 14, N_("moderate")),
        SeverityBand(15, 21, N_("severe")),
    ),
    band_source="Spitzer 2006",
    reference=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
        "generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097."
    ),
    loinc_total="70274-6",
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType({i.code: i for i in (PHQ9, GAD7)})


def shown_scoring_rule(stored: str) -> str:
    """A result's stored scoring rule as the reader reads it: the band names in their
    language when it is one of kapdesk's own rules ('0-4 mínima, ...'), else as stored."""
    for instrument in INSTRUMENTS.values():
        if stored == instrument.scoring_rule:
            bands = ", ".join(f"{b.low}-{b.high} {_(b.label)}" for b in instrument.bands)
            return f"{instrument.code} v{instrument.version} ({instrument.band_source}): {bands}"
    return stored


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
        "Instrument",
        code,
        _("Instrument '{code}' is not known; choose one of {known}.", code=code, known=known),
    )


@dataclass(frozen=True)
class InstrumentScore:
    code: str
    answers: tuple[int, ...]
    total: int
    max_total: int
    band: str  # e.g. "moderately severe" (English: stored; SeverityBand.shown_label)
    band_rule: str  # e.g. "PHQ-9 15-19: moderately severe (Kroenke 2001)" (a Wording)
    scoring_rule: str  # instrument, version and bands: Instrument.scoring_rule (stored)
    item9_flag: bool = False  # PHQ-9 item 9 > 0: always flag for clinician follow-up
    follow_up: tuple[str, ...] = ()  # one sentence per flagged item (Wordings)


def score_instrument(code: str, answers: Sequence[int]) -> InstrumentScore:
    """Validate the item answers (exact count, each 0-3) and score them."""
    instrument = get_instrument(code)
    name = instrument.code
    if isinstance(answers, str | bytes):
        raise ValidationError(
            f"{name} answers",
            answers,
            _("{code} answers must be a list of whole numbers.", code=name),
        )
    values = list(answers)
    if len(values) != instrument.item_count:
        raise ValidationError(
            f"{name} answers",
            len(values),
            _(
                "{code} needs exactly {count} answers, got {n}.",
                code=name,
                count=instrument.item_count,
                n=len(values),
            ),
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
                _(
                    "{code} item {number} answer {value} is outside the allowed range 0-{maximum}.",
                    code=name,
                    number=number,
                    value=repr(value),
                    maximum=instrument.max_item,
                ),
            )
    total = sum(values)
    band = instrument.band_for(total)
    follow_up = tuple(
        Wording(
            N_("{code} item {number} answered {value} ({answer}): needs clinician follow-up."),
            code=name,
            number=n,
            value=values[n - 1],
            answer=instrument.answer_labels[values[n - 1]],
        )
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

# The observer's anchors (English; moaas_label reads them in the active language).
MOAAS_LEVELS: Mapping[int, str] = MappingProxyType(
    {
        5: N_("Responds readily to name spoken in normal tone"),
        4: N_("Lethargic response to name spoken in normal tone"),
        3: N_("Responds only after name is called loudly and/or repeatedly"),
        2: N_("Responds only after mild prodding or shaking"),
        1: N_("Responds only after painful trapezius squeeze"),
        0: N_("No response after painful trapezius squeeze"),
    }
)


def moaas_label(score: int) -> str:
    """The anchor of a MOAA/S score in the active language ('' for no such score)."""
    text = MOAAS_LEVELS.get(score, "")
    return _(text) if text else ""


@dataclass(frozen=True)
class MoaasLevel:
    score: int
    label: str  # in the active language


def validate_moaas(score: int) -> MoaasLevel:
    """A MOAA/S score 0-5 with the label of its level."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in MOAAS_LEVELS:
        raise ValidationError(
            "MOAA/S",
            score,
            _(
                "MOAA/S {score} is outside the allowed range 0-5 (5 responds readily to name, "
                "0 no response to painful stimulus).",
                score=repr(score),
            ),
        )
    return MoaasLevel(score, moaas_label(score))


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
    source=N_("response = PHQ-9 fell ≥ 50 % from baseline; remission = PHQ-9 < 5"),
)


@dataclass(frozen=True)
class Outcome:
    baseline_total: int
    latest_total: int
    percent_change: float | None  # negative = improvement; None when baseline is 0
    response: bool
    remission: bool
    note: str  # one sentence for reports, e.g. why percent change is missing (translated)

    @property
    def summary(self) -> str:
        """'PHQ-9 18 → 6 (−66,7 %); response; no remission.' in the active language."""
        if self.percent_change is None:
            change = _("n/a")
        else:
            change = locale_formats.decimal(f"{self.percent_change:+.1f} %")
        parts = [
            _(
                "PHQ-9 {baseline} → {latest} ({change})",
                baseline=self.baseline_total,
                latest=self.latest_total,
                change=change,
            ),
            _("response") if self.response else _("no response"),
            _("remission") if self.remission else _("no remission"),
        ]
        return "; ".join(parts) + "."


def _check_total(rule: OutcomeRule, label: str, total: int) -> None:
    top = rule.instrument.max_total
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= top:
        raise ValidationError(
            label,
            total,
            _(
                "{field} {value} is outside the allowed range 0-{maximum}.",
                field=_(label),
                value=repr(total),
                maximum=top,
            ),
        )


def course_outcome(
    baseline_total: int, latest_total: int, *, rule: OutcomeRule = PHQ9_OUTCOME
) -> Outcome:
    """Percent change, response and remission between a baseline and a later PHQ-9."""
    _check_total(rule, N_("Baseline PHQ-9"), baseline_total)
    _check_total(rule, N_("Latest PHQ-9"), latest_total)
    remission = latest_total < rule.remission_below
    if baseline_total == 0:
        return Outcome(
            baseline_total,
            latest_total,
            percent_change=None,
            response=False,
            remission=remission,
            note=_("Baseline PHQ-9 is 0, so percent change and response cannot be computed."),
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
        note=_(rule.source),
    )
