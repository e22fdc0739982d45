"""The gates in front of every dose: the pre-dose hold, the post-dose gate, the checklist.

One definition each, as pure functions over small frozen values. Services load the
session's rows, convert them (``GateReading``, ``GateOverride``), call ``dose_gate``
and refuse or write; the session pages call the same functions to show what blocks
the dose and why.

* **Pre-dose hold.** A pre-dose reading that is not normal holds the first dose. Only a
  normal recheck taken at or after ``protocol.recheck_after_min`` from the holding
  reading, or an override naming the holding reading, lifts it. A normal reading taken
  sooner is kept and shown ("recheck too soon") but lifts nothing. A later non-normal
  reading starts a new hold. A recheck counts from the earlier of its typed time and the
  time it was recorded, so a time typed ahead of the clock never lifts a hold early.
* **Post-dose gate.** A post-dose reading in one of ``protocol.booster_gate_bands``
  (alert, critical) gates every further dose, even when later readings are normal, until
  an override names it. An override naming a gating reading also covers the gating
  readings taken before it (the clinician judged the session as of that reading).
* **Checklist.** Items with ``blocks_dose`` block until answered yes or overridden (an
  override of kind 'checklist' naming the item); other yes/no items answered anything
  but yes are warnings, acknowledged with the first dose and stored with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from kapdesk.domain.permissions import Action, roles_that_can
from kapdesk.domain.protocol import Band, ChecklistItem, Phase, Protocol, Route

TimeText = Callable[[datetime], str]


def utc_hhmm(moment: datetime) -> str:
    """'10:35 UTC': how service messages show a time (the pages pass local time)."""
    return f"{moment.astimezone(UTC):%H:%M} UTC"


class OverrideKind(StrEnum):
    READING = "reading"
    CHECKLIST = "checklist"


class GateKind(StrEnum):
    PRE_DOSE_HOLD = "pre_dose_hold"
    POST_DOSE_GATE = "post_dose_gate"
    CHECKLIST = "checklist"


@dataclass(frozen=True)
class GateReading:
    """What the gates need of a stored reading."""

    id: int
    taken_at: datetime
    recorded_at: datetime
    phase: Phase
    band: Band
    rules: tuple[str, ...] = ()
    protocol_label: str = ""  # the protocol version that banded it
    text: str = ""  # 'BP 152/94'

    @property
    def effective_at(self) -> datetime:
        """When it counts as taken: never later than it was recorded."""
        return min(self.taken_at, self.recorded_at)

    @property
    def order(self) -> tuple[datetime, int]:
        return (self.taken_at, self.id)


@dataclass(frozen=True)
class GateOverride:
    """A clinician's recorded decision to dose past a gate."""

    id: int
    kind: OverrideKind
    reading_id: int | None
    item_id: str | None
    prescriber_name: str
    reason: str
    recorded_at: datetime
    recorded_by: str = ""


@dataclass(frozen=True)
class PreDoseHold:
    reading: GateReading | None  # the reading holding the first dose; None: no hold
    lifts_at: datetime | None  # a normal recheck from this moment lifts the hold
    too_soon: tuple[GateReading, ...] = ()  # normal rechecks before lifts_at (kept, no lift)
    override: GateOverride | None = None  # the override that lifted the latest hold
    lifted_by: GateReading | None = None  # the recheck that lifted the latest hold

    @property
    def active(self) -> bool:
        return self.reading is not None


@dataclass(frozen=True)
class PostDoseGate:
    readings: tuple[GateReading, ...]  # gating readings no override covers, oldest first
    override: GateOverride | None = None  # the latest override that covered gating readings

    @property
    def active(self) -> bool:
        return bool(self.readings)

    @property
    def reading(self) -> GateReading | None:
        """The reading an override must name: the latest gating one."""
        return self.readings[-1] if self.readings else None


@dataclass(frozen=True)
class ChecklistBlock:
    item: ChecklistItem
    answer: object  # False: answered no; None: not answered


@dataclass(frozen=True)
class ChecklistGate:
    blocks: tuple[ChecklistBlock, ...]  # blocking items not yes and not overridden
    overridden: tuple[tuple[ChecklistItem, GateOverride], ...]
    warnings: tuple[str, ...]  # non-blocking yes/no items not answered yes
    complete: bool  # every required item answered yes (numbers: entered)


@dataclass(frozen=True)
class Block:
    """One reason the next dose is refused."""

    kind: GateKind
    rule_id: str
    protocol_label: str
    reading: GateReading | None = None
    item: ChecklistItem | None = None
    answer: object = None
    lifts_at: datetime | None = None
    too_soon: tuple[GateReading, ...] = ()
    # post-dose gate: every gating reading no override covers (``reading`` is the latest,
    # the one an override names; the message leads with the worst of them)
    open_readings: tuple[GateReading, ...] = ()

    @property
    def worst(self) -> GateReading | None:
        """The most concerning reading behind the block (highest band, then latest)."""
        found = self.open_readings or ((self.reading,) if self.reading else ())
        return max(found, key=lambda r: (r.band.rank, r.order)) if found else None


