"""Clinical free text in audit entries, hidden from a reader who may not open a chart.

The audit log is read by clinicians and admins (VIEW_AUDIT). An admin may not open a
chart (no VIEW_PATIENT), so what a note, a reason or an intervention says is not shown
to them: the field is still listed, and whether its value changed is still visible
(``HIDDEN`` before, ``HIDDEN_CHANGED`` after), so the admin sees who changed which field
and when. A clinician reads everything. The same holds for the CSV export.

The markers are in the reader's language (the stored entry is not changed: it is only
read); field names, action names and the entries' values stay as stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

from kapdesk.domain.permissions import Action, can
from kapdesk.i18n import N_, _
from kapdesk.services.context import Actor
from kapdesk.services.screen_dtos import AuditRow

HIDDEN: Final = N_("(clinical text hidden)")
HIDDEN_CHANGED: Final = N_("(clinical text hidden, changed)")

# Audit entity -> its fields written by staff as free text about a patient.
CLINICAL_TEXT: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "patient": frozenset({"allergies", "contraindications"}),
        "course": frozenset({"goal", "end_reason"}),  # end_reason: course.end's entry only
        "dosing_session": frozenset({"discharge_reason", "state_reason", "same_day_reason"}),
        "hold_override": frozenset({"reason"}),
        # error_reason: why an entry was marked entered in error (domain.corrections)
        "vital_reading": frozenset({"error_reason"}),
        "dose": frozenset({"confirmation_reason", "error_reason"}),
        "side_effect": frozenset({"intervention", "error_reason"}),
        "observation": frozenset({"text", "error_reason"}),
        "instrument_result": frozenset({"error_reason"}),
        "note": frozenset({"body", "sections"}),
        "addendum": frozenset({"text", "corrected"}),  # corrected: values typed by staff
        "alert_acknowledgement": frozenset({"note"}),
    }
)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


def without_clinical_text(row: AuditRow, say: Callable[[str], str] = _) -> AuditRow:
    """``row`` with its clinical text fields replaced by markers (empty values stay empty),
    in the active language (``say``: ``str`` keeps them English, as a file export does)."""
    fields = CLINICAL_TEXT.get(row.entity, frozenset())
    hidden = fields & {*(row.before or {}), *(row.after or {})}
    if not hidden:
        return row
    before = dict(row.before) if row.before is not None else None
    after = dict(row.after) if row.after is not None else None
    hidden_text, hidden_changed = say(HIDDEN), say(HIDDEN_CHANGED)
    for name in hidden:
        old = before.get(name) if before is not None else None
        new = after.get(name) if after is not None else None
        changed = before is not None and after is not None and old != new
        if before is not None and name in before and not _empty(old):
            before[name] = hidden_text
        if after is not None and name in after and not _empty(new):
            after[name] = hidden_changed if changed else hidden_text
    return dataclasses.replace(row, before=before, after=after)


def readable_by(
    actor: Actor, rows: Iterable[AuditRow], say: Callable[[str], str] = _
) -> Iterator[AuditRow]:
    """The rows as ``actor`` may read them: whole for a role that may open charts; the
    markers of hidden text in the active language, or as ``say`` gives them."""
    if can(actor.role, Action.VIEW_PATIENT):
        yield from rows
        return
    for row in rows:
        yield without_clinical_text(row, say)
