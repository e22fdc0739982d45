"""The gates in front of every dose: the pre-dose hold, the post-dose gate, the checklist.

One definition each, as pure functions over small frozen values. Services load the
session's rows, convert them (``GateReading``, ``GateOverride``), call ``dose_gate``
and refuse or write; the session pages call the same functions to show what blocks
the dose and why.

* **Pre-dose hold.** Every pre-dose reading that is not normal holds the first dose
  until it is lifted, whatever order the readings were typed or entered in. A normal
  recheck lifts it when taken at or after ``protocol.recheck_after_min`` from the
  holding reading, recorded after it, and measuring every value the holding reading's
  rules fired on (a BP-only recheck lifts no SpO2 or pulse hold). A recheck counts from
  the earlier of its typed time and the time it was recorded, so a time typed ahead of
  the clock never lifts a hold early. A normal reading taken sooner is kept and shown
  ("recheck too soon") but lifts nothing. An override naming a holding reading lifts
  the holding readings recorded at or before the override (the ones the clinician
  could have seen); a reading entered after it holds again, even typed earlier.
* **Post-dose gate.** A post-dose reading in one of ``protocol.booster_gate_bands``
  (alert, critical) gates every further dose, even when later readings are normal, until
  an override covers it. An override naming a gating reading covers the gating readings
  recorded at or before the override (the clinician judged the session as they saw
  it), not one entered later with an earlier typed time.
* **Checklist.** Items with ``blocks_dose`` block until answered yes or overridden (an
  override of kind 'checklist' naming the item); other yes/no items answered anything
  but yes are warnings, acknowledged with the first dose and stored with it.

The refusals (:func:`block_message`) are in the active language; the checklist's
warnings are stored with the dose, so they are ``Wording`` (English where kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# The gates' words live in gate_words; callers import them from here as before.
from kapdesk.domain.gate_words import TimeText as TimeText
from kapdesk.domain.gate_words import block_message as block_message
from kapdesk.domain.gate_words import override_text as override_text
from kapdesk.domain.gate_words import too_soon_text as too_soon_text
from kapdesk.domain.gate_words import utc_hhmm as utc_hhmm
from kapdesk.domain.gate_words import who_may_override as who_may_override
from kapdesk.domain.protocol import Band, ChecklistItem, Phase, Protocol, Route
from kapdesk.domain.vitals import VitalsInput
from kapdesk.domain.wording import Wording, label_of
from kapdesk.i18n import N_


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
    values: VitalsInput | None = None  # None: not known (every value counts as measured)

    @property
    def measured(self) -> frozenset[str]:
        """The values this reading measured: 'bp', 'pulse', 'spo2'."""
        v = self.values
        if v is None:
            return _ALL_VALUES
        found = {"bp"}
        if v.pulse is not None:
            found.add("pulse")
        if v.spo2 is not None:
            found.add("spo2")
        return frozenset(found)

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
    # every holding reading not yet lifted, oldest first (``reading`` is the worst of them)
    readings: tuple[GateReading, ...] = ()
    needs: frozenset[str] = frozenset()  # what a recheck must measure ('pulse', 'spo2', 'bp')

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
    needs: frozenset[str] = frozenset()  # pre-dose hold: what the recheck must measure

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


_ALL_VALUES = frozenset({"bp", "pulse", "spo2"})


def _reading_overrides(overrides: Iterable[GateOverride]) -> list[GateOverride]:
    return [o for o in overrides if o.kind is OverrideKind.READING]


def _covering(
    r: GateReading, overrides: Iterable[GateOverride], named: Mapping[int, GateReading]
) -> GateOverride | None:
    """The latest override that covers ``r``: one recorded at or after ``r`` was recorded
    and naming a reading of the same gate (``named``) or, for data from before overrides
    named one, no reading at all."""
    found = [
        o
        for o in overrides
        if o.recorded_at >= r.recorded_at
        and (
            o.reading_id is None
            or (o.reading_id in named and named[o.reading_id].recorded_at <= o.recorded_at)
        )
    ]
    return max(found, key=_ov_order) if found else None


def fired_on(reading: GateReading, protocol: Protocol) -> frozenset[str]:
    """The values the reading's rules fired on ('bp', 'pulse', 'spo2'): what a recheck
    must measure. A rule this protocol does not know: every value the reading measured."""
    rules = {r.id: r for r in protocol.vital_rules}
    v = reading.values
    out: set[str] = set()
    for rule_id in reading.rules or ("?",):
        rule = rules.get(rule_id)
        if rule is None:
            return reading.measured
        if rule.pulse_gt is not None and (
            v is None or (v.pulse is not None and v.pulse > rule.pulse_gt)
        ):
            out.add("pulse")
        if rule.spo2_lt is not None and (
            v is None or (v.spo2 is not None and v.spo2 < rule.spo2_lt)
        ):
            out.add("spo2")
        bp = (rule.systolic_gte, rule.systolic_gt, rule.diastolic_gte, rule.diastolic_gt)
        rise = (rule.systolic_rise_gte, rule.diastolic_rise_gte)
        if any(x is not None for x in (*bp, *rise)):
            out.add("bp")
    return frozenset(out)


def _lifts(
    recheck: GateReading, held: GateReading, needs: frozenset[str], interval: timedelta
) -> bool:
    return (
        recheck.band is Band.NORMAL
        and recheck.effective_at >= held.taken_at + interval
        and recheck.recorded_at >= held.recorded_at
        and recheck.id != held.id
        and needs <= recheck.measured
    )


def pre_dose_hold(
    protocol: Protocol, readings: Iterable[GateReading], overrides: Iterable[GateOverride]
) -> PreDoseHold:
    """Whether the pre-dose readings hold the first dose (see the module notes)."""
    pre = sorted((r for r in readings if r.phase is Phase.PRE_DOSE), key=lambda r: r.order)
    holding_all = [r for r in pre if r.band is not Band.NORMAL]
    named = {r.id: r for r in holding_all}
    by_reading = _reading_overrides(overrides)
    interval = timedelta(minutes=protocol.recheck_after_min)
    normal = [r for r in pre if r.band is Band.NORMAL]
    open_: list[GateReading] = []
    last_override: GateOverride | None = None
    last_lift: GateReading | None = None
    for r in holding_all:
        covering = _covering(r, by_reading, named)
        if covering is not None:
            last_override, last_lift = covering, None
            continue
        needs = fired_on(r, protocol)
        lifter = next((n for n in normal if _lifts(n, r, needs, interval)), None)
        if lifter is None:
            open_.append(r)
        else:
            last_override, last_lift = None, lifter
    if not open_:
        return PreDoseHold(None, None, override=last_override, lifted_by=last_lift)
    holding = max(open_, key=lambda r: (r.band.rank, r.order))
    lifts_at = max(r.taken_at for r in open_) + interval
    too_soon = tuple(n for n in normal if n.order > holding.order and n.effective_at < lifts_at)
    needs = frozenset().union(*(fired_on(r, protocol) for r in open_))
    return PreDoseHold(holding, lifts_at, too_soon, readings=tuple(open_), needs=needs)


def post_dose_gate(
    protocol: Protocol, readings: Iterable[GateReading], overrides: Iterable[GateOverride]
) -> PostDoseGate:
    """The post-dose readings that gate every further dose (see the module notes)."""
    bands = set(protocol.booster_gate_bands)
    gating = sorted(
        (r for r in readings if r.phase is Phase.POST_DOSE and r.band in bands),
        key=lambda r: r.order,
    )
    named = {r.id: r for r in gating}
    by_reading = [o for o in _reading_overrides(overrides) if o.reading_id in named]
    open_: list[GateReading] = []
    covered_by: list[GateOverride] = []
    for r in gating:
        o = _covering(r, by_reading, named)
        if o is None:
            open_.append(r)
        else:
            covered_by.append(o)
    override = max(covered_by, key=_ov_order) if covered_by else None
    return PostDoseGate(readings=tuple(open_), override=override)


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
            warnings.append(_checklist_warning(item, value))
    return ChecklistGate(tuple(blocks), tuple(overridden), tuple(warnings), complete)


def _checklist_warning(item: ChecklistItem, value: object) -> Wording:
    """Stored with the dose: English, shown translated."""
    if value is False:
        return Wording(N_("Checklist: '{item}' is answered no."), item=label_of(item))
    return Wording(N_("Checklist: '{item}' is not answered."), item=label_of(item))


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
                open_readings=hold.readings,
                needs=hold.needs,
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
