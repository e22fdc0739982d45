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


def test_a_backup_dated_after_now_never_crowds_out_current_ones() -> None:
    # The clock was once a year ahead: that evening's backup is dated next year.
    backups = [backup("future", -400), backup("today", 0.1), backup("yesterday", 1)]
    kept = kept_backups(backups, NOW, RetentionPolicy(2, 0, 100 * GB), utc_day)
    assert kept == {"future", "today", "yesterday"}  # room for it under the cap
    kept = kept_backups(backups, NOW, RetentionPolicy(2, 0, 2 * GB), utc_day)
    assert kept == {"today", "yesterday"}  # it counts toward the cap, after current ones


def test_each_new_backup_survives_after_a_future_dated_one() -> None:
    # What the clinic saw: each day's exit backup was deleted by its own prune.
    backups = [backup("future", -400)]
    for day in range(3):
        now = NOW + timedelta(days=day)
        backups.append(Candidate(f"day{day}", now, GB))
        keys = kept_backups(
            backups, now, RetentionPolicy(7, 4, 20 * GB), utc_day, just_made=f"day{day}"
        )
        backups = [b for b in backups if b.key in keys]
    assert {b.key for b in backups} == {"future", "day0", "day1", "day2"}


def test_the_backup_just_made_is_kept_whatever_its_date_and_size() -> None:
    backups = [backup("ahead", -0.5), backup("just made", 0, size=5 * GB), backup("old", 1)]
    kept = kept_backups(backups, NOW, RetentionPolicy(1, 0, 1 * GB), utc_day, just_made="just made")
    assert kept == {"just made"}  # alone over the cap
    # A clock put back while it was written: dated after now, yet kept and ranked first.
    kept = kept_backups(backups, NOW, RetentionPolicy(1, 0, 6 * GB), utc_day, just_made="ahead")
    assert kept == {"ahead", "just made"}


def test_the_backup_just_made_is_the_newest_of_its_day_whatever_its_name_says() -> None:
    # Three in one second: the third reuses the first's freed name, which sorts older.
    same_second = [Candidate(name, NOW, GB) for name in ("x-2", "x")]
    kept = kept_backups(same_second, NOW, RetentionPolicy(7, 4, 20 * GB), utc_day, just_made="x")
    assert kept == {"x"}


def test_future_dated_backups_are_pruned_as_of_their_own_newest_date() -> None:
    # The clock set back years (a flat clock battery): the real history is "future".
    history = [backup(f"h{d}", -1000 + d) for d in range(10)]  # ten days, newest h0
    kept = kept_backups([*history, backup("now", 0)], NOW, RetentionPolicy(3, 0, 100 * GB), utc_day)
    assert kept == {"now", "h0", "h1", "h2"}


candidates = st.lists(
    st.builds(
        Candidate,
        key=st.uuids(),
        # up to 400 days ahead (a clock once set ahead, or set back since) or 120 days ago
        taken_at=st.one_of(
            st.integers(-3 * 24 * 60, 120 * 24 * 60),
            st.integers(-400 * 24 * 60, 0),
        ).map(lambda m: NOW - timedelta(minutes=m)),
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


def _newest_per_day_and_week(
    rolling: list[Candidate], today: date, policy: RetentionPolicy, just_made: object
) -> list[Candidate]:
    """Per day and per week of the windows ending ``today``, the maximum; and the newest
    (the one just made counts as newer than any other)."""

    def newest(of: list[Candidate]) -> Candidate:
        return max(of, key=lambda b: (b.key == just_made, b.taken_at))

    wanted = []
    for offset in range(policy.keep_days):
        day = today - timedelta(days=offset)
        on_day = [b for b in rolling if utc_day(b.taken_at) == day]
        if on_day:
            wanted.append(newest(on_day))
    monday = today - timedelta(days=today.weekday())
    for offset in range(policy.keep_weeks):
        start = monday - timedelta(weeks=offset)
        in_week = [b for b in rolling if start <= utc_day(b.taken_at) < start + timedelta(7)]
        if in_week:
            wanted.append(newest(in_week))
    if rolling:
        wanted.append(newest(rolling))
    return sorted(set(wanted), key=lambda b: b.taken_at, reverse=True)


def _expected(
    backups: list[Candidate], policy: RetentionPolicy, just_made: object = None
) -> set[object]:
    """The rule spelled out differently: the current ones by the day and week windows
    ending today, then the future-dated ones by the windows ending on their newest day;
    the one just made first (and newest of its day); the first of these always, the rest
    while under the cap."""
    rolling = [b for b in backups if not b.manual]
    current = [b for b in rolling if b.taken_at <= NOW]
    future = [b for b in rolling if b.taken_at > NOW]
    ordered = _newest_per_day_and_week(current, NOW.date(), policy, just_made)
    if future:
        newest_day = utc_day(max(b.taken_at for b in future))
        ordered += _newest_per_day_and_week(future, newest_day, policy, just_made)
    made = [b for b in rolling if b.key == just_made]
    ordered = made + [b for b in ordered if b not in made]
    kept: set[object] = {b.key for b in backups if b.manual}
    total = 0
    for i, b in enumerate(ordered):
        total += b.size_bytes
        if i and total > policy.size_cap_bytes:
            break
        kept.add(b.key)
    return kept


@settings(max_examples=400, deadline=None)
@given(backups=candidates, policy=policies, data=st.data())
def test_what_is_kept_is_exactly_the_newest_per_day_and_week_within_the_cap(
    backups: list[Candidate], policy: RetentionPolicy, data: st.DataObject
) -> None:
    # Distinct times: "the newest of a day" is then one backup.
    times = [b.taken_at for b in backups]
    if len(set(times)) != len(times):
        return
    rolling = [b for b in backups if not b.manual]
    just_made = data.draw(st.sampled_from([None, *(b.key for b in rolling)]))
    kept = kept_backups(backups, NOW, policy, utc_day, just_made=just_made)
    assert kept == _expected(backups, policy, just_made)
    assert {b.key for b in backups if b.manual} <= kept
    if just_made is not None:
        assert just_made in kept
    current = [b for b in rolling if b.taken_at <= NOW]
    if current and just_made is None:
        assert max(current, key=lambda b: b.taken_at).key in kept
    kept_rolling = [b for b in rolling if b.key in kept]
    if len(kept_rolling) > 1:
        assert sum(b.size_bytes for b in kept_rolling) <= policy.size_cap_bytes


@settings(max_examples=300, deadline=None)
@given(backups=candidates, policy=policies, data=st.data())
def test_future_dated_backups_never_change_which_current_ones_are_kept(
    backups: list[Candidate], policy: RetentionPolicy, data: st.DataObject
) -> None:
    current = [b for b in backups if b.manual or b.taken_at <= NOW]
    just_made = data.draw(st.sampled_from([None, *(b.key for b in current if not b.manual)]))
    with_future = kept_backups(backups, NOW, policy, utc_day, just_made=just_made)
    without = kept_backups(current, NOW, policy, utc_day, just_made=just_made)
    assert with_future & {b.key for b in current} == without
