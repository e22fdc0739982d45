"""Which dose gate a clinician's override lifts: the reading holding the dose, or a
blocking checklist item (kapdesk.domain.gates). SessionService.override_hold stores it."""

from __future__ import annotations

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.gates import GateKind, OverrideKind, checklist_gate
from kapdesk.domain.session_state import SessionState
from kapdesk.i18n import _
from kapdesk.services.session_support import (
    Loaded,
    gate_override,
    no_hold_reason,
    refuse,
    session_gate,
)
from kapdesk.services.wording import band_word, either
from kapdesk.storage.orm import HoldOverride, VitalReading

_PRE_DOSE = (SessionState.CHECKED_IN, SessionState.PRE_DOSE_VITALS)


def reading_override(
    loaded: Loaded,
    readings: list[VitalReading],
    overrides: list[HoldOverride],
    reading_id: int | None,
) -> HoldOverride:
    """The override of the reading holding the first dose (pre-dose) or gating a booster
    (post-dose); ``reading_id``, if given, must be that reading."""
    state, protocol = loaded.state, loaded.protocol
    first = state in _PRE_DOSE
    gate = session_gate(protocol, loaded.session, readings, overrides, route=None, first_dose=first)
    kind = GateKind.PRE_DOSE_HOLD if first else GateKind.POST_DOSE_GATE
    block = next((b for b in gate.blocks if b.kind is kind), None)
    if block is None or block.reading is None:
        if first:
            why = no_hold_reason(readings)
        else:
            bands = either(band_word(b.value) for b in protocol.booster_gate_bands)
            why = _(
                "no post-dose reading in the {bands} band is waiting for an override.",
                bands=bands,
            )
        raise refuse(state, "override_hold", _("There is no hold to override: {why}", why=why))
    held = block.reading
    if reading_id is not None and reading_id != held.id:
        which = _("pre-dose") if first else _("post-dose")
        raise ValidationError(
            "Reading",
            reading_id,
            _(
                "Reading #{reading} is not the one holding the dose: the {which} reading "
                "holding it is #{held} ({text}, {band}). Review it before overriding.",
                reading=reading_id,
                which=which,
                held=held.id,
                text=held.text,
                band=band_word(held.band.value),
            ),
        )
    return HoldOverride(
        session_id=loaded.session.id, reading_id=held.id, kind=OverrideKind.READING.value
    )


def checklist_override(loaded: Loaded, item_id: str, overrides: list[HoldOverride]) -> HoldOverride:
    """The override of blocking checklist item ``item_id``, which must still block."""
    protocol = loaded.protocol
    item = next((c for c in protocol.checklist if c.id == item_id), None)
    if item is None or not item.blocks_dose:
        blocking = ", ".join(c.id for c in protocol.checklist if c.blocks_dose) or _("none")
        raise ValidationError(
            "Checklist item",
            item_id,
            _(
                "Checklist item '{item}' does not block the dose in {protocol}; items that "
                "do: {blocking}.",
                item=item_id,
                protocol=protocol.label,
                blocking=blocking,
            ),
        )
    gate = checklist_gate(
        protocol,
        item.routes[0] if item.routes else None,
        dict(loaded.session.checklist or {}),
        [gate_override(o) for o in overrides],
    )
    if not any(b.item.id == item_id for b in gate.blocks):
        why = (
            _("it is already overridden")
            if any(i.id == item_id for i, _override in gate.overridden)
            else _("it is answered yes")
        )
        raise refuse(
            loaded.state,
            "override_hold",
            _(
                "There is nothing to override on '{item}': {why}.",
                item=item.shown_label(),
                why=why,
            ),
        )
    return HoldOverride(
        session_id=loaded.session.id,
        reading_id=None,
        kind=OverrideKind.CHECKLIST.value,
        item_id=item_id,
    )
