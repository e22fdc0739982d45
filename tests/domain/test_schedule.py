"""The reading schedule: what is due when, for every preset, at the exact boundaries."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.protocol import Anchor, Route, builtin_protocols
from kapdesk.domain.schedule import (
    DueItem,
    ItemStatus,
    compute_schedule,
    minimum_observation_end,
    next_due,
)

P = builtin_protocols()
KAP, SPRAVATO, IV, SUBLINGUAL = (
    P["kap-default"],
    P["spravato-rems"],
    P["iv-infusion"],
    P["sublingual-kap"],
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def by_key(items: list[DueItem]) -> dict[str, DueItem]:
    return {i.key: i for i in items}


def kap(
    now: datetime,
    readings: list[datetime] | None = None,
    *,
    dose_times: list[datetime] | None = None,
    route: Route | None = Route.IM,
    discharged_at: datetime | None = None,
    checked_in_at: datetime | None = None,
) -> dict[str, DueItem]:
    """kap-default, by default one IM dose at minute 0."""
    items = compute_schedule(
        KAP,
        route=route,
        dose_times=[at(0)] if dose_times is None else dose_times,
        readings=readings or [],
        now=now,
        discharged_at=discharged_at,
        checked_in_at=checked_in_at,
    )
    return by_key(items)


# ------------------------------------------------------------ kap-default 20-30


@pytest.mark.parametrize(
    ("minute", "second", "status"),
    [
        (19, 59, ItemStatus.UPCOMING),
        (20, 0, ItemStatus.DUE),
        (25, 0, ItemStatus.DUE),
        (30, 0, ItemStatus.DUE),
        (30, 1, ItemStatus.OVERDUE),
    ],
)
def test_post_dose_window_boundaries(minute: int, second: int, status: ItemStatus) -> None:
    item = kap(at(minute, second))["post-dose-20-30#1"]
    assert item.status is status
    assert item.opens_at == at(20)
    assert item.closes_at == at(30)


def test_countdown_helpers() -> None:
    item = kap(at(19, 59))["post-dose-20-30#1"]
    assert item.seconds_until_open(at(19, 59)) == 1
    assert item.seconds_until_close(at(19, 59)) == 601
    late = kap(at(30, 1))["post-dose-20-30#1"]
    assert late.seconds_until_close(at(30, 1)) == -1
    pre = kap(at(-10), dose_times=[])["pre-dose"]
    assert pre.seconds_until_open(at(-10)) is None
    assert pre.seconds_until_close(at(-10)) is None


def test_status_at_moves_with_time_but_keeps_done_and_missed() -> None:
    item = kap(at(10))["post-dose-20-30#1"]
    assert item.status is ItemStatus.UPCOMING
    assert item.status_at(at(20)) is ItemStatus.DUE
    assert item.status_at(at(30)) is ItemStatus.DUE
    assert item.status_at(at(30, 1)) is ItemStatus.OVERDUE
    done = kap(at(40), [at(25)])["post-dose-20-30#1"]
    assert done.status_at(at(500)) is ItemStatus.DONE


@pytest.mark.parametrize("minute", [20, 25, 30])
def test_reading_in_window_is_done_on_time(minute: int) -> None:
    item = kap(at(40), [at(minute)])["post-dose-20-30#1"]
    assert item.status is ItemStatus.DONE
    assert item.satisfied_by == at(minute)
    assert item.on_time is True


def test_reading_after_window_is_done_late() -> None:
    item = kap(at(40), [at(35)])["post-dose-20-30#1"]
    assert item.status is ItemStatus.DONE
    assert item.satisfied_by == at(35)
    assert item.on_time is False
    one_second_late = kap(at(40), [at(30, 1)])["post-dose-20-30#1"]
    assert one_second_late.on_time is False


@pytest.mark.parametrize(("minute", "second"), [(15, 0), (19, 59)])
def test_early_reading_does_not_count(minute: int, second: int) -> None:
    items = kap(at(25), [at(minute, second)])
    assert items["post-dose-20-30#1"].status is ItemStatus.DUE
    assert items["post-dose-20-30#1"].satisfied_by is None
    assert kap(at(31), [at(minute, second)])["post-dose-20-30#1"].status is ItemStatus.OVERDUE
    # and being after the dose it is no pre-dose reading either
    assert items["pre-dose"].status is ItemStatus.MISSED


# ---------------------------------------------------------------- pre-dose


def test_before_any_dose_only_pre_dose_is_listed() -> None:
    for proto in P.values():
        items = compute_schedule(proto, route=None, dose_times=[], readings=[], now=at(-5))
        assert [i.anchor for i in items] == [Anchor.PRE_DOSE]
        assert items[0].status is ItemStatus.DUE
        assert items[0].key == "pre-dose"


def test_pre_dose_due_from_check_in() -> None:
    items = kap(at(-30), dose_times=[], checked_in_at=at(-20))
    assert items["pre-dose"].status is ItemStatus.UPCOMING
    assert items["pre-dose"].opens_at == at(-20)
    assert kap(at(-20), dose_times=[], checked_in_at=at(-20))["pre-dose"].status is ItemStatus.DUE


def test_pre_dose_done_by_any_reading_before_the_first_dose() -> None:
    before = kap(at(-5), [at(-15), at(-10)], dose_times=[])["pre-dose"]
    assert before.status is ItemStatus.DONE
    assert before.satisfied_by == at(-15)
    after = kap(at(5), [at(-10)], checked_in_at=at(-20))["pre-dose"]
    assert after.status is ItemStatus.DONE
    assert after.on_time is True
    assert after.closes_at == at(0)


def test_pre_dose_missed_when_dosed_without_one() -> None:
    items = kap(at(1), [])
    assert items["pre-dose"].status is ItemStatus.MISSED
    # a reading at the very moment of the dose is already post-dose
    assert kap(at(1), [at(0)])["pre-dose"].status is ItemStatus.MISSED


def test_session_ended_without_dose() -> None:
    items = compute_schedule(
        KAP, route=Route.IM, dose_times=[], readings=[], now=at(10), discharged_at=at(5)
    )
    assert [(i.key, i.status) for i in items] == [("pre-dose", ItemStatus.MISSED)]
    done = compute_schedule(
        KAP, route=Route.IM, dose_times=[], readings=[at(1)], now=at(10), discharged_at=at(5)
    )
    assert [(i.key, i.status) for i in done] == [("pre-dose", ItemStatus.DONE)]


# -------------------------------------------------------- several doses, boosters


def test_each_dose_gives_one_item_per_dose_including_boosters() -> None:
    items = kap(at(80), [at(-5), at(25), at(65)], dose_times=[at(40), at(0)])
    assert [k for k in items if k.startswith("post-dose")] == [
        "post-dose-20-30#1",
        "post-dose-20-30#2",
    ]
    first, second = items["post-dose-20-30#1"], items["post-dose-20-30#2"]
    assert (first.opens_at, first.closes_at, first.dose_index) == (at(20), at(30), 1)
    assert (second.opens_at, second.closes_at, second.dose_index) == (at(60), at(70), 2)
    assert first.satisfied_by == at(25)
    assert second.satisfied_by == at(65)
    assert "dose 2" in second.label


def test_booster_windows_that_overlap_take_one_reading_each() -> None:
    doses = [at(0), at(5)]  # windows 20-30 and 25-35
    one = kap(at(33), [at(27)], dose_times=doses)
    assert one["post-dose-20-30#1"].satisfied_by == at(27)
    assert one["post-dose-20-30#2"].status is ItemStatus.DUE
    assert kap(at(35, 1), [at(27)], dose_times=doses)["post-dose-20-30#2"].status is (
        ItemStatus.OVERDUE
    )
    two = kap(at(40), [at(27), at(29)], dose_times=doses)
    assert two["post-dose-20-30#1"].satisfied_by == at(27)
    assert two["post-dose-20-30#2"].satisfied_by == at(29)
    assert two["post-dose-20-30#2"].on_time is True


def test_booster_not_yet_given_is_not_listed() -> None:
    items = kap(at(30), [], dose_times=[at(0), at(40)])
    assert "post-dose-20-30#2" not in items


def test_spravato_first_dose_ignores_boosters() -> None:
    items = by_key(
        compute_schedule(
            SPRAVATO,
            route=Route.INTRANASAL,
            dose_times=[at(0), at(5), at(10)],
            readings=[at(-10), at(40)],
            now=at(50),
        )
    )
    assert list(items) == ["pre-dose", "post-dose-40", "pre-discharge"]
    post = items["post-dose-40"]
    assert (post.opens_at, post.closes_at) == (at(35), at(45))
    assert post.satisfied_by == at(40)
    assert post.dose_index is None
    assert items["pre-discharge"].opens_at == at(105)


def test_iv_infusion_repeats() -> None:
    items = compute_schedule(IV, route=Route.IV, dose_times=[at(0)], readings=[], now=at(0))
    timed = [i for i in items if i.anchor is Anchor.FIRST_DOSE]
    assert [i.key for i in timed] == [
        "infusion@10",
        "infusion@20",
        "infusion@30",
        "infusion@40",
        "post-infusion@55",
        "post-infusion@70",
        "post-infusion@85",
        "post-infusion@100",
    ]
    assert [i.opens_at for i in timed] == [at(m) for m in (10, 20, 30, 40, 55, 70, 85, 100)]
    assert [i.closes_at for i in timed] == [at(m) for m in (15, 25, 35, 45, 60, 75, 90, 105)]
    assert all(i.status is ItemStatus.UPCOMING for i in timed)


def test_reading_in_a_later_window_counts_there_not_as_a_late_earlier_one() -> None:
    items = by_key(
        compute_schedule(
            IV, route=Route.IV, dose_times=[at(0)], readings=[at(22), at(23)], now=at(26)
        )
    )
    assert items["infusion@20"].satisfied_by == at(22)
    assert items["infusion@20"].on_time is True
    # the 10-min reading was missed when the 20-min window opened: nothing undoes that
    assert items["infusion@10"].status is ItemStatus.MISSED
    assert items["infusion@10"].satisfied_by is None
    late = by_key(
        compute_schedule(
            IV, route=Route.IV, dose_times=[at(0)], readings=[at(17), at(22)], now=at(26)
        )
    )
    assert late["infusion@10"].satisfied_by == at(17)  # overdue, not yet missed: late
    assert late["infusion@10"].on_time is False
    assert late["infusion@20"].satisfied_by == at(22)


def test_late_reading_goes_to_the_earliest_overdue_item_not_yet_missed() -> None:
    items = by_key(
        compute_schedule(IV, route=Route.IV, dose_times=[at(0)], readings=[at(27)], now=at(28))
    )
    assert items["infusion@10"].status is ItemStatus.MISSED  # missed at 20:00
    assert items["infusion@20"].satisfied_by == at(27)
    assert items["infusion@20"].on_time is False
    both_overdue = by_key(  # 40-45 and 55-60: the 40-min reading is overdue from 45:01
        compute_schedule(
            IV,
            route=Route.IV,
            dose_times=[at(0)],
            readings=[at(12), at(22), at(32), at(50)],
            now=at(52),
        )
    )
    assert both_overdue["infusion@40"].satisfied_by == at(50)
    assert both_overdue["infusion@40"].on_time is False


def test_sublingual_has_only_pre_dose_and_end_of_session() -> None:
    items = compute_schedule(
        SUBLINGUAL, route=Route.SUBLINGUAL, dose_times=[at(0)], readings=[at(-5)], now=at(10)
    )
    assert [(i.key, i.status) for i in items] == [
        ("pre-dose", ItemStatus.DONE),
        ("end-of-session", ItemStatus.UPCOMING),
    ]
    assert items[1].opens_at == at(150 - 15)


# ---------------------------------------------------------------- discharge


@pytest.mark.parametrize(
    ("route", "minimum"),
    [
        (Route.IM, 120),
        (Route.IV, 120),
        (Route.SUBLINGUAL, 150),
        (Route.INTRANASAL, 120),
        (None, 150),
    ],
)
def test_minimum_observation_end_per_route(route: Route | None, minimum: int) -> None:
    assert minimum_observation_end(KAP, route, [at(30), at(0)]) == at(minimum)
    assert minimum_observation_end(KAP, route, []) is None
    item = kap(at(0), route=route)["pre-discharge"]
    assert item.opens_at == at(minimum - 15)


def test_discharge_reading_lead_time_and_never_overdue() -> None:
    readings = [at(-5), at(25)]
    assert kap(at(104, 59), readings)["pre-discharge"].status is ItemStatus.UPCOMING
    assert kap(at(105), readings)["pre-discharge"].status is ItemStatus.DUE
    still = kap(at(400), readings)["pre-discharge"]
    assert still.status is ItemStatus.DUE
    assert still.closes_at is None
    early = kap(at(110), [*readings, at(104, 59)])["pre-discharge"]
    assert early.status is ItemStatus.DUE
    done = kap(at(110), [*readings, at(105)])["pre-discharge"]
    assert done.status is ItemStatus.DONE
    assert done.satisfied_by == at(105)


def test_discharge_without_discharge_reading_is_missed() -> None:
    items = kap(at(200), [at(-5), at(25)], discharged_at=at(130))
    assert items["pre-discharge"].status is ItemStatus.MISSED
    assert items["pre-discharge"].closes_at == at(130)
    assert items["post-dose-20-30#1"].status is ItemStatus.DONE


def test_after_discharge_every_open_item_is_missed() -> None:
    items = kap(at(200), [at(-5)], discharged_at=at(60))
    assert items["pre-dose"].status is ItemStatus.DONE
    assert items["post-dose-20-30#1"].status is ItemStatus.MISSED
    assert items["pre-discharge"].status is ItemStatus.MISSED
    # readings after discharge satisfy nothing
    later = kap(at(200), [at(-5), at(130)], discharged_at=at(60))
    assert later["post-dose-20-30#1"].status is ItemStatus.MISSED


def test_discharge_in_the_future_of_now_is_not_yet_a_discharge() -> None:
    items = kap(at(25), [], discharged_at=at(130))
    assert items["post-dose-20-30#1"].status is ItemStatus.DUE


def test_events_after_now_are_ignored() -> None:
    items = kap(at(25), [at(28)], dose_times=[at(0), at(10)])
    assert items["post-dose-20-30#1"].status is ItemStatus.DUE
    assert "post-dose-20-30#2" in items
    assert "post-dose-20-30#2" not in kap(at(5), [], dose_times=[at(0), at(10)])


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        compute_schedule(
            KAP, route=Route.IM, dose_times=[datetime(2026, 3, 2, 9)], readings=[], now=at(1)
        )


# ---------------------------------------------------------------- next_due


def test_next_due_prefers_overdue_then_due_then_upcoming() -> None:
    items = compute_schedule(IV, route=Route.IV, dose_times=[at(0)], readings=[], now=at(17))
    assert next_due(items, at(17)).key == "infusion@10"  # type: ignore[union-attr]
    # the 10-min reading is missed when the 20-min window opens: that one is next
    items = compute_schedule(IV, route=Route.IV, dose_times=[at(0)], readings=[], now=at(22))
    assert next_due(items, at(22)).key == "infusion@20"  # type: ignore[union-attr]
    two_due = compute_schedule(  # overlapping booster windows: the one closing first
        KAP, route=Route.IM, dose_times=[at(0), at(5)], readings=[at(-1)], now=at(26)
    )
    assert next_due(two_due, at(26)).key == "post-dose-20-30#1"  # type: ignore[union-attr]
    items = compute_schedule(
        IV, route=Route.IV, dose_times=[at(0)], readings=[at(-1), at(12)], now=at(22)
    )
    assert next_due(items, at(22)).key == "infusion@20"  # type: ignore[union-attr]
    items = compute_schedule(
        IV, route=Route.IV, dose_times=[at(0)], readings=[at(-1), at(12)], now=at(16)
    )
    assert next_due(items, at(16)).key == "infusion@20"  # type: ignore[union-attr]


def test_next_due_reevaluates_time_and_ignores_finished_items() -> None:
    items = compute_schedule(KAP, route=Route.IM, dose_times=[at(0)], readings=[at(-5)], now=at(1))
    nxt = next_due(items, at(31))
    assert nxt is not None
    assert nxt.key == "post-dose-20-30#1"
    assert nxt.status_at(at(31)) is ItemStatus.OVERDUE
    finished = compute_schedule(
        KAP,
        route=Route.IM,
        dose_times=[at(0)],
        readings=[at(-5), at(25)],
        now=at(200),
        discharged_at=at(150),
    )
    assert next_due(finished, at(200)) is None
    assert next_due([], at(0)) is None


def test_next_due_puts_open_ended_due_items_after_windowed_ones() -> None:
    # (A booster's own 20-30 min reading closes before its pre-discharge check opens,
    # since observation runs 60 min past the last dose; the IV schedule overlaps instead.)
    taken = [at(-5), *(at(m) for m in (10, 20, 30, 40, 55, 70, 85))]
    items = compute_schedule(IV, route=Route.IV, dose_times=[at(0)], readings=taken, now=at(105))
    statuses = {i.key: i.status for i in items}
    assert statuses["post-infusion@100"] is ItemStatus.DUE
    assert statuses["pre-discharge"] is ItemStatus.DUE
    assert next_due(items, at(105)).key == "post-infusion@100"  # type: ignore[union-attr]


# ---------------------------------------------------------------- properties

minutes = st.integers(-60, 320)


@given(
    proto_id=st.sampled_from(sorted(P)),
    route=st.none() | st.sampled_from(list(Route)),
    doses=st.lists(st.integers(0, 150), max_size=3),
    readings=st.lists(minutes, max_size=12),
    now=st.integers(-30, 400),
    discharged=st.none() | st.integers(0, 400),
    checked_in=st.none() | st.integers(-60, 0),
)
def test_schedule_properties(
    proto_id: str,
    route: Route | None,
    doses: list[int],
    readings: list[int],
    now: int,
    discharged: int | None,
    checked_in: int | None,
) -> None:
    proto = P[proto_id]

    def run(taken: list[datetime], dose_times: list[datetime]) -> list[DueItem]:
        return compute_schedule(
            proto,
            route=route,
            dose_times=dose_times,
            readings=taken,
            now=at(now),
            discharged_at=None if discharged is None else at(discharged),
            checked_in_at=None if checked_in is None else at(checked_in),
        )

    dose_times = [at(m) for m in doses]
    items = run([at(m) for m in readings], dose_times)
    bare = run([], dose_times)
    is_discharged = discharged is not None and discharged <= now

    # the items depend on protocol, doses and now, never on readings
    assert [i.key for i in items] == [i.key for i in bare]
    assert len({i.key for i in items}) == len(items)
    assert sum(i.anchor is Anchor.PRE_DOSE for i in items) == 1
    if not [d for d in doses if d <= now]:
        assert all(i.anchor is Anchor.PRE_DOSE for i in items)

    # each reading satisfies at most one item
    used = Counter(i.satisfied_by for i in items if i.satisfied_by is not None)
    assert not used - Counter(at(m) for m in readings)

    for i in items:
        assert (i.status is ItemStatus.DONE) == (i.satisfied_by is not None)
        assert (i.on_time is None) == (i.satisfied_by is None)
        if i.satisfied_by is not None:
            assert i.satisfied_by <= at(now)
            if is_discharged:
                assert i.satisfied_by <= at(discharged)  # type: ignore[arg-type]
            if i.opens_at is not None and i.anchor is not Anchor.PRE_DOSE:
                assert i.satisfied_by >= i.opens_at  # early readings never count
            if i.on_time is False:
                assert i.closes_at is not None
                assert i.satisfied_by > i.closes_at
            elif i.closes_at is not None:
                assert i.satisfied_by <= i.closes_at
        if is_discharged:
            assert i.status in (ItemStatus.DONE, ItemStatus.MISSED)
        if i.status is ItemStatus.UPCOMING:
            assert i.opens_at is not None
            assert at(now) < i.opens_at
        if i.status is ItemStatus.DUE:
            assert i.opens_at is None or i.opens_at <= at(now)
            assert i.closes_at is None or at(now) <= i.closes_at
        if i.status is ItemStatus.OVERDUE:
            assert i.anchor in (Anchor.FIRST_DOSE, Anchor.EACH_DOSE)
            assert i.closes_at is not None
            assert at(now) > i.closes_at
        if i.status is ItemStatus.MISSED:
            assert (
                is_discharged
                or i.anchor is Anchor.PRE_DOSE
                or (i.missed_at is not None and at(now) >= i.missed_at)
            )
        if i.missed_at is not None:
            assert i.closes_at is not None
            assert (
                i.closes_at < i.missed_at <= i.closes_at + timedelta(minutes=proto.missed_after_min)
            )
            if i.on_time is False:
                assert i.satisfied_by is not None
                assert i.satisfied_by < i.missed_at

    # the order the caller passes events in does not matter
    shuffled = [at(m) for m in readings]
    random.Random(len(readings)).shuffle(shuffled)
    assert run(shuffled, list(reversed(dose_times))) == items

    # one more reading never undoes a reading already counted
    extra = run([*(at(m) for m in readings), at(now)], dose_times)
    done = sum(i.status is ItemStatus.DONE for i in items)
    assert sum(i.status is ItemStatus.DONE for i in extra) >= done

    nxt = next_due(items, at(now))
    open_items = [
        i for i in items if i.status in (ItemStatus.UPCOMING, ItemStatus.DUE, ItemStatus.OVERDUE)
    ]
    assert (nxt is None) == (not open_items)
    if nxt is not None and any(i.status is ItemStatus.OVERDUE for i in items):
        assert nxt.status is ItemStatus.OVERDUE


# ------------------------------------------------ overdue, then missed (issue 9)


@pytest.mark.parametrize(
    ("minute", "second", "status"),
    [
        (30, 0, ItemStatus.DUE),
        (30, 1, ItemStatus.OVERDUE),
        (44, 59, ItemStatus.OVERDUE),
        (45, 0, ItemStatus.MISSED),  # closes + missed_after_min (15)
        (90, 0, ItemStatus.MISSED),
    ],
)
def test_overdue_becomes_missed_after_the_grace(
    minute: int, second: int, status: ItemStatus
) -> None:
    item = kap(at(minute, second), [at(-5)])["post-dose-20-30#1"]
    assert KAP.missed_after_min == 15
    assert item.missed_at == at(45)
    assert item.status is status
    assert kap(at(10), [at(-5)])["post-dose-20-30#1"].status_at(at(minute, second)) is status


def test_missed_when_the_next_window_opens_before_the_grace() -> None:
    items = compute_schedule(IV, route=Route.IV, dose_times=[at(0)], readings=[], now=at(19, 59))
    first = by_key(items)["infusion@10"]
    assert first.status is ItemStatus.OVERDUE
    assert first.missed_at == at(20)  # infusion@20 opens before 15 + 15
    assert first.status_at(at(20)) is ItemStatus.MISSED
    assert by_key(items)["infusion@20"].status_at(at(20)) is ItemStatus.DUE


def test_a_missed_reading_stays_missed_and_no_late_reading_satisfies_it() -> None:
    items = kap(at(60), [at(-5), at(50)])
    assert items["post-dose-20-30#1"].status is ItemStatus.MISSED
    assert items["post-dose-20-30#1"].satisfied_by is None
    late_enough = kap(at(60), [at(-5), at(44, 59)])["post-dose-20-30#1"]
    assert (late_enough.status, late_enough.on_time) == (ItemStatus.DONE, False)


@given(
    to_min=st.integers(0, 60),
    grace=st.integers(1, 60),
    seconds=st.integers(0, 180 * 60),
)
def test_window_status_everywhere_on_the_timeline(to_min: int, grace: int, seconds: int) -> None:
    from dataclasses import replace

    spec = replace(KAP.schedule[1], from_min=0, to_min=to_min)
    proto = replace(
        KAP, schedule=(KAP.schedule[0], spec), missed_after_min=grace, min_observation_min={}
    )
    now = T0 + timedelta(seconds=seconds)
    [_, item] = compute_schedule(proto, route=None, dose_times=[T0], readings=[], now=now)
    closes, missed = at(to_min), at(to_min + grace)
    assert item.missed_at == missed
    expected = (
        ItemStatus.DUE
        if now <= closes
        else ItemStatus.OVERDUE
        if now < missed
        else ItemStatus.MISSED
    )
    assert item.status is expected


# ------------------------------------------------ rechecks are scheduled readings


def test_recheck_after_an_alert_reading_is_due_then_overdue_then_missed() -> None:
    from kapdesk.domain.schedule import RecheckRequest

    def items(now: datetime, readings: list[datetime]) -> dict[str, DueItem]:
        return by_key(
            compute_schedule(
                KAP,
                route=Route.IM,
                dose_times=[at(0)],
                readings=readings,
                now=now,
                rechecks=[RecheckRequest(at(22), 5, "alert")],
            )
        )

    key = "recheck@2026-03-02T09:22:00"
    base = [at(-5), at(22)]
    recheck = items(at(26, 59), base)[key]
    assert recheck.anchor is Anchor.RECHECK
    assert recheck.label == "Recheck 5 min after the alert reading"
    assert (recheck.opens_at, recheck.closes_at) == (at(27), at(32))
    assert recheck.status is ItemStatus.UPCOMING
    assert items(at(27), base)[key].status is ItemStatus.DUE
    assert items(at(32), base)[key].status is ItemStatus.DUE
    assert items(at(32, 1), base)[key].status is ItemStatus.OVERDUE
    assert items(at(47), base)[key].status is ItemStatus.MISSED
    # the next reading on the board is the recheck
    assert next_due(list(items(at(27), base).values()), at(27)).key == key  # type: ignore[union-attr]
    # too soon does not count; at its opening it does; a late one counts late
    assert items(at(30), [*base, at(26)])[key].status is ItemStatus.DUE
    done = items(at(30), [*base, at(27)])[key]
    assert (done.status, done.on_time) == (ItemStatus.DONE, True)
    late = items(at(40), [*base, at(35)])[key]
    assert (late.status, late.on_time) == (ItemStatus.DONE, False)


def test_a_recheck_shares_its_reading_with_a_scheduled_window() -> None:
    from kapdesk.domain.schedule import RecheckRequest

    items = by_key(
        compute_schedule(
            KAP,
            route=Route.IM,
            dose_times=[at(0)],
            readings=[at(-5), at(15), at(21)],
            now=at(22),
            rechecks=[RecheckRequest(at(15), 5, "alert")],
        )
    )
    assert items["recheck@2026-03-02T09:15:00"].satisfied_by == at(21)
    assert items["post-dose-20-30#1"].satisfied_by == at(21)


def test_pre_dose_recheck_ends_once_the_dose_is_given() -> None:
    from kapdesk.domain.schedule import RecheckRequest

    request = [RecheckRequest(at(-10), 5, "elevated")]
    before = compute_schedule(
        KAP, route=Route.IM, dose_times=[], readings=[at(-10)], now=at(-4), rechecks=request
    )
    assert [(i.key, i.status) for i in before] == [
        ("pre-dose", ItemStatus.DONE),
        ("recheck@2026-03-02T08:50:00", ItemStatus.DUE),
    ]
    after = compute_schedule(
        KAP, route=Route.IM, dose_times=[at(0)], readings=[at(-10)], now=at(1), rechecks=request
    )
    assert all(i.anchor is not Anchor.RECHECK for i in after)  # no stale "recheck due"
    rechecked = by_key(
        compute_schedule(
            KAP,
            route=Route.IM,
            dose_times=[at(0)],
            readings=[at(-10), at(-4)],
            now=at(1),
            rechecks=request,
        )
    )
    assert rechecked["recheck@2026-03-02T08:50:00"].status is ItemStatus.DONE
    # a post-dose reading never counts as the pre-dose recheck
    assert "recheck@2026-03-02T08:50:00" not in kap(at(1), [at(-10), at(0, 30)])


# ------------------------------------------------ conditional readings (seed guidance)


@pytest.mark.parametrize("condition", ["elevated_baseline", "first_session", "dose_increase"])
def test_sublingual_adds_a_20_30_reading_when_a_condition_holds(condition: str) -> None:
    def keys(conditions: tuple[str, ...]) -> list[str]:
        items = compute_schedule(
            SUBLINGUAL,
            route=Route.SUBLINGUAL,
            dose_times=[at(0)],
            readings=[at(-5)],
            now=at(10),
            conditions=conditions,
        )
        return [i.key for i in items]

    assert keys(()) == ["pre-dose", "end-of-session"]
    assert keys((condition,)) == ["pre-dose", "post-dose-20-30", "end-of-session"]


def test_session_conditions() -> None:
    from kapdesk.domain.schedule import session_conditions

    assert session_conditions() == frozenset()
    assert session_conditions(baseline_elevated=True, first_session=True) == {
        "elevated_baseline",
        "first_session",
    }
    assert session_conditions(dose_mg=250, previous_dose_mg=200) == {"dose_increase"}
    assert session_conditions(dose_mg=200, previous_dose_mg=200) == frozenset()
    assert session_conditions(dose_mg=200, previous_dose_mg=None) == frozenset()


# ------------------------------------------------ what the board says


def test_attention_names_the_missed_the_next_and_counts_the_rest() -> None:
    from kapdesk.domain.schedule import RecheckRequest, attention

    items = compute_schedule(
        IV,
        route=Route.IV,
        dose_times=[at(0)],
        readings=[at(-5), at(12)],
        now=at(41),
        rechecks=[RecheckRequest(at(12), 5, "alert")],
    )
    seen = attention(items, at(41))
    # recheck 17-22 missed at 30 (the 30-min window opens), 20-25 at 30, 30-35 at 40
    assert [i.key for i in seen.missed] == [
        "infusion@30",
        "infusion@20",
        "recheck@2026-03-02T09:12:00",
    ]
    assert seen.next is not None
    assert seen.next.key == "infusion@40"
    assert seen.more == 0
    boosters = compute_schedule(
        KAP, route=Route.IM, dose_times=[at(0), at(5)], readings=[at(-1)], now=at(26)
    )
    both = attention(boosters, at(26))
    assert (both.next.key if both.next else None, both.more, both.missed) == (
        "post-dose-20-30#1",
        1,
        (),
    )


def test_recheck_after_is_the_rules_repeat_else_the_protocols() -> None:
    from kapdesk.domain.schedule import recheck_after

    assert recheck_after(KAP, []) is None
    assert recheck_after(KAP, ["post-dose-alert", "critical-bp"]) == 5
    assert recheck_after(KAP, ["low-spo2"]) == KAP.recheck_after_min  # no repeat of its own
    assert recheck_after(KAP, ["unknown-rule"]) == KAP.recheck_after_min


@given(
    proto_id=st.sampled_from(sorted(P)),
    doses=st.lists(st.integers(0, 150), max_size=3),
    readings=st.lists(minutes, max_size=12),
    now=st.integers(-30, 400),
    later=st.integers(0, 300),
)
def test_attention_is_what_each_items_status_says(
    proto_id: str, doses: list[int], readings: list[int], now: int, later: int
) -> None:
    """The board's summary of a row, at a later tick without new readings: the next item
    is next_due's, the missed are every item missed then (latest window first), the rest
    counts the other items due or overdue."""
    from kapdesk.domain.schedule import ItemStatus, attention, next_due

    items = compute_schedule(
        P[proto_id],
        route=None,
        dose_times=[at(m) for m in doses],
        readings=[at(m) for m in readings],
        now=at(now),
    )
    tick = at(now + later)
    seen = attention(items, tick)
    assert seen.next is next_due(items, tick)
    missed = [i for i in items if i.status_at(tick) is ItemStatus.MISSED]
    assert sorted(seen.missed, key=id) == sorted(missed, key=id)
    closes = [i.closes_at or i.opens_at for i in seen.missed]
    assert all(a is None or b is None or a >= b for a, b in itertools.pairwise(closes))
    urgent = (ItemStatus.DUE, ItemStatus.OVERDUE)
    assert seen.more == sum(1 for i in items if i is not seen.next and i.status_at(tick) in urgent)
