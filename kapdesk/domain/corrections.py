"""Entered in error: the rules for marking an entry that was typed wrongly.

A reading, dose, side effect, observation or PHQ-9/GAD-7 result recorded by
mistake is not deleted: it is *marked* with who, when and why, stays in the
record (struck through on screen and in the PDF) and no longer counts for
alerts, holds, the schedule, discharge, charts or outcomes.

* The reason is required, kept as typed (blanks stripped), at most
  :data:`MAX_REASON_CHARS` characters.
* The person who recorded the entry or a clinician may mark it
  (:mod:`kapdesk.domain.authorship`), with the role's permission
  :attr:`Action.MARK_ENTERED_IN_ERROR`.
* Once the session is signed the entry is locked: an addendum corrects it
  (the services check the signature).
* An entry is marked once; a second mark is refused.

Nothing here touches the database, Qt or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, Protocol, TypeVar, get_args

from kapdesk.domain.authorship import is_author_or_clinician, require_author_or_clinician
from kapdesk.domain.errors import IllegalTransition, ValidationError
from kapdesk.domain.permissions import Action, Role
from kapdesk.domain.session_state import SessionState

EntryKind = Literal["reading", "dose", "side_effect", "observation", "instrument"]
ENTRY_KINDS: Final[tuple[EntryKind, ...]] = get_args(EntryKind)

# How an entry is named in a sentence ("Only the author ... may mark reading 12 ...").
ENTRY_LABELS: Final[dict[EntryKind, str]] = {
    "reading": "reading",
    "dose": "dose",
    "side_effect": "side effect",
    "observation": "observation",
    "instrument": "questionnaire result",
}

# A plausible-input limit for the reason (one or two sentences), not a clinical number.
MAX_REASON_CHARS: Final = 500


class Markable(Protocol):
    """Anything carrying the three stored columns (an ORM row, a test double)."""

    @property
    def error_at(self) -> datetime | None: ...


_M = TypeVar("_M", bound=Markable)


def is_marked(entry: Markable) -> bool:
    """True when the entry was marked entered in error."""
    return entry.error_at is not None


def standing(entries: Iterable[_M]) -> list[_M]:
    """The entries that count: those not marked entered in error (order kept)."""
    return [e for e in entries if e.error_at is None]


class MarkedEntry(Protocol):
    """A read model of an entry: ``error`` is its mark, None while it stands."""

    @property
    def error(self) -> object | None: ...


_E = TypeVar("_E", bound=MarkedEntry)


def standing_entries(entries: Iterable[_E]) -> list[_E]:
    """The read-model entries that count: those without a mark (order kept)."""
    return [e for e in entries if e.error is None]


def parse_entry_kind(value: object) -> EntryKind:
    """An entry kind from the caller, or a ValidationError naming the kinds allowed."""
    for kind in ENTRY_KINDS:
        if value == kind:
            return kind
    allowed = ", ".join(ENTRY_KINDS)
    raise ValidationError("Entry", value, f"Entry kind {value!r} is not one of {allowed}.")


def validate_error_reason(value: object) -> str:
    """Why the entry is wrong: required text, blanks stripped, at most MAX_REASON_CHARS."""
    if not isinstance(value, str):
        raise ValidationError("Reason", value, f"Reason must be text, got {value!r}.")
    text = value.strip()
    if not text:
        raise ValidationError(
            "Reason",
            value,
            "Reason is required: say why the entry is wrong (e.g. 'wrong patient').",
        )
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError(
            "Reason",
            f"{len(text)} characters",
            f"Reason is {len(text)} characters long; at most {MAX_REASON_CHARS} are allowed.",
        )
    return text


def may_mark(role: Role, user_id: int, recorded_by: int) -> bool:
    """True when ``user_id`` (of ``role``) may mark an entry ``recorded_by`` entered."""
    return is_author_or_clinician(role, user_id, recorded_by, Action.MARK_ENTERED_IN_ERROR)


def require_may_mark(
    role: Role, user_id: int, recorded_by: int, *, author: str, kind: EntryKind, entry_id: int
) -> None:
    """PermissionDenied: 'Only the author (Ann Lee) or a clinician may mark reading 12 as
    entered in error.'"""
    require_author_or_clinician(
        role,
        user_id,
        recorded_by,
        Action.MARK_ENTERED_IN_ERROR,
        author=author or "unknown",
        what=f"mark {ENTRY_LABELS[kind]} {entry_id} as entered in error",
    )


