"""Which automatic backups to keep: by age and by total size (a clinic setting).

The rule, for the automatic (rolling: on exit, daily) backups only:

* of each of the last ``keep_days`` calendar days (today and the days before it), the
  newest backup of that day;
* of each of the last ``keep_weeks`` weeks (Monday to Sunday; this week and the weeks
  before it), the newest backup of that week;
* of those, newest first, as many as fit in ``size_cap_bytes`` together; the first one
  that does not fit and every older one go;
* the newest backup is always kept, even alone over the cap, and a backup dated later
  than now (a clock set back) counts as today's.

Backups made with "Back up now" (manual) are never pruned and do not count toward the
cap: they are the administrator's, kept until someone deletes them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

GB = 1024**3


@dataclass(frozen=True)
class RetentionPolicy:
    keep_days: int = 7
    keep_weeks: int = 4
    size_cap_bytes: int = 20 * GB


@dataclass(frozen=True)
class Candidate:
    """One backup as the rule sees it; ``key`` identifies it to the caller (a path)."""

    key: Hashable
    taken_at: datetime
    size_bytes: int
    manual: bool = False


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())  # its Monday


def kept_backups(
    backups: Sequence[Candidate],
    now: datetime,
    policy: RetentionPolicy,
    day_of: Callable[[datetime], date],
) -> set[Hashable]:
    """The keys of the backups to keep (every manual one among them); see the module doc.

    ``day_of`` gives a backup's calendar day (the clinic's local day).
    """
    rolling = sorted((b for b in backups if not b.manual), key=lambda b: b.taken_at, reverse=True)
    kept: set[Hashable] = {b.key for b in backups if b.manual}
    if not rolling:
        return kept
    today = day_of(now)
    first_day = today - timedelta(days=policy.keep_days - 1)
    first_week = _week(today) - timedelta(weeks=policy.keep_weeks - 1)
    days_seen: set[date] = set()
    weeks_seen: set[date] = set()
    chosen: list[Candidate] = []
    for b in rolling:  # newest first: the first of a day (week) is its newest
        day = min(day_of(b.taken_at), today)
        week = _week(day)
        newest_of_day = day not in days_seen
        newest_of_week = week not in weeks_seen
        days_seen.add(day)
        weeks_seen.add(week)
        if (newest_of_day and policy.keep_days > 0 and day >= first_day) or (
            newest_of_week and policy.keep_weeks > 0 and week >= first_week
        ):
            chosen.append(b)
    if not chosen or chosen[0] is not rolling[0]:
        chosen.insert(0, rolling[0])
    total = 0
    for i, b in enumerate(chosen):
        total += b.size_bytes
        if i > 0 and total > policy.size_cap_bytes:
            break
        kept.add(b.key)
    return kept
