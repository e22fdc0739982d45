"""One stored row: loading it by id (or NotFound naming what is missing), and which of its
fields a caller may change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, TypeVar

from sqlalchemy.orm import Session

from kapdesk.domain.errors import NotFound, ValidationError
from kapdesk.storage.orm import (
    Addendum,
    Base,
    Course,
    DosingSession,
    Note,
    Patient,
    SideEffect,
    User,
)

_R = TypeVar("_R", bound=Base)

# How a missing row is named to a person: "There is no treatment course #12."
NAMES: Final[dict[type[Base], str]] = {
    Addendum: "addendum",
    Course: "treatment course",
    DosingSession: "dosing session",
    Note: "note",
    Patient: "patient",
    SideEffect: "side-effect record",
    User: "user",
}


def stored(s: Session, model: type[_R], row_id: int) -> _R:
    """Row ``row_id`` of ``model``, or NotFound ("There is no patient #3.")."""
    row = s.get(model, row_id)
    if row is None:
        raise NotFound(f"There is no {NAMES[model]} #{row_id}.")
    return row


def only_fields(what: str, changes: Iterable[str], allowed: Sequence[str], word: str) -> None:
    """ValidationError on "Field" unless every name in ``changes`` is one of ``allowed``
    ("Patient field 'id' cannot be changed; editable: mrn, ...")."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError(
            "Field",
            unknown[0],
            f"{what} field '{unknown[0]}' cannot be changed; {word}: {', '.join(allowed)}.",
        )
