"""What reading is due when: a pure function of protocol, doses, readings and now.

Decisions a caller must know:

* Everything is judged *as of* ``now``: doses and readings later than ``now``
  are ignored, and ``discharged_at`` later than ``now`` counts as not yet
  discharged. All datetimes must be timezone-aware (normalised to UTC).
* Before the first dose only the PRE_DOSE items are listed; timed and
  DISCHARGE items appear once a dose exists (their times are unknown before).
* A reading strictly before the first dose is a pre-dose reading.
* Readings are assigned in time order, each to at most one item: first to the
  earliest item whose window holds the reading (on time); failing that, to the
  earliest unsatisfied timed item whose window has already closed (late).
  In-window comes first so that a reading at 22 min counts as the 20-min
  infusion reading, not as a late 10-min one. A reading before a window opens
  never satisfies it.
* DISCHARGE items open ``from_min`` before the minimum observation ends
  (never before the first dose), stay DUE until discharge (never OVERDUE) and
  are satisfied by a reading from their opening on.
* After discharge every item not DONE is MISSED; readings taken after
  discharge satisfy nothing. An item once OVERDUE stays OVERDUE until a late
  reading or discharge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kapdesk.domain.clock import ensure_utc
from kapdesk.domain.protocol import Anchor, Protocol, Route, ScheduledReading


class ItemStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    MISSED = "missed"


_OPEN_STATUSES = (ItemStatus.UPCOMING, ItemStatus.DUE, ItemStatus.OVERDUE)


@dataclass(frozen=True)
class DueItem:
    key: str  # stable: 'post-dose-20-30#2', 'infusion@30', 'pre-dose'
    schedule_id: str
    label: str
    anchor: Anchor
    opens_at: datetime | None
    closes_at: datetime | None
    status: ItemStatus
    satisfied_by: datetime | None = None
    on_time: bool | None = None  # True: done in its window; False: done late
    dose_index: int | None = None  # 1-based, EACH_DOSE items only

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
        return _time_status(self.opens_at, self.closes_at, ensure_utc(now))


def _time_status(opens: datetime | None, closes: datetime | None, now: datetime) -> ItemStatus:
    if opens is not None and now < opens:
        return ItemStatus.UPCOMING
    if closes is not None and now > closes:
        return ItemStatus.OVERDUE
    return ItemStatus.DUE


def minimum_observation_end(
    protocol: Protocol, route: Route | None, dose_times: Sequence[datetime]
) -> datetime | None:
    """First dose + the protocol's minimum observation for the route (None before a dose).

    Without a route the longest minimum of the protocol applies.
    """
    if not dose_times:
        return None
    first = min(ensure_utc(d) for d in dose_times)
    if route is None:
        minutes = max(protocol.min_observation_min.values(), default=0)
    else:
        minutes = protocol.min_observation_for(route)
    return first + timedelta(minutes=minutes)


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


def _timed_slots(spec: ScheduledReading, doses: list[datetime]) -> list[_Slot]:
    anchors = [doses[0]] if spec.anchor is Anchor.FIRST_DOSE else doses
    slots: list[_Slot] = []
    for i, anchor in enumerate(anchors, start=1):
        for k in range(spec.repeat_count):
            offset = k * spec.repeat_every_min
            key, label = spec.id, spec.label
            if spec.repeat_count > 1:
                key += f"@{spec.from_min + offset}"
                label += f" – {spec.from_min + offset} min"
            index = None
            if spec.anchor is Anchor.EACH_DOSE:
                index = i
                key += f"#{i}"
                if len(anchors) > 1:
                    label += f" (dose {i})"
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


def _in_window(slot: _Slot, reading: datetime, first_dose: datetime | None) -> bool:
    anchor = slot.spec.anchor
    if anchor is Anchor.PRE_DOSE:
        return first_dose is None or reading < first_dose
    if anchor is Anchor.DISCHARGE:
        return slot.opens is not None and reading >= slot.opens
    return (
        slot.opens is not None and slot.closes is not None and slot.opens <= reading <= slot.closes
    )


def compute_schedule(
    protocol: Protocol,
    *,
    route: Route | None,
    dose_times: Sequence[datetime],
    readings: Sequence[datetime],
    now: datetime,
    discharged_at: datetime | None = None,
    checked_in_at: datetime | None = None,
) -> list[DueItem]:
    """The protocol's readings for one session with their windows and status as of ``now``.

    Order: PRE_DOSE items, then timed items by opening time, then DISCHARGE items.
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

    pre: list[_Slot] = []
    timed: list[_Slot] = []
    final: list[_Slot] = []
    obs_end = minimum_observation_end(protocol, route, doses)
    for spec in protocol.schedule:
        if spec.anchor is Anchor.PRE_DOSE:
            pre.append(_Slot(spec.id, spec, spec.label, checked_in, first_dose))
        elif first_dose is None or obs_end is None:
            continue
        elif spec.anchor is Anchor.DISCHARGE:
            opens = max(first_dose, obs_end - timedelta(minutes=spec.from_min))
            final.append(_Slot(spec.id, spec, spec.label, opens, discharged))
        else:
            timed.extend(_timed_slots(spec, doses))
    timed.sort(key=lambda s: s.opens or now)  # stable: protocol order on ties
    slots = pre + timed + final

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
                    and s.closes is not None
                    and reading > s.closes
                ),
                None,
            )
        if chosen is not None:
            chosen.reading, chosen.on_time = reading, on_time

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
        status = _time_status(slot.opens, slot.closes, now)
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
    )


def next_due(items: Sequence[DueItem], now: datetime) -> DueItem | None:
    """The item that needs attention soonest at ``now``.

    Overdue first (longest overdue first), then due (closing soonest first;
    open-ended last), then upcoming (opening soonest first).
    """
    now = ensure_utc(now)
    far = datetime.max.replace(tzinfo=now.tzinfo)
    best: tuple[int, datetime, int] | None = None
    chosen: DueItem | None = None
    for position, item in enumerate(items):
        status = item.status_at(now)
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