@dataclass(frozen=True)
class DoseGate:
    blocks: tuple[Block, ...]
    warnings: tuple[str, ...]  # to acknowledge with the dose (first dose: the checklist's)
    hold: PreDoseHold
    post_dose: PostDoseGate
    checklist: ChecklistGate

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def overrides(self) -> tuple[GateOverride, ...]:
        """The overrides that lifted a gate of this session (for 'override recorded by')."""
        found = [self.hold.override, self.post_dose.override]
        found += [o for _, o in self.checklist.overridden]
        return tuple(o for o in found if o is not None)


# ------------------------------------------------------------------ the rules


def _reading_overrides(overrides: Iterable[GateOverride]) -> list[GateOverride]:
    return [o for o in overrides if o.kind is OverrideKind.READING]


def _override_for(r: GateReading, overrides: Iterable[GateOverride]) -> GateOverride | None:
    # Overrides written without a reading (data from before overrides named one) cover
    # the readings recorded before them.
    found = [
        o
        for o in overrides
        if o.reading_id == r.id or (o.reading_id is None and o.recorded_at >= r.recorded_at)
    ]
    return max(found, key=lambda o: (o.recorded_at, o.id)) if found else None


def pre_dose_hold(
    protocol: Protocol, readings: Iterable[GateReading], overrides: Iterable[GateOverride]
) -> PreDoseHold:
    """Whether the pre-dose readings hold the first dose (see the module notes)."""
    pre = sorted((r for r in readings if r.phase is Phase.PRE_DOSE), key=lambda r: r.order)
    by_reading = _reading_overrides(overrides)
    interval = timedelta(minutes=protocol.recheck_after_min)
    holding: GateReading | None = None
    too_soon: list[GateReading] = []
    override: GateOverride | None = None
    lifted_by: GateReading | None = None
    for r in pre:
        if r.band is not Band.NORMAL:
            too_soon, lifted_by = [], None
            override = _override_for(r, by_reading)
            holding = None if override is not None else r
        elif holding is not None:
            if r.effective_at >= holding.taken_at + interval:
                holding, lifted_by, too_soon = None, r, []
            else:
                too_soon.append(r)
    return PreDoseHold(
        reading=holding,
        lifts_at=None if holding is None else holding.taken_at + interval,
        too_soon=tuple(too_soon),
        override=override,
        lifted_by=lifted_by,
    )


def post_dose_gate(
    protocol: Protocol, readings: Iterable[GateReading], overrides: Iterable[GateOverride]
) -> PostDoseGate:
    """The post-dose readings that gate every further dose (see the module notes)."""
    bands = set(protocol.booster_gate_bands)
    gating = sorted(
        (r for r in readings if r.phase is Phase.POST_DOSE and r.band in bands),
        key=lambda r: r.order,
    )
    by_id = {o.reading_id: o for o in sorted(_reading_overrides(overrides), key=_ov_order)}
    covered: GateReading | None = None
    override: GateOverride | None = None
    for r in gating:
        if r.id in by_id:
            covered, override = r, by_id[r.id]
    open_ = tuple(r for r in gating if covered is None or r.order > covered.order)
    return PostDoseGate(readings=open_, override=override)


def _ov_order(o: GateOverride) -> tuple[datetime, int]:
    return (o.recorded_at, o.id)


def checklist_gate(
    protocol: Protocol,
    route: Route | None,
    answers: Mapping[str, object],
    overrides: Iterable[GateOverride],
) -> ChecklistGate:
    """The checklist as a gate for a dose by ``route`` (None: the route is not known yet,
    so route-specific items are left out)."""
    by_item: dict[str, GateOverride] = {}
    for o in sorted(overrides, key=_ov_order):
        if o.kind is OverrideKind.CHECKLIST and o.item_id:
            by_item[o.item_id] = o
    blocks: list[ChecklistBlock] = []
    overridden: list[tuple[ChecklistItem, GateOverride]] = []
    warnings: list[str] = []
    complete = True
    for item in protocol.checklist_for(route):
        value = answers.get(item.id)
        if item.kind == "number":
            complete = complete and (value is not None or not item.required)
            continue
        if value is not True and item.required:
            complete = False
        if value is True:
            continue
        if item.blocks_dose:
            if item.id in by_item:
                overridden.append((item, by_item[item.id]))
            else:
                blocks.append(ChecklistBlock(item, value))
        elif item.required:
            warnings.append(f"Checklist: '{item.label}' {_answered(value)}.")
    return ChecklistGate(tuple(blocks), tuple(overridden), tuple(warnings), complete)


