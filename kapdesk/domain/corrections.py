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

Nothing here touches the database, Qt or the clock. The sentences are in the active
language, but for a refusal the audit log keeps (:func:`require_may_mark`: a
``Wording``, English there).
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
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _, _n

EntryKind = Literal["reading", "dose", "side_effect", "observation", "instrument"]
ENTRY_KINDS: Final[tuple[EntryKind, ...]] = get_args(EntryKind)

# How an entry is named in a sentence ("Only the author ... may mark reading 12 ...").
ENTRY_LABELS: Final[dict[EntryKind, str]] = {
    "reading": N_("reading"),
    "dose": N_("dose"),
    "side_effect": N_("side effect"),
    "observation": N_("observation"),
    "instrument": N_("questionnaire result"),
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
    raise ValidationError(
        "Entry",
        value,
        _("Entry kind {kind} is not one of {allowed}.", kind=repr(value), allowed=allowed),
    )


def validate_error_reason(value: object) -> str:
    """Why the entry is wrong: required text, blanks stripped, at most MAX_REASON_CHARS."""
    if not isinstance(value, str):
        raise ValidationError(
            "Reason",
            value,
            _("{field} must be text, got {value}.", field=_("Reason"), value=repr(value)),
        )
    text = value.strip()
    if not text:
        raise ValidationError(
            "Reason",
            value,
            _("Reason is required: say why the entry is wrong (e.g. 'wrong patient')."),
        )
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError(
            "Reason",
            f"{len(text)} characters",
            _(
                "{field} is {length} characters long; at most {limit} are allowed.",
                field=_("Reason"),
                length=len(text),
                limit=MAX_REASON_CHARS,
            ),
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
        author=author or Wording(N_("unknown")),
        what=Wording(
            N_("mark {entry} {id} as entered in error"),
            entry=Wording(ENTRY_LABELS[kind]),
            id=entry_id,
        ),
    )


def refuse_if_marked(
    kind: EntryKind, entry_id: int, error_at: datetime | None, by_name: str, at_text: str
) -> None:
    """IllegalTransition when the entry is already marked (a second mark changes nothing)."""
    if error_at is None:
        return
    label = _(ENTRY_LABELS[kind])
    raise IllegalTransition(
        "entered_in_error",
        "mark_entered_in_error",
        _(
            "This {entry} ({entry} {id}) was already marked entered in error by {name} at {time}.",
            entry=label,
            id=entry_id,
            name=by_name or _("someone"),
            time=at_text,
        ),
    )


def error_text(by_name: str, at_text: str, reason: str, *, on: str = "") -> str:
    """'Entered in error by Nia Nurse at 10:32: wrong patient' (screens and the PDF);
    with ``on`` (a date), '... by Nia Nurse on 2026-03-22 at 10:32: ...'."""
    name = by_name or _("unknown")
    if on:
        return _(
            "Entered in error by {name} on {day} at {time}: {reason}",
            name=name,
            day=on,
            time=at_text,
            reason=reason,
        )
    return _(
        "Entered in error by {name} at {time}: {reason}", name=name, time=at_text, reason=reason
    )


@dataclass(frozen=True)
class RestingRefusal:
    """Why an entry cannot be marked yet: entries that rest on it stand. ``menu_text`` is
    the short line the context menu shows before a reason is typed; ``message`` the
    sentence the service raises."""

    menu_text: str
    message: str


def _listed(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return _("{items} and {last}", items=", ".join(parts[:-1]), last=parts[-1])


def pre_dose_reading_refusal(reading_id: int, dose_times: Sequence[str]) -> RestingRefusal | None:
    """A pre-dose reading with doses standing (``dose_times`` HH:MM, first first): the
    doses were given on it and every post-dose band is measured against it, so it is
    marked after the dose (None: no dose stands)."""
    if not dose_times:
        return None
    n, times = len(dose_times), _listed(dose_times)
    return RestingRefusal(
        menu_text=_n(
            "Mark the dose at {times} entered in error first",
            "Mark the doses at {times} entered in error first",
            n,
            times=times,
        ),
        message=_n(
            "The dose at {times} was given on pre-dose reading {id}: mark the dose entered in "
            "error first (after the post-dose entries that rest on it), then this reading, or "
            "write the correction in the session note.",
            "The doses at {times} were given on pre-dose reading {id}: mark the doses entered "
            "in error first (after the post-dose entries that rest on it), then this reading, "
            "or write the correction in the session note.",
            n,
            times=times,
            id=reading_id,
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
    if state not in (SessionState.DOSED, SessionState.MONITORING):
        return RestingRefusal(
            menu_text=_(
                "The session is {state}: correct it in the session note", state=state.label
            ),
            message=_(
                "Dose {id} is the session's first dose and the session is {state}: it can no "
                "longer be marked entered in error; once the session is signed, correct it in "
                "an addendum.",
                id=dose_id,
                state=state.label,
            ),
        )
    rest = [
        text
        for n, text in (
            (readings, _n("{n} post-dose reading", "{n} post-dose readings", readings)),
            (boosters, _n("{n} booster", "{n} boosters", boosters)),
            (observations, _n("{n} observation", "{n} observations", observations)),
            (side_effects, _n("{n} side effect", "{n} side effects", side_effects)),
        )
        if n
    ]
    if not rest:
        return None
    return RestingRefusal(
        menu_text=_("Mark the {entries} entered in error first", entries=_listed(rest)),
        message=_(
            "Dose {id} is the session's first dose and {entries} rest on it: mark those "
            "entered in error first, or write the correction in the session note.",
            id=dose_id,
            entries=_listed(rest),
        ),
    )
