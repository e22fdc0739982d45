"""The pre-session checklist of a dosing session: which answers are allowed, and merging.

Answers are keyed by the protocol's checklist item ids, for any route the
protocol allows (the route is often not known before the dose), plus
``weight_kg`` (the session weight) always. Yes/no items take True/False,
number items a number; ``weight_kg`` is validated as a body weight. None
clears an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import ChecklistItem, Protocol
from kapdesk.domain.vitals import validate_weight
from kapdesk.i18n import _

WEIGHT_ID: Final = "weight_kg"

Answer = bool | float | None


def checklist_items(protocol: Protocol) -> dict[str, ChecklistItem]:
    """Items that apply to at least one route the protocol allows."""
    routes = set(protocol.routes)
    return {c.id: c for c in protocol.checklist if not c.routes or routes & set(c.routes)}


def _clean(item: ChecklistItem | None, key: str, value: object) -> Answer:
    if value is None:
        return None
    if key == WEIGHT_ID:
        if not isinstance(value, int | float | str):
            raise ValidationError(
                "Weight",
                value,
                _("Weight {value} is not a number: enter it in kg.", value=repr(value)),
            )
        return validate_weight(value)
    assert item is not None
    if item.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                item.label,
                value,
                _(
                    "'{label}' takes a number, got {value}.",
                    label=item.shown_label(),
                    value=repr(value),
                ),
            )
        return float(value)
    if not isinstance(value, bool):
        raise ValidationError(
            item.label,
            value,
            _(
                "'{label}' takes yes or no (true/false), got {value}.",
                label=item.shown_label(),
                value=repr(value),
            ),
        )
    return value


def clean_answers(protocol: Protocol, answers: Mapping[str, object]) -> dict[str, Answer]:
    """Validated answers; unknown ids and wrong kinds of value raise ValidationError."""
    items = checklist_items(protocol)
    out: dict[str, Answer] = {}
    for key, value in answers.items():
        item = items.get(key)
        if item is None and key != WEIGHT_ID:
            raise ValidationError(
                "Checklist item",
                key,
                _(
                    "Checklist item '{key}' is not in protocol {protocol}; known items: {known}.",
                    key=key,
                    protocol=protocol.label,
                    known=", ".join(items),
                ),
            )
        out[key] = _clean(item, key, value)
    return out


def merge(existing: Mapping[str, Any], clean: Mapping[str, Answer]) -> dict[str, Any]:
    merged = dict(existing)
    for key, value in clean.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