def refuse_if_marked(
    kind: EntryKind, entry_id: int, error_at: datetime | None, by_name: str, at_text: str
) -> None:
    """IllegalTransition when the entry is already marked (a second mark changes nothing)."""
    if error_at is None:
        return
    label = ENTRY_LABELS[kind]
    raise IllegalTransition(
        "entered_in_error",
        "mark_entered_in_error",
        f"This {label} ({label} {entry_id}) was already marked entered in error by "
        f"{by_name or 'someone'} at {at_text}.",
    )


def error_text(by_name: str, at_text: str, reason: str, *, on: str = "") -> str:
    """'Entered in error by Nia Nurse at 10:32: wrong patient' (screens and the PDF);
    with ``on`` (a date), '... by Nia Nurse on 2026-03-22 at 10:32: ...'."""
    when = f"on {on} at {at_text}" if on else f"at {at_text}"
    return f"Entered in error by {by_name or 'unknown'} {when}: {reason}"


@dataclass(frozen=True)
class RestingRefusal:
    """Why an entry cannot be marked yet: entries that rest on it stand. ``menu_text`` is
    the short line the context menu shows before a reason is typed; ``message`` the
    sentence the service raises."""

    menu_text: str
    message: str


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _listed(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def pre_dose_reading_refusal(reading_id: int, dose_times: Sequence[str]) -> RestingRefusal | None:
    """A pre-dose reading with doses standing (``dose_times`` HH:MM, first first): the
    doses were given on it and every post-dose band is measured against it, so it is
    marked after the dose (None: no dose stands)."""
    if not dose_times:
        return None
    one = len(dose_times) == 1
    doses = f"dose at {dose_times[0]}" if one else f"doses at {_listed(dose_times)}"
    return RestingRefusal(
        menu_text=f"Mark the {doses} entered in error first",
        message=(
            f"The {doses} {'was' if one else 'were'} given on pre-dose reading {reading_id}: "
            f"mark the {'dose' if one else 'doses'} entered in error first (after the "
            "post-dose entries that rest on it), then this reading, or write the correction "
            "in the session note."
        ),
    )


def first_dose_refusal(
    dose_id: int,
    *,
    state: SessionState,
    readings: int = 0,
    boosters: int = 0,
    observations: int = 0,
    side_effects: int = 0,
) -> RestingRefusal | None:
    """The session's only standing first dose may be marked while the session is dosed or
    in monitoring and nothing recorded on it stands: post-dose readings, boosters,
    observations after it, side effects recorded while it stood (None: it may be)."""
    start = f"Dose {dose_id} is the session's first dose"
    if state not in (SessionState.DOSED, SessionState.MONITORING):
        return RestingRefusal(
            menu_text=f"The session is {state.label}: correct it in the session note",
            message=(
                f"{start} and the session is {state.label}: it can no longer be marked "
                "entered in error; once the session is signed, correct it in an addendum."
            ),
        )
    rest = [
        _count(n, noun)
        for n, noun in (
            (readings, "post-dose reading"),
            (boosters, "booster"),
            (observations, "observation"),
            (side_effects, "side effect"),
        )
        if n
    ]
    if not rest:
        return None
    return RestingRefusal(
        menu_text=f"Mark the {_listed(rest)} entered in error first",
        message=(
            f"{start} and {_listed(rest)} rest on it: mark those entered in error first, "
            "or write the correction in the session note."
        ),
    )
