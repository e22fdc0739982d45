"""Electronic signatures and addenda: what is signed, how it is hashed, what it means.

A signature binds a signer, a moment and a *meaning* to the SHA-256 of a
record's canonical content. The content is built by the services from the
database rows (:data:`SIGNED_FIELDS` says which columns of which tables count)
and hashed here together with the entity type and id, so a signature copied
onto another record never verifies there.

Hash scheme N: ``sha256(canonical_json({"scheme": N, "entity": <entity>, "id":
<id>, "content": <content>}))`` with sorted keys, no whitespace, UTF-8 and no
NaN. Rows in ``content`` carry exactly the columns of ``SIGNED_FIELDS_BY_SCHEME[N]``
and lists of rows are ordered by id. A later schema that adds a column keeps old
signatures valid: their scheme never covers it. Covering it means a new scheme
number (stored on each signature); new signatures use :data:`HASH_SCHEME`.

* Scheme 1: the columns of revision 0002.
* Scheme 2 (revision 0004): also the course's pinned protocol (id, version,
  content hash), the kind and checklist item of an override, the warnings
  acknowledged with a dose, the same-day confirmation of a session, and the
  alert acknowledgements recorded in the session.
* Scheme 3 (revision 0005): also the entered-in-error mark (``error_at``, ``error_by``,
  ``error_reason``) of readings, doses, side effects and observations. (PHQ-9/GAD-7
  results stay outside a session's signature, as before: they belong to the course.)

Nothing here touches the database, Qt or the clock. Messages are in the active
language; a signature's meaning is stored as its English value (``Meaning.label``
reads it translated).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from kapdesk.domain.clock import ensure_utc, zone_label
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.notes import NOTE_MAX_CHARS
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.text import too_long
from kapdesk.domain.timetext import day_clock
from kapdesk.i18n import N_, _

HASH_SCHEME: Final = 3  # what new signatures use
SIGNATURE_METHOD: Final = "password re-entry"


class SignedEntity(StrEnum):
    DOSING_SESSION = "dosing_session"
    NOTE = "note"
    ADDENDUM = "addendum"

    @property
    def label(self) -> str:
        """How the record is named in a sentence: 'Session 12', 'Note 4' (translated)."""
        return _(_ENTITY_LABELS[self])


_ENTITY_LABELS: Mapping[SignedEntity, str] = MappingProxyType(
    {
        SignedEntity.DOSING_SESSION: N_("Session"),
        SignedEntity.NOTE: N_("Note"),
        SignedEntity.ADDENDUM: N_("Addendum"),
    }
)

# Addenda are written to sessions and notes; a signed addendum that needs a
# correction gets a further addendum on the same session or note.
ADDENDUM_TARGETS: Final = (SignedEntity.DOSING_SESSION, SignedEntity.NOTE)

# A dosing session is signed once it is over.
SIGNABLE_SESSION_STATES: Final = frozenset(
    {SessionState.DISCHARGED, SessionState.CANCELLED, SessionState.DOSE_WITHHELD}
)


class Meaning(StrEnum):
    """What the signer attests (21 CFR 11.50: review, approval, responsibility, authorship)."""

    REVIEWED = N_("Reviewed and signed")
    AUTHORED = N_("Authored and signed")
    APPROVED = N_("Approved")

    @property
    def label(self) -> str:
        """The meaning in the active language (the value is what is stored)."""
        return _(self.value)


# Scheme 1: the columns of each table a signature covers (all columns of revision 0002).
_SCHEME_1: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "dosing_sessions": (
            "id", "course_id", "scheduled_at", "room", "state", "weight_kg", "checklist",
            "checked_in_at", "first_dose_at", "discharged_at", "discharged_by",
            "discharge_criteria", "discharge_reason", "state_reason", "created_at",
            "created_by",
        ),
        "courses": ("id", "patient_id"),
        "vital_readings": (
            "id", "session_id", "taken_at", "systolic", "diastolic", "pulse", "spo2", "phase",
            "band", "rules", "assessment", "protocol_label", "recorded_by", "recorded_at",
        ),
        "hold_overrides": (
            "id", "session_id", "reading_id", "prescriber_name", "reason", "recorded_by",
            "recorded_at",
        ),
        "doses": (
            "id", "session_id", "medication", "route", "amount", "unit", "mg", "given_at",
            "lot_number", "given_by", "is_booster", "over_limit", "confirmation_reason",
            "confirmed_by", "recorded_by", "recorded_at",
        ),
        "side_effects": (
            "id", "session_id", "effect_id", "label", "present", "severity", "onset_at",
            "intervention", "resolved_at", "recorded_by", "recorded_at",
        ),
        "observations": (
            "id", "session_id", "kind", "score", "present", "text", "observed_at",
            "recorded_by", "recorded_at",
        ),
        "notes": (
            "id", "kind", "course_id", "dosing_session_id", "held_at", "sections", "body",
            "status", "author_id", "signed_at", "signed_by", "addendum_of", "created_at",
            "updated_at",
        ),
        "addenda": (
            "id", "entity", "entity_id", "author_id", "author_name", "author_role",
            "created_at", "text", "corrected",
        ),
    }
)  # fmt: skip

# Scheme 2: every column of revision 0004 (courses: what identifies the patient and the
# pinned protocol, not the goal or end date, which change over the course).
_SCHEME_2: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **_SCHEME_1,
        "dosing_sessions": (
            *_SCHEME_1["dosing_sessions"], "same_day_reason", "same_day_confirmed_by",
        ),
        "courses": ("id", "patient_id", "protocol_id", "protocol_version", "protocol_hash"),
        "hold_overrides": (*_SCHEME_1["hold_overrides"], "kind", "item_id"),
        "doses": (*_SCHEME_1["doses"], "warnings"),
        "alert_acknowledgements": (
            "id", "session_id", "reading_id", "acknowledged_by", "acknowledged_at", "note",
        ),
    }
)  # fmt: skip

_MARK = ("error_at", "error_by", "error_reason")

# Scheme 3: every column of revision 0005 (the entered-in-error marks).
_SCHEME_3: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **_SCHEME_2,
        "vital_readings": (*_SCHEME_2["vital_readings"], *_MARK),
        "doses": (*_SCHEME_2["doses"], *_MARK),
        "side_effects": (*_SCHEME_2["side_effects"], *_MARK),
        "observations": (*_SCHEME_2["observations"], *_MARK),
    }
)

SIGNED_FIELDS_BY_SCHEME: Mapping[int, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {1: _SCHEME_1, 2: _SCHEME_2, 3: _SCHEME_3}
)
# The columns new signatures cover.
SIGNED_FIELDS: Mapping[str, tuple[str, ...]] = SIGNED_FIELDS_BY_SCHEME[HASH_SCHEME]

# Corrected values an addendum may carry: plausible-input limits, not clinical numbers.
MAX_CORRECTIONS: Final = 20
MAX_CORRECTION_FIELD_CHARS: Final = 100
MAX_CORRECTION_VALUE_CHARS: Final = 1000


def canonical_json(value: Any) -> str:
    """The one serialisation signature hashes are computed over."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def signed_fields(scheme: int) -> Mapping[str, tuple[str, ...]]:
    try:
        return SIGNED_FIELDS_BY_SCHEME[scheme]
    except KeyError:
        raise ValueError(f"unknown signature hash scheme {scheme}") from None


