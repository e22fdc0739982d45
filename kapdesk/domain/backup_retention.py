"""Which automatic backups to keep: by age and by total size (a clinic setting).

The rule, for the automatic (rolling: on exit, daily) backups only:

* of each of the last ``keep_days`` calendar days (today and the days before it), the
  newest backup of that day;
* of each of the last ``keep_weeks`` weeks (Monday to Sunday; this week and the weeks
  before it), the newest backup of that week;
* of those, newest first, as many as fit in ``size_cap_bytes`` together; the first one
  that does not fit and every older one go;
* the backup just made (``just_made``) is always kept, even alone over the cap: it
  comes first, and is the newest of its day and week (it is the freshest copy, whatever
  the clock or its name says); without one, the newest backup dated up to now is kept.

A backup dated later than now (the computer's clock was once set ahead, or has been set
back since) ranks below every backup dated up to now: it never takes a day's or a
week's place, nor room under the cap, from one of them. Those future-dated backups are
chosen by the same day and week rule as if now were the newest one's date (after a clock
set back, the history made before is kept as it was), and are kept after every current
one while the cap allows.

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
    *,
    just_made: Hashable | None = None,
) -> set[Hashable]:
    """The keys of the backups to keep (every manual one among them); see the module doc.

    ``day_of`` gives a backup's calendar day (the clinic's local day); ``just_made`` is
    the key of the backup this prune follows (None: none).
    """
    rolling = sorted(
        (b for b in backups if not b.manual),
        key=lambda b: (b.key == just_made, b.taken_at),
        reverse=True,
    )
    kept: set[Hashable] = {b.key for b in backups if b.manual}
    current = [b for b in rolling if b.taken_at <= now]
    future = [b for b in rolling if b.taken_at > now]
    ranked = _newest_per_day_and_week(current, day_of(now), policy, day_of)
    if future:
        latest = day_of(max(b.taken_at for b in future))
        ranked += _newest_per_day_and_week(future, latest, policy, day_of)
    if rolling and rolling[0].key == just_made:
        ranked = [rolling[0], *(b for b in ranked if b is not rolling[0])]
    total = 0
    for i, b in enumerate(ranked):
        total += b.size_bytes
        if i > 0 and total > policy.size_cap_bytes:
            break
        kept.add(b.key)
    return kept


def _newest_per_day_and_week(
    newest_first: list[Candidate],
    today: date,
    policy: RetentionPolicy,
    day_of: Callable[[datetime], date],
) -> list[Candidate]:
    """Of backups dated up to ``today``, newest first (the one just made first): the
    newest of each day and week of the windows ending ``today``, and the newest of all."""
    first_day = today - timedelta(days=policy.keep_days - 1)
    first_week = _week(today) - timedelta(weeks=policy.keep_weeks - 1)
    days_seen: set[date] = set()
    weeks_seen: set[date] = set()
    chosen: list[Candidate] = []
    for b in newest_first:  # the first of a day (week) is its newest
        day = day_of(b.taken_at)
        week = _week(day)
        newest_of_day = day not in days_seen
        newest_of_week = week not in weeks_seen
        days_seen.add(day)
        weeks_seen.add(week)
        if (newest_of_day and policy.keep_days > 0 and day >= first_day) or (
            newest_of_week and policy.keep_weeks > 0 and week >= first_week
        ):
            chosen.append(b)
    if newest_first and (not chosen or chosen[0] is not newest_first[0]):
        chosen.insert(0, newest_first[0])
    return chosen
