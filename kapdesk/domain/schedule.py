"""What reading is due when: a pure function of protocol, doses, readings and now.

Decisions a caller must know:

* Everything is judged *as of* ``now``: doses and readings later than ``now``
  are ignored, and ``discharged_at`` later than ``now`` counts as not yet
  discharged. All datetimes must be timezone-aware (normalised to UTC).
* Before the first dose only the PRE_DOSE items (and pre-dose rechecks) are
  listed; timed and DISCHARGE items appear once a dose exists.
* A reading strictly before the first dose is a pre-dose reading.
* Status of a timed item (FIRST_DOSE / EACH_DOSE) without a reading:
  UPCOMING before its window opens; DUE from ``opens_at`` to ``closes_at``
  inclusive; OVERDUE after ``closes_at``; MISSED from ``missed_at`` on, where
  ``missed_at`` is the earlier of (a) the opening of the next protocol window
  of the session that opens after this one closed (the next reading is then
  what matters) and (b) ``closes_at`` + the protocol's ``missed_after_min``.
  MISSED is final: the item stays listed and counted, and no later reading
  satisfies it.
* Readings are assigned in time order, each to at most one protocol item: first
  to the earliest item whose window holds the reading (on time); failing that,
  to the earliest overdue timed item (closed before the reading, not yet
  missed at it: late). In-window comes first so that a reading at 22 min counts
  as the 20-min infusion reading, not as a late 10-min one. A reading before a
  window opens never satisfies it.
* Rechecks: each ``RecheckRequest`` (a reading whose rule says "repeat in N
  min") adds a RECHECK item, due from N min after that reading for the
  protocol's ``recheck_window_min``, then overdue and missed like a timed item.
  The first reading from its opening on satisfies it (on time up to
  ``closes_at``, late until ``missed_at``); rechecks do not use up readings (the
  same reading may also be a scheduled one). A recheck of a *pre-dose* reading
  is satisfied only by a pre-dose reading; once a dose is given an unsatisfied
  pre-dose recheck is dropped (the post-dose schedule takes over).
* Conditional items (``ScheduledReading.when``) are listed only when one of
  their conditions is in ``conditions`` (see ``session_conditions``).
* DISCHARGE items open ``from_min`` before the minimum observation ends
  (never before the first dose), stay DUE until discharge (never OVERDUE) and
  are satisfied by a reading from their opening on.
* After discharge every item not DONE is MISSED; readings taken after
  discharge satisfy nothing.
* An item's label is a ``Wording`` (kept in discharge checks; ``wording.shown``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.protocol import SCHEDULE_CONDITIONS, Anchor, Protocol, Route, ScheduledReading
from kapdesk.domain.protocol_model import Band, band_word
from kapdesk.domain.wording import Wording, label_of
from kapdesk.i18n import N_, _


class ItemStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    MISSED = "missed"

    @property
    def label(self) -> str:
        """'overdue' in the active language ('em atraso')."""
        return _(self.value)


# The words of ItemStatus.label (each status's value), marked for the catalogue.
_STATUS_WORDS = (N_("upcoming"), N_("due"), N_("overdue"), N_("done"), N_("missed"))

_OPEN_STATUSES = (ItemStatus.UPCOMING, ItemStatus.DUE, ItemStatus.OVERDUE)


@dataclass(frozen=True)
class RecheckRequest:
    """A reading whose rule asks for a repeat: 'repeat in ``after_min`` min'."""

    reading_at: datetime
    after_min: int
    band: str = ""  # 'alert', 'elevated': for the label only


@dataclass(frozen=True)
class DueItem:
    key: str  # stable: 'post-dose-20-30#2', 'infusion@30', 'pre-dose', 'recheck@...'
    schedule_id: str
    label: str
    anchor: Anchor
    opens_at: datetime | None
    closes_at: datetime | None
    status: ItemStatus
    satisfied_by: datetime | None = None
    on_time: bool | None = None  # True: done in its window; False: done late
    dose_index: int | None = None  # 1-based, EACH_DOSE items only
    missed_at: datetime | None = None  # when an unsatisfied item turns MISSED
    recheck_of: datetime | None = None  # RECHECK items: when the reading to recheck was taken

    def seconds_until_open(self, now: datetime) -> float | None:
        """Seconds until the window opens (negative once open); None if no opening time."""
        return None if self.opens_at is None else (self.opens_at - now).total_seconds()

    def seconds_until_close(self, now: datetime) -> float | None:
        """Seconds until the window closes (negative once overdue); None if open-ended."""
        return None if self.closes_at is None else (self.closes_at - now).total_seconds()

    def status_at(self, now: datetime) -> ItemStatus:
        """The status at another moment, without new readings (for a ticking countdown)."""
        if self.status not in _OPEN_STATUSES:
            return self.status
        return _time_status(self.opens_at, self.closes_at, self.missed_at, ensure_utc(now))


def _time_status(
    opens: datetime | None, closes: datetime | None, missed: datetime | None, now: datetime
) -> ItemStatus:
    if opens is not None and now < opens:
        return ItemStatus.UPCOMING
    if missed is not None and now >= missed:
        return ItemStatus.MISSED
    if closes is not None and now > closes:
        return ItemStatus.OVERDUE
    return ItemStatus.DUE


def minimum_observation_end(
    protocol: Protocol, route: Route | None, dose_times: Sequence[datetime]
) -> datetime | None:
    """When observation may end (None before a dose): the later of first dose + the
    protocol's minimum for the route and last dose + ``min_after_last_dose_min`` (a
    booster restarts that clock; kapdesk.domain.discharge relies on this).

    Without a route the longest minimum of the protocol applies.
    """
    if not dose_times:
        return None
    times = [ensure_utc(d) for d in dose_times]
    first = min(times)
    if route is None:
        minutes = max(protocol.min_observation_min.values(), default=0)
    else:
        minutes = protocol.min_observation_for(route)
    after_last = max(times) + timedelta(minutes=protocol.min_after_last_dose_min)
    return max(first + timedelta(minutes=minutes), after_last)


def session_conditions(
    *,
    baseline_elevated: bool = False,
    first_session: bool = False,
    dose_mg: float | None = None,
    previous_dose_mg: float | None = None,
) -> frozenset[str]:
    """The SCHEDULE_CONDITIONS that hold for a session.

    ``baseline_elevated``: a pre-dose reading of the session was not within limits.
    ``first_session``: no earlier session of the course was dosed.
    ``dose_increase``: the session's dose (mg, all doses) is above the previous dosed
    session's.
    """
    out = set()
    if baseline_elevated:
        out.add("elevated_baseline")
    if first_session:
        out.add("first_session")
    if dose_mg is not None and previous_dose_mg is not None and dose_mg > previous_dose_mg:
        out.add("dose_increase")
    assert out <= set(SCHEDULE_CONDITIONS)
    return frozenset(out)


@dataclass
class _Slot:
    """An item being built: window plus the reading assigned to it."""

    key: str
    spec: ScheduledReading
    label: str
    opens: datetime | None
    closes: datetime | None
    dose_index: int | None = None
    reading: datetime | None = None
    on_time: bool | None = None
    missed: datetime | None = None
    pre_dose: bool = False  # a recheck of a pre-dose reading
    recheck_of: datetime | None = None


def _timed_slots(spec: ScheduledReading, doses: list[datetime]) -> list[_Slot]:
    anchors = [doses[0]] if spec.anchor is Anchor.FIRST_DOSE else doses
    slots: list[_Slot] = []
    for i, anchor in enumerate(anchors, start=1):
        for k in range(spec.repeat_count):
            offset = k * spec.repeat_every_min
            key, label = spec.id, label_of(spec)
            if spec.repeat_count > 1:
                key += f"@{spec.from_min + offset}"
                label = Wording(
                    N_("{label} – {minutes} min"), label=label, minutes=spec.from_min + offset
                )
            index = None
            if spec.anchor is Anchor.EACH_DOSE:
                index = i
                key += f"#{i}"
                if len(anchors) > 1:
                    label = Wording(N_("{label} (dose {n})"), label=label, n=i)
            slots.append(
                _Slot(
                    key,
                    spec,
                    label,
                    anchor + timedelta(minutes=spec.from_min + offset),
                    anchor + timedelta(minutes=spec.to_min + offset),
                    index,
                )
            )
    return slots


def _recheck_slots(
    protocol: Protocol, requests: Sequence[RecheckRequest], first_dose: datetime | None
) -> list[_Slot]:
    slots: list[_Slot] = []
    seen: set[str] = set()
    for req in sorted(requests, key=lambda r: (ensure_utc(r.reading_at), r.after_min)):
        at = ensure_utc(req.reading_at)
        opens = at + timedelta(minutes=req.after_min)
        key = f"recheck@{at:%Y-%m-%dT%H:%M:%S}"
        n = 2
        while key in seen:
            key = f"recheck@{at:%Y-%m-%dT%H:%M:%S}#{n}"
            n += 1
        seen.add(key)
        label = _recheck_label(req)
        spec = ScheduledReading("recheck", label, Anchor.RECHECK, req.after_min, req.after_min)
        closes = opens + timedelta(minutes=protocol.recheck_window_min)
        pre = first_dose is None or at < first_dose
        slots.append(_Slot(key, spec, label, opens, closes, pre_dose=pre, recheck_of=at))
    return slots


def _recheck_label(req: RecheckRequest) -> Wording:
    """'Recheck 5 min after the alert reading'."""
    band = band_word(Band(req.band)) if req.band in tuple(Band) else req.band
    if not band:
        return Wording(N_("Recheck {minutes} min after a reading"), minutes=req.after_min)
    text = N_("Recheck {minutes} min after the {band} reading")
    return Wording(text, minutes=req.after_min, band=band)


def _in_window(slot: _Slot, reading: datetime, first_dose: datetime | None) -> bool:
    anchor = slot.spec.anchor
    if anchor is Anchor.PRE_DOSE:
        return first_dose is None or reading < first_dose
    if anchor is Anchor.DISCHARGE:
        return slot.opens is not None and reading >= slot.opens
    return (
        slot.opens is not None and slot.closes is not None and slot.opens <= reading <= slot.closes
    )


def _set_missed_at(slots: list[_Slot], protocol_slots: list[_Slot], grace: timedelta) -> None:
    """missed_at = the next protocol window opening after the close, or close + grace."""
    openings = sorted(s.opens for s in protocol_slots if s.opens is not None)
    for slot in slots:
        if slot.closes is None:
            continue
        closes = slot.closes
        following = next((o for o in openings if o > closes), None)
        limit = closes + grace
        slot.missed = limit if following is None else min(limit, following)


def _late_fits(slot: _Slot, reading: datetime) -> bool:
    return (
        slot.closes is not None
        and reading > slot.closes
        and (slot.missed is None or reading < slot.missed)
    )


def _protocol_slots(
    protocol: Protocol,
    route: Route | None,
    doses: list[datetime],
    wanted: set[str],
    checked_in: datetime | None,
    discharged: datetime | None,
) -> tuple[list[_Slot], list[_Slot], list[_Slot]]:
    """The protocol's pre-dose, timed and discharge slots for the session's conditions."""
    first_dose = doses[0] if doses else None
    pre: list[_Slot] = []
    timed: list[_Slot] = []
    final: list[_Slot] = []
    obs_end = minimum_observation_end(protocol, route, doses)
    for spec in protocol.schedule:
        if spec.when and not wanted.intersection(spec.when):
            continue
        if spec.anchor is Anchor.PRE_DOSE:
            pre.append(_Slot(spec.id, spec, label_of(spec), checked_in, first_dose))
        elif first_dose is None or obs_end is None:
            continue
        elif spec.anchor is Anchor.DISCHARGE:
            opens = max(first_dose, obs_end - timedelta(minutes=spec.from_min))
            final.append(_Slot(spec.id, spec, label_of(spec), opens, discharged))
        else:
            timed.extend(_timed_slots(spec, doses))
    return pre, timed, final


def _match_readings(
    slots: Sequence[_Slot], taken: Sequence[datetime], first_dose: datetime | None
) -> None:
    """Each reading fills the first open slot whose window holds it, else (late) the first
    timed slot it still fits before that slot is missed."""
    for reading in taken:
        open_slots = [s for s in slots if s.reading is None]
        chosen = next((s for s in open_slots if _in_window(s, reading, first_dose)), None)
        on_time = True
        if chosen is None:
            on_time = False
            chosen = next(
                (
                    s
                    for s in open_slots
                    if s.spec.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE)
                    and _late_fits(s, reading)
                ),
                None,
            )
        if chosen is not None:
            chosen.reading, chosen.on_time = reading, on_time


def _match_rechecks(
    rechecks: Sequence[_Slot], taken: Sequence[datetime], first_dose: datetime | None
) -> list[_Slot]:
    """Rechecks with the reading that answered each; a pre-dose recheck left unanswered
    when the dose was given is dropped (the post-dose schedule takes over)."""
    kept: list[_Slot] = []
    for slot in rechecks:
        assert slot.opens is not None
        assert slot.closes is not None
        for reading in taken:
            if slot.pre_dose and first_dose is not None and reading >= first_dose:
                break
            if slot.opens <= reading <= slot.closes or _late_fits(slot, reading):
                slot.reading, slot.on_time = reading, reading <= slot.closes
                break
            if reading > slot.closes:
                break  # too late: the recheck was missed
        if slot.pre_dose and first_dose is not None and slot.reading is None:
            continue  # dosed: the post-dose schedule takes over
        kept.append(slot)
    return kept


def compute_schedule(
    protocol: Protocol,
    *,
    route: Route | None,
    dose_times: Sequence[datetime],
    readings: Sequence[datetime],
    now: datetime,
    discharged_at: datetime | None = None,
    checked_in_at: datetime | None = None,
    rechecks: Sequence[RecheckRequest] = (),
    conditions: Collection[str] = (),
) -> list[DueItem]:
    """The protocol's readings for one session with their windows and status as of ``now``.

    Order: PRE_DOSE items, then timed items and rechecks by opening time, then
    DISCHARGE items.
    """
    now = ensure_utc(now)
    doses = sorted(d for d in (ensure_utc(x) for x in dose_times) if d <= now)
    first_dose = doses[0] if doses else None
    discharged = ensure_utc(discharged_at) if discharged_at is not None else None
    if discharged is not None and discharged > now:
        discharged = None
    checked_in = ensure_utc(checked_in_at) if checked_in_at is not None else None
    cutoff = discharged if discharged is not None else now
    taken = sorted(r for r in (ensure_utc(x) for x in readings) if r <= cutoff)

    pre, timed, final = _protocol_slots(
        protocol, route, doses, set(conditions), checked_in, discharged
    )
    rechecks_ = _recheck_slots(
        protocol, [r for r in rechecks if ensure_utc(r.reading_at) <= cutoff], first_dose
    )
    grace = timedelta(minutes=protocol.missed_after_min)
    _set_missed_at(timed + rechecks_, timed + final, grace)

    _match_readings(pre + timed + final, taken, first_dose)
    kept_rechecks = _match_rechecks(rechecks_, taken, first_dose)

    middle = sorted(timed + kept_rechecks, key=lambda s: s.opens or now)  # stable on ties
    slots = pre + middle + final
    return [_finish(s, now, discharged, first_dose) for s in slots]


def _finish(
    slot: _Slot, now: datetime, discharged: datetime | None, first_dose: datetime | None
) -> DueItem:
    if slot.reading is not None:
        status = ItemStatus.DONE
    elif discharged is not None:
        status = ItemStatus.MISSED
    elif slot.spec.anchor is Anchor.PRE_DOSE and first_dose is not None:
        status = ItemStatus.MISSED  # dosed without a pre-dose reading
    else:
        status = _time_status(slot.opens, slot.closes, slot.missed, now)
    return DueItem(
        key=slot.key,
        schedule_id=slot.spec.id,
        label=slot.label,
        anchor=slot.spec.anchor,
        opens_at=slot.opens,
        closes_at=slot.closes,
        status=status,
        satisfied_by=slot.reading,
        on_time=slot.on_time,
        dose_index=slot.dose_index,
        missed_at=slot.missed,
        recheck_of=slot.recheck_of,
    )


def next_due(items: Sequence[DueItem], now: datetime) -> DueItem | None:
    """The item that needs attention soonest at ``now``.

    Overdue first (longest overdue first), then due (closing soonest first;
    open-ended last), then upcoming (opening soonest first). Missed items are
    past: they are counted (``attention``), never "next".
    """
    now = ensure_utc(now)
    return _soonest(items, [item.status_at(now) for item in items], now)


def _soonest(
    items: Sequence[DueItem], statuses: Sequence[ItemStatus], now: datetime
) -> DueItem | None:
    """``next_due`` with each item's status at ``now`` already worked out."""
    far = datetime.max.replace(tzinfo=now.tzinfo)
    best: tuple[int, datetime, int] | None = None
    chosen: DueItem | None = None
    for position, (item, status) in enumerate(zip(items, statuses, strict=True)):
        if status is ItemStatus.OVERDUE:
            rank = (0, item.closes_at or far, position)
        elif status is ItemStatus.DUE:
            rank = (1, item.closes_at or far, position)
        elif status is ItemStatus.UPCOMING:
            rank = (2, item.opens_at or far, position)
        else:
            continue
        if best is None or rank < best:
            best, chosen = rank, item
    return chosen


