"""Side effects: severity grades and validation of one observed effect.

The catalogue of effects is clinic data (``Protocol.side_effects``); this module
holds the grading scale (after CTCAE grades 1-4) and the long-term watch items
of a course, which are fixed categories rather than clinic numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType

from kapdesk.domain.clock import ensure_utc, shown_time
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Protocol, Route
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _

MAX_INTERVENTION_CHARS = 1000

_DAY_HM = "%Y-%m-%d %H:%M"


class Severity(StrEnum):
    """Severity after CTCAE grades 1-4 (grade 5, death, is not recorded here)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    LIFE_THREATENING = "life_threatening"

    @property
    def grade(self) -> int:
        return _GRADES[self]

    @property
    def label(self) -> str:
        """E.g. 'Grade 4 – life-threatening', in the active language."""
        return _(self.label_format, grade=self.grade)

    @property
    def word(self) -> Wording:
        """:attr:`label` kept in English (a stored discharge check), translated where shown."""
        return Wording(self.label_format, grade=self.grade)

    @property
    def label_format(self) -> str:
        """The label with its grade as ``{grade}``: the message to translate."""
        return _SEVERITY_LABELS[self]

    @classmethod
    def from_grade(cls, grade: int) -> Severity:
        for severity, number in _GRADES.items():
            if number == grade and not isinstance(grade, bool):
                return severity
        raise ValidationError(
            "Severity", grade, f"Severity grade {grade!r} is outside the allowed range 1-4."
        )


_GRADES: Mapping[Severity, int] = MappingProxyType(
    {
        Severity.MILD: 1,
        Severity.MODERATE: 2,
        Severity.SEVERE: 3,
        Severity.LIFE_THREATENING: 4,
    }
)


def parse_severity(value: Severity | str | int) -> Severity:
    """Accept a Severity, its name ('moderate', 'life-threatening') or its grade 1-4."""
    if isinstance(value, Severity):
        return value
    if isinstance(value, int):
        return Severity.from_grade(value)
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Severity(text)
    except ValueError:
        allowed = ", ".join(s.value.replace("_", "-") for s in Severity)
        raise ValidationError(
            "Severity", value, f"Severity '{value}' is not one of {allowed} (grades 1-4)."
        ) from None


@dataclass(frozen=True)
class SideEffectInput:
    """A validated side-effect observation, ready to store."""

    effect_id: str
    label: str
    route: Route
    severity: Severity
    onset: datetime  # UTC
    resolved_at: datetime | None  # UTC; None while ongoing
    intervention: str  # e.g. "ondansetron 4 mg SL"; "" if none


def _aware(field: str, moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise ValidationError(field, moment, f"{field} must be a date and time, got {moment!r}.")
    try:
        return ensure_utc(moment)
    except ValueError:
        raise ValidationError(
            field, moment, f"{field} {moment.isoformat()} has no time zone; kapdesk needs one."
        ) from None


def validate_side_effect(
    protocol: Protocol,
    effect_id: str,
    *,
    route: Route | str,
    severity: Severity | str | int,
    onset: datetime,
    now: datetime,
    resolved_at: datetime | None = None,
    intervention: str = "",
    tz: tzinfo | None = None,
) -> SideEffectInput:
    """Check one observed effect against the protocol's catalogue and the clock (a refusal
    gives times in ``tz``, the clock's zone; None: the computer's).

    Rejects: an effect not in the protocol's catalogue for this route, an
    unknown severity, an onset after ``now``, a resolution before the onset or
    after ``now``, naive datetimes, and an intervention longer than
    MAX_INTERVENTION_CHARS.
    """
    try:
        route = Route(route)
    except ValueError:
        allowed = ", ".join(r.value for r in Route)
        raise ValidationError("Route", route, f"Route '{route}' is not one of {allowed}.") from None
    catalogue = {s.id: s for s in protocol.side_effects_for(route)}
    if effect_id not in catalogue:
        known = ", ".join(catalogue) or "none"
        raise ValidationError(
            "Side effect",
            effect_id,
            f"Side effect '{effect_id}' is not in the {protocol.label} catalogue for the "
            f"{route.value} route; known: {known}.",
        )
    grade = parse_severity(severity)
    now = _aware("Now", now)
    onset = _aware("Onset", onset)
    if onset > now:
        raise ValidationError(
            "Onset",
            onset,
            f"Onset {shown_time(onset, tz, _DAY_HM, zone=True)} is in the future "
            f"(now {shown_time(now, tz)}).",
        )
    if resolved_at is not None:
        resolved_at = _aware("Resolved", resolved_at)
        if resolved_at < onset:
            raise ValidationError(
                "Resolved",
                resolved_at,
                f"Resolved {shown_time(resolved_at, tz, _DAY_HM, zone=True)} is before the "
                f"onset {shown_time(onset, tz, _DAY_HM)}.",
            )
        if resolved_at > now:
            raise ValidationError(
                "Resolved",
                resolved_at,
                f"Resolved {shown_time(resolved_at, tz, _DAY_HM, zone=True)} is in the future "
                f"(now {shown_time(now, tz)}).",
            )
    if not isinstance(intervention, str):
        raise ValidationError("Intervention", intervention, "Intervention must be text.")
    text = intervention.strip()
    if len(text) > MAX_INTERVENTION_CHARS:
        raise ValidationError(
            "Intervention",
            f"{len(text)} characters",
            f"Intervention is {len(text)} characters long; at most "
            f"{MAX_INTERVENTION_CHARS} are allowed.",
        )
    return SideEffectInput(
        effect_id=effect_id,
        label=catalogue[effect_id].label,
        route=route,
        severity=grade,
        onset=onset,
        resolved_at=resolved_at,
        intervention=text,
    )


# ------------------------------------------------------- long-term watch items


@dataclass(frozen=True)
class WatchItem:
    """Something to ask about across a course, not within one session."""

    id: str
    label: str
    prompt: str


COURSE_WATCH_ITEMS: tuple[WatchItem, ...] = (
    WatchItem(
        "cognition",
        "Cognition",
        "New problems with memory, attention or concentration since treatment began.",
    ),
    WatchItem(
        "bladder_urinary",
        "Bladder / urinary symptoms",
        "Urinary frequency, urgency, pain on passing urine or blood in the urine "
        "(ketamine-related cystitis).",
    ),
    WatchItem(
        "craving_misuse",
        "Craving / misuse",
        "Craving for ketamine, use outside sessions, or asking for more or earlier doses.",
    ),
)

WATCH_ITEMS_BY_ID: Mapping[str, WatchItem] = MappingProxyType({w.id: w for w in COURSE_WATCH_ITEMS})


# Each severity's words, marked for translation ({grade}: its number).
_SEVERITY_LABELS = {
    Severity.MILD: N_("Grade {grade} – mild"),
    Severity.MODERATE: N_("Grade {grade} – moderate"),
    Severity.SEVERE: N_("Grade {grade} – severe"),
    Severity.LIFE_THREATENING: N_("Grade {grade} – life-threatening"),
}
