"""The words of the dose gates (kapdesk.domain.gates): why a dose is refused, who may
override it, what an override recorded. In the active language: these are shown, never
stored (a refusal is an IllegalTransition or a screen's line, not an audit entry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kapdesk.domain.permissions import Action, role_phrase, roles_that_can
from kapdesk.domain.protocol import Band, band_word
from kapdesk.i18n import N_, _

if TYPE_CHECKING:
    from kapdesk.domain.gates import Block, GateOverride, GateReading

TimeText = Callable[[datetime], str]


def utc_hhmm(moment: datetime) -> str:
    """'10:35 UTC': how service messages show a time (the pages pass local time)."""
    return f"{moment.astimezone(UTC):%H:%M} UTC"


_VALUE_WORDS = {"bp": N_("BP"), "pulse": N_("pulse"), "spo2": N_("SpO2")}


def _answered(value: object) -> str:
    return _("is answered no") if value is False else _("is not answered")


def who_may_override() -> str:
    """'a clinician': who may record an override."""
    roles = roles_that_can(Action.OVERRIDE_HOLD)
    return _(" or ").join(role_phrase(r) for r in roles) or _("nobody")


def too_soon_text(block: Block, fmt: TimeText = utc_hhmm) -> str:
    """'recheck too soon: the hold stands until 10:35' ('' when no recheck came too soon)."""
    if not block.too_soon or block.lifts_at is None:
        return ""
    return _("recheck too soon: the hold stands until {time}", time=fmt(block.lifts_at))


def _band(band: Band) -> str:
    return band_word(band).shown()


def _pre_dose_message(block: Block, r: GateReading, head: str, fmt: TimeText) -> str:
    text = _(
        "pre-dose {reading} at {time} is {band}",
        reading=r.text,
        time=fmt(r.taken_at),
        band=_band(r.band),
    )
    others = [x for x in block.open_readings if x is not r]
    if others:
        text = _("{text}; also {others}", text=text, others=_listed(others, fmt))
    soon = too_soon_text(block, fmt)
    text += f"; {soon}." if soon else "."
    until = _(" (from {time})", time=fmt(block.lifts_at)) if block.lifts_at else ""
    measure = [_(_VALUE_WORDS[v]) for v in ("pulse", "spo2") if v in block.needs]
    if measure:
        until += _(" with {values} measured", values=_(" and ").join(measure))
    return _(
        "{head}{text} Recheck after rest{until}, or {who} records an override with the "
        "prescriber's name and a reason.",
        head=head,
        text=text,
        until=until,
        who=who_may_override(),
    )


def block_message(block: Block, fmt: TimeText = utc_hhmm) -> str:
    """'held by pre-dose-elevated, kap-default v1.0: pre-dose BP 152/94 at 10:30 is ...'."""
    from kapdesk.domain.gates import GateKind  # gates imports this module

    head = _("held by {rule}, {protocol}: ", rule=block.rule_id, protocol=block.protocol_label)
    who = who_may_override()
    r = block.reading
    if block.kind is GateKind.PRE_DOSE_HOLD and r is not None:
        return _pre_dose_message(block, r, head, fmt)
    worst = block.worst
    if block.kind is GateKind.POST_DOSE_GATE and worst is not None:
        others = [x for x in block.open_readings if x is not worst]
        also = _listed(others, fmt)
        return _(
            "{head}post-dose {reading} at {time} is {band}{also}. No further dose until {who} "
            "records an override with the prescriber's name and a reason.",
            head=head,
            reading=worst.text,
            time=fmt(worst.taken_at),
            band=_band(worst.band),
            also=_("; also {others}", others=also) if also else "",
            who=who,
        )
    label = block.item.shown_label() if block.item else block.rule_id
    return _(
        "{head}'{item}' {answered}. Answer it yes, or {who} records an override with the "
        "prescriber's name and a reason.",
        head=head,
        item=label,
        answered=_answered(block.answer),
        who=who,
    )


def _listed(readings: Iterable[GateReading], fmt: TimeText) -> str:
    return "; ".join(
        _(
            "{reading} at {time} ({band})",
            reading=x.text,
            time=fmt(x.taken_at),
            band=_band(x.band),
        )
        for x in readings
    )


def override_text(o: GateOverride, fmt: TimeText = utc_hhmm) -> str:
    """'override recorded by Dr Rivera at 10:42: reason'."""
    return _(
        "override recorded by {name} at {time}: {reason}",
        name=o.prescriber_name,
        time=fmt(o.recorded_at),
        reason=o.reason,
    )
