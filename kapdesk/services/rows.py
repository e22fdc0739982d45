"""One stored row: loading it by id (or NotFound naming what is missing), and which of its
fields a caller may change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, TypeVar

from sqlalchemy.orm import Session

from kapdesk.domain.errors import NotFound, ValidationError
from kapdesk.i18n import N_, _
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
    Addendum: N_("addendum"),
    Course: N_("treatment course"),
    DosingSession: N_("dosing session"),
    Note: N_("note"),
    Patient: N_("patient"),
    SideEffect: N_("side-effect record"),
    User: N_("user"),
}


def stored(s: Session, model: type[_R], row_id: int) -> _R:
    """Row ``row_id`` of ``model``, or NotFound ("There is no patient #3.")."""
    row = s.get(model, row_id)
    if row is None:
        raise NotFound(_("There is no {record} #{id}.", record=_(NAMES[model]), id=row_id))
    return row


def only_fields(what: str, changes: Iterable[str], allowed: Sequence[str], word: str) -> None:
    """ValidationError on "Field" unless every name in ``changes`` is one of ``allowed``
    ("Patient field 'id' cannot be changed; editable: mrn, ...")."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError(
            "Field",
            unknown[0],
            _(
                "{what} field '{field}' cannot be changed; {word}: {allowed}.",
                what=_(what),
                field=unknown[0],
                word=_(word),
                allowed=", ".join(allowed),
            ),
        )