def pick(table: str, row: Mapping[str, Any], *, scheme: int = HASH_SCHEME) -> dict[str, Any]:
    """The signed columns of one row (a JSON-able column -> value mapping)."""
    try:
        fields = signed_fields(scheme)[table]
    except KeyError:
        raise ValueError(f"table {table!r} is not part of any signed record") from None
    missing = [f for f in fields if f not in row]
    if missing:
        raise ValueError(f"{table} row lacks signed column(s) {', '.join(missing)}")
    return {f: row[f] for f in fields}


def rows(
    table: str, items: Iterable[Mapping[str, Any]], *, scheme: int = HASH_SCHEME
) -> list[dict[str, Any]]:
    """Signed columns of several rows of ``table``, ordered by id."""
    return sorted((pick(table, r, scheme=scheme) for r in items), key=lambda r: int(r["id"]))


def content_sha256(
    entity: SignedEntity | str,
    entity_id: int,
    content: Mapping[str, Any],
    *,
    scheme: int = HASH_SCHEME,
) -> str:
    """SHA-256 (hex) of a record's content, bound to its entity type and id."""
    signed_fields(scheme)  # ValueError for an unknown scheme
    payload = {
        "scheme": scheme,
        "entity": SignedEntity(entity).value,
        "id": int(entity_id),
        "content": content,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def parse_entity(
    value: object, allowed: Iterable[SignedEntity] = tuple(SignedEntity)
) -> SignedEntity:
    """A record kind from the caller, or a ValidationError naming the kinds allowed."""
    choices = tuple(allowed)
    try:
        entity = SignedEntity(str(value))
    except ValueError:
        entity = None
    if entity is None or entity not in choices:
        names = ", ".join(c.value for c in choices)
        raise ValidationError(
            "Record",
            value,
            _("Record kind '{kind}' is not one of {allowed}.", kind=value, allowed=names),
        )
    return entity


def validate_meaning(value: object) -> Meaning:
    try:
        return Meaning(str(value))
    except ValueError:
        allowed = "; ".join(f"'{m.value}'" for m in Meaning)
        raise ValidationError(
            "Meaning",
            value,
            _(
                "Signature meaning '{meaning}' is not one of {allowed}.",
                meaning=value,
                allowed=allowed,
            ),
        ) from None


def validate_addendum_text(value: object) -> str:
    """Addendum text: required, kept as typed, at most the note limit."""
    if not isinstance(value, str):
        raise ValidationError(
            "Addendum",
            value,
            _("{field} must be text, got {value}.", field=_("Addendum text"), value=repr(value)),
        )
    if not value.strip():
        raise ValidationError("Addendum", value, _("Addendum text is required; none was given."))
    if len(value) > NOTE_MAX_CHARS:
        raise ValidationError(
            "Addendum",
            f"{len(value)} characters",
            too_long(N_("Addendum text"), len(value), NOTE_MAX_CHARS),
        )
    return value


def _correction_value(field: str, value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(
                "Corrected value",
                value,
                _("Corrected value of '{field}' must be a finite number.", field=field),
            )
        return value
    if isinstance(value, str):
        if len(value) > MAX_CORRECTION_VALUE_CHARS:
            raise ValidationError(
                "Corrected value",
                f"{len(value)} characters",
                _(
                    "Corrected value of '{field}' is {length} characters long; at most {limit} "
                    "are allowed.",
                    field=field,
                    length=len(value),
                    limit=MAX_CORRECTION_VALUE_CHARS,
                ),
            )
        return value
    raise ValidationError(
        "Corrected value",
        value,
        _(
            "Corrected value of '{field}' must be text, a number, yes/no or empty; got {kind}.",
            field=field,
            kind=type(value).__name__,
        ),
    )


def validate_corrected(value: object) -> dict[str, Any] | None:
    """None, or 1-20 ``{field name: corrected value}`` pairs (values: text/number/bool/None).

    Field names are free text naming what is corrected (e.g. "Reading 10:32 systolic").
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValidationError(
            "Corrected",
            value,
            _("Corrected values must map field names to values, got {value}.", value=repr(value)),
        )
    if not value:
        return None
    if len(value) > MAX_CORRECTIONS:
        raise ValidationError(
            "Corrected",
            f"{len(value)} fields",
            _(
                "An addendum corrects at most {limit} fields; {n} were given.",
                limit=MAX_CORRECTIONS,
                n=len(value),
            ),
        )
    clean: dict[str, Any] = {}
    for key, raw in value.items():
        name = key.strip() if isinstance(key, str) else ""
        if not name or len(name) > MAX_CORRECTION_FIELD_CHARS:
            raise ValidationError(
                "Corrected field",
                key,
                _(
                    "Corrected field name {key} must be text of 1-{limit} characters.",
                    key=repr(key),
                    limit=MAX_CORRECTION_FIELD_CHARS,
                ),
            )
        clean[name] = _correction_value(name, raw)
    return clean


def locked_message(
    entity: SignedEntity,
    entity_id: int,
    signer_name: str,
    signed_at: datetime,
    tz: tzinfo | None = None,
) -> str:
    """'Session 12 was signed by Dr X on 2026-03-02 15:05 CET; add an addendum instead.'
    (local time in ``tz``; None: the computer's zone)."""
    moment = ensure_utc(signed_at)
    at = f"{day_clock(moment, tz)} {zone_label(moment, tz)}"
    return _(
        "{record} {id} was signed by {name} on {at}; add an addendum instead.",
        record=entity.label,
        id=entity_id,
        name=signer_name,
        at=at,
    )
