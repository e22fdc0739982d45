"""The Min column counts whole minutes actually elapsed since the first dose: a reading
19 min 58 s after the dose is +19, like the "20-30 min" reading it does not satisfy."""

from __future__ import annotations

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.timetext import minutes_number
from kapdesk.services.context import Actor, ServiceContext

from .sessionkit import Kit


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def test_a_reading_seconds_before_a_minute_shows_the_minute_before(kit: Kit, nurse: Actor) -> None:
    sid = kit.dosed()
    kit.advance(minutes=19, seconds=58)
    kit.vitals.record(nurse, sid, 124, 78, pulse=72, spo2=98)
    detail = kit.sessions.detail(sid)
    reading = detail.readings[-1]
    assert reading.minutes_from_dose is not None
    assert 19.96 < reading.minutes_from_dose < 19.97
    assert minutes_number(reading.minutes_from_dose) == "+19"
    assert all(item.satisfied_by != reading.taken_at for item in detail.schedule)
