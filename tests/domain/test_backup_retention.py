"""Keep-by-age-and-size: the newest backup of each recent day and week, within a size cap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kapdesk.domain.backup_retention import GB, Candidate, RetentionPolicy, kept_backups

NOW = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)  # a Wednesday


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def backup(key: str, days_ago: float, size: int = GB, manual: bool = False) -> Candidate:
    return Candidate(key, NOW - timedelta(days=days_ago), size, manual)


def test_seven_daily_and_four_weekly_of_two_backups_a_day() -> None:
    # Two backups a day (10:00 and 18:00) for 60 days, 1 GB each.
    backups = [
        Candidate(f"{d}-{h}", datetime(2026, 3, 4, h, tzinfo=UTC) - timedelta(days=d), GB)
        for d in range(60)
        for h in (10, 18)
        if d or h == 10  # today's 18:00 is still to come
    ]
    kept = kept_backups(backups, NOW, RetentionPolicy(7, 4, 100 * GB), utc_day)
    days = [f"{d}-18" for d in range(1, 7)]
    # Weeks run Monday to Sunday: this week's newest is today's; the three before end
    # on Sundays Mar 1 (3 days ago, a daily one already), Feb 22 and Feb 15.
    assert kept == {"0-10", *days, "3-18", "10-18", "17-18"}


def test_the_size_cap_keeps_the_newest_that_fit_and_the_newest_always() -> None:
    backups = [backup(str(d), d + 0.1, size=3 * GB) for d in range(7)]
    assert kept_backups(backups, NOW, RetentionPolicy(7, 0, 10 * GB), utc_day) == {"0", "1", "2"}
    assert kept_backups(backups, NOW, RetentionPolicy(7, 0, 1 * GB), utc_day) == {"0"}


def test_manual_backups_are_never_pruned_nor_counted() -> None:
    backups = [backup("m1", 40, 50 * GB, manual=True), backup("a", 1), backup("old", 90)]
    kept = kept_backups(backups, NOW, RetentionPolicy(7, 4, 2 * GB), utc_day)
    assert kept == {"m1", "a"}


def test_a_backup_dated_after_now_counts_as_today() -> None:
    backups = [backup("future", -2), backup("today", 0.1), backup("yesterday", 1)]
    kept = kept_backups(backups, NOW, RetentionPolicy(2, 0, 100 * GB), utc_day)
    assert kept == {"future", "yesterday"}


candidates = st.lists(
    st.builds(
        Candidate,
        key=st.uuids(),
        taken_at=st.integers(-3 * 24 * 60, 120 * 24 * 60).map(lambda m: NOW - timedelta(minutes=m)),
        size_bytes=st.integers(1, 5 * GB),
        manual=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda c: c.key,
)
policies = st.builds(
    RetentionPolicy,
    keep_days=st.integers(1, 30),
    keep_weeks=st.integers(0, 12),
    size_cap_bytes=st.integers(1, 40 * GB),
)


def _expected(backups: list[Candidate], policy: RetentionPolicy) -> set[object]:
    """The rule spelled out differently: per day and per week, the maximum."""
    today = NOW.date()
    rolling = [b for b in backups if not b.manual]
    wanted = []
    for offset in range(policy.keep_days):
        day = today - timedelta(days=offset)
        on_day = [b for b in rolling if min(utc_day(b.taken_at), today) == day]
        if on_day:
            wanted.append(max(on_day, key=lambda b: b.taken_at))
    monday = today - timedelta(days=today.weekday())
    for offset in range(policy.keep_weeks):
        start = monday - timedelta(weeks=offset)
        in_week = [
            b for b in rolling if start <= min(utc_day(b.taken_at), today) < start + timedelta(7)
        ]
        if in_week:
            wanted.append(max(in_week, key=lambda b: b.taken_at))
    if rolling:
        wanted.append(max(rolling, key=lambda b: b.taken_at))
    ordered = sorted(set(wanted), key=lambda b: b.taken_at, reverse=True)
    kept: set[object] = {b.key for b in backups if b.manual}
    total = 0
    for i, b in enumerate(ordered):
        total += b.size_bytes
        if i and total > policy.size_cap_bytes:
            break
        kept.add(b.key)
    return kept


@settings(max_examples=300, deadline=None)
@given(backups=candidates, policy=policies)
def test_what_is_kept_is_exactly_the_newest_per_day_and_week_within_the_cap(
    backups: list[Candidate], policy: RetentionPolicy
) -> None:
    # Distinct times: "the newest of a day" is then one backup.
    times = [b.taken_at for b in backups]
    if len(set(times)) != len(times):
        return
    kept = kept_backups(backups, NOW, policy, utc_day)
    assert kept == _expected(backups, policy)
    assert {b.key for b in backups if b.manual} <= kept
    rolling = [b for b in backups if not b.manual]
    if rolling:
        newest = max(rolling, key=lambda b: b.taken_at)
        assert newest.key in kept
        kept_rolling = [b for b in rolling if b.key in kept]
        if len(kept_rolling) > 1:
            assert sum(b.size_bytes for b in kept_rolling) <= policy.size_cap_bytes
