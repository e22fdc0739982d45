"""Loading one stored row by id, or NotFound naming what is missing."""

from __future__ import annotations

from typing import Final, TypeVar

from sqlalchemy.orm import Session

from kapdesk.domain.errors import NotFound
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