@dataclass(frozen=True)
class Attention:
    """What a board row says about readings at a moment."""

    next: DueItem | None  # next_due
    missed: tuple[DueItem, ...]  # missed items, latest window first
    more: int  # items due or overdue besides ``next``


def attention(items: Sequence[DueItem], now: datetime) -> Attention:
    """Next reading, missed readings and how many more need taking now, at ``now``."""
    now = ensure_utc(now)
    # each item's status once: the board works this out for every running row each second
    statuses = [item.status_at(now) for item in items]
    nxt = _soonest(items, statuses, now)
    far = datetime.min.replace(tzinfo=now.tzinfo)
    missed = tuple(
        sorted(
            (i for i, s in zip(items, statuses, strict=True) if s is ItemStatus.MISSED),
            key=lambda i: i.closes_at or i.opens_at or far,
            reverse=True,
        )
    )
    urgent = (ItemStatus.DUE, ItemStatus.OVERDUE)
    more = sum(1 for i, s in zip(items, statuses, strict=True) if i is not nxt and s in urgent)
    return Attention(nxt, missed, more)


def recheck_after(protocol: Protocol, rule_ids: Sequence[str]) -> int | None:
    """Minutes until the recheck of a reading that fired ``rule_ids``: the shortest 'repeat
    in N min' among them, else the protocol's ``recheck_after_min``; None when no rule fired.
    """
    if not rule_ids:
        return None
    rules = {r.id: r for r in protocol.vital_rules}
    minutes = [
        m for m in (rules[i].repeat_after_min for i in rule_ids if i in rules) if m is not None
    ]
    return min(minutes) if minutes else protocol.recheck_after_min
