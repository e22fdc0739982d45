"""Side effects: severity grades and validation of one observed effect.

The catalogue of effects is clinic data (``Protocol.side_effects``); this module
holds the grading scale (after CTCAE grades 1-4) and the long-term watch items
of a course, which are fixed categories rather than clinic numbers. Messages and labels
read in the active language; the stored values (severity, effect id) are codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType

from kapdesk.domain.clock import ensure_utc, shown_time, zone_label
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Protocol, Route
from kapdesk.domain.text import too_long
from kapdesk.domain.timetext import day_clock
from kapdesk.domain.wording import Wording, field_name
from kapdesk.i18n import N_, _

MAX_INTERVENTION_CHARS = 1000


def _day_hm(moment: datetime, tz: tzinfo | None, *, zone: bool = False) -> str:
    """'2026-03-02 10:35 CET' ('02/03/2026 10:35 CET' in Portuguese)."""
    text = day_clock(moment, tz)
    return f"{text} {zone_label(moment, tz)}" if zone else text


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
            "Severity",
            grade,
            _("Severity grade {grade} is outside the allowed range 1-4.", grade=repr(grade)),
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
            "Severity",
            value,
            _(
                "Severity '{severity}' is not one of {allowed} (grades 1-4).",
                severity=value,
                allowed=allowed,
            ),
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
        raise ValidationError(
            field,
            moment,
            _(
                "{field} must be a date and time, got {value}.",
                field=field_name(field),
                value=repr(moment),
            ),
        )
    try:
        return ensure_utc(moment)
    except ValueError:
        raise ValidationError(
            field,
            moment,
            _(
                "{field} {value} has no time zone; kapdesk needs one.",
                field=field_name(field),
                value=moment.isoformat(),
            ),
        ) from None


def _check_times(
    onset: datetime, resolved_at: datetime | None, now: datetime, tz: tzinfo | None
) -> datetime | None:
    """Onset not in the future; a resolution after the onset, not in the future (UTC)."""
    if onset > now:
        raise ValidationError(
            "Onset",
            onset,
            _(
                "Onset {time} is in the future (now {now}).",
                time=_day_hm(onset, tz, zone=True),
                now=shown_time(now, tz),
            ),
        )
    if resolved_at is not None:
        resolved_at = _aware(N_("Resolved"), resolved_at)
        if resolved_at < onset:
            raise ValidationError(
                "Resolved",
                resolved_at,
                _(
                    "Resolved {time} is before the onset {onset}.",
                    time=_day_hm(resolved_at, tz, zone=True),
                    onset=_day_hm(onset, tz),
                ),
            )
        if resolved_at > now:
            raise ValidationError(
                "Resolved",
                resolved_at,
                _(
                    "Resolved {time} is in the future (now {now}).",
                    time=_day_hm(resolved_at, tz, zone=True),
                    now=shown_time(now, tz),
                ),
            )
    return resolved_at


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
        raise ValidationError(
            "Route",
            route,
            _("Route '{route}' is not one of {allowed}.", route=route, allowed=allowed),
        ) from None
    catalogue = {s.id: s for s in protocol.side_effects_for(route)}
    if effect_id not in catalogue:
        known = ", ".join(catalogue) or _("none")
        raise ValidationError(
            "Side effect",
            effect_id,
            _(
                "Side effect '{effect}' is not in the {protocol} catalogue for the {route} "
                "route; known: {known}.",
                effect=effect_id,
                protocol=protocol.label,
                route=route.value,
                known=known,
            ),
        )
    grade = parse_severity(severity)
    now = _aware(N_("Now"), now)
    onset = _aware(N_("Onset"), onset)
    resolved_at = _check_times(onset, resolved_at, now, tz)
    if not isinstance(intervention, str):
        raise ValidationError("Intervention", intervention, _("Intervention must be text."))
    text = intervention.strip()
    if len(text) > MAX_INTERVENTION_CHARS:
        raise ValidationError(
            "Intervention",
            f"{len(text)} characters",
            too_long(N_("Intervention"), len(text), MAX_INTERVENTION_CHARS),
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
    """Something to ask about across a course, not within one session (``label`` and
    ``prompt`` are English, marked for translation: ``shown_label``, ``shown_prompt``)."""

    id: str
    label: str
    prompt: str

    @property
    def shown_label(self) -> str:
        return _(self.label)

    @property
    def shown_prompt(self) -> str:
        return _(self.prompt)


COURSE_WATCH_ITEMS: tuple[WatchItem, ...] = (
    WatchItem(
        "cognition",
        N_("Cognition"),
        N_("New problems with memory, attention or concentration since treatment began."),
    ),
    WatchItem(
        "bladder_urinary",
        N_("Bladder / urinary symptoms"),
        N_(
            "Urinary frequency, urgency, pain on passing urine or blood in the urine "
            "(ketamine-related cystitis)."
        ),
    ),
    WatchItem(
        "craving_misuse",
        N_("Craving / misuse"),
        N_("Craving for ketamine, use outside sessions, or asking for more or earlier doses."),
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