def _answered(value: object) -> str:
    return "is answered no" if value is False else "is not answered"


def rule_of(reading: GateReading, protocol: Protocol) -> str:
    """The id of the rule that gave the reading its band ('pre-dose-elevated')."""
    bands = {r.id: r.band for r in protocol.vital_rules}
    for rule in reading.rules:
        if bands.get(rule) is reading.band:
            return rule
    return reading.rules[0] if reading.rules else f"{reading.phase.value}-{reading.band.value}"


def dose_gate(
    protocol: Protocol,
    *,
    first_dose: bool,
    route: Route | None,
    answers: Mapping[str, object],
    readings: Iterable[GateReading],
    overrides: Iterable[GateOverride],
) -> DoseGate:
    """Everything that refuses the next dose, and the warnings to acknowledge with it.

    The first dose is held by the pre-dose hold; every dose by the post-dose gate and the
    blocking checklist items. The checklist's warnings go with the first dose only.
    """
    readings, overrides = tuple(readings), tuple(overrides)
    hold = pre_dose_hold(protocol, readings, overrides)
    post = post_dose_gate(protocol, readings, overrides)
    checklist = checklist_gate(protocol, route, answers, overrides)
    blocks: list[Block] = []
    if first_dose and hold.reading is not None:
        r = hold.reading
        blocks.append(
            Block(
                GateKind.PRE_DOSE_HOLD,
                rule_of(r, protocol),
                r.protocol_label or protocol.label,
                reading=r,
                lifts_at=hold.lifts_at,
                too_soon=hold.too_soon,
            )
        )
    if post.reading is not None:
        worst = max(post.readings, key=lambda r: (r.band.rank, r.order))
        blocks.append(
            Block(
                GateKind.POST_DOSE_GATE,
                rule_of(worst, protocol),
                worst.protocol_label or protocol.label,
                reading=post.reading,
                open_readings=post.readings,
            )
        )
    for b in checklist.blocks:
        blocks.append(
            Block(
                GateKind.CHECKLIST,
                f"checklist-{b.item.id}",
                protocol.label,
                item=b.item,
                answer=b.answer,
            )
        )
    warnings = checklist.warnings if first_dose else ()
    return DoseGate(tuple(blocks), warnings, hold, post, checklist)


# ------------------------------------------------------------------ words


def who_may_override() -> str:
    """'a clinician': who may record an override."""
    return " or ".join(f"a {r.value}" for r in roles_that_can(Action.OVERRIDE_HOLD)) or "nobody"


def too_soon_text(block: Block, fmt: TimeText = utc_hhmm) -> str:
    """'recheck too soon: the hold stands until 10:35' ('' when no recheck came too soon)."""
    if not block.too_soon or block.lifts_at is None:
        return ""
    return f"recheck too soon: the hold stands until {fmt(block.lifts_at)}"


def block_message(block: Block, fmt: TimeText = utc_hhmm) -> str:
    """'held by pre-dose-elevated, kap-default v1.0: pre-dose BP 152/94 at 10:30 is ...'."""
    head = f"held by {block.rule_id}, {block.protocol_label}: "
    who = who_may_override()
    r = block.reading
    if block.kind is GateKind.PRE_DOSE_HOLD and r is not None:
        text = f"pre-dose {r.text} at {fmt(r.taken_at)} is {r.band.value}"
        soon = too_soon_text(block, fmt)
        text += f"; {soon}." if soon else "."
        until = f" (from {fmt(block.lifts_at)})" if block.lifts_at else ""
        return (
            f"{head}{text} Recheck after rest{until}, or {who} records an override "
            "with the prescriber's name and a reason."
        )
    worst = block.worst
    if block.kind is GateKind.POST_DOSE_GATE and worst is not None:
        others = [x for x in block.open_readings if x is not worst]
        also = "; ".join(f"{x.text} at {fmt(x.taken_at)} ({x.band.value})" for x in others)
        return (
            f"{head}post-dose {worst.text} at {fmt(worst.taken_at)} is {worst.band.value}"
            f"{f'; also {also}' if also else ''}. No further dose until {who} records an "
            "override with the prescriber's name and a reason."
        )
    label = block.item.label if block.item else block.rule_id
    return (
        f"{head}'{label}' {_answered(block.answer)}. Answer it yes, or {who} records an "
        "override with the prescriber's name and a reason."
    )


def override_text(o: GateOverride, fmt: TimeText = utc_hhmm) -> str:
    """'override recorded by Dr Rivera at 10:42: reason'."""
    return f"override recorded by {o.prescriber_name} at {fmt(o.recorded_at)}: {o.reason}"
