"""The shared GIL switch interval helper: overlapping users restore the original value."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from kapdesk.ui import switch_interval
from kapdesk.ui.switch_interval import begin, end, fast_switching


@pytest.fixture(autouse=True)
def _original() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(before)


def test_nested_uses_restore_only_at_the_last_exit() -> None:
    with fast_switching():
        assert sys.getswitchinterval() == pytest.approx(0.001)
        with fast_switching():
            assert sys.getswitchinterval() == pytest.approx(0.001)
        assert sys.getswitchinterval() == pytest.approx(0.001)
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_overlapping_uses_from_two_threads_restore_the_original() -> None:
    """The review's order: A starts, B starts (sees 1 ms), A ends, B ends."""
    b_started, a_ended, b_inside = threading.Event(), threading.Event(), []

    def other() -> None:
        with fast_switching():
            b_inside.append(sys.getswitchinterval())
            b_started.set()
            a_ended.wait(5)
            b_inside.append(sys.getswitchinterval())

    begin()
    worker = threading.Thread(target=other)
    worker.start()
    assert b_started.wait(5)
    end()  # A leaves while B is still inside: B keeps its 1 ms
    assert sys.getswitchinterval() == pytest.approx(0.001)
    a_ended.set()
    worker.join(5)
    assert b_inside == [pytest.approx(0.001), pytest.approx(0.001)]
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_an_unmatched_end_changes_nothing() -> None:
    end()
    assert sys.getswitchinterval() == pytest.approx(0.005)
    with fast_switching():
        pass
    assert sys.getswitchinterval() == pytest.approx(0.005)
    assert switch_interval._users == 0


def test_the_board_worker_after_the_preload_leaves_the_original(qapp: object) -> None:
    """The review's reproduction: the preload starts first, the board worker then reads,
    the preload finishes before the worker: the interval ends at its original value."""
    from datetime import UTC, datetime

    from PySide6.QtCore import QObject, Signal

    from kapdesk.ui.board_store import BoardStore

    class Signals(QObject):
        data_changed = Signal(object)

    class FakeApp:
        signals = Signals()

        def now(self) -> datetime:
            return datetime(2026, 1, 1, tzinfo=UTC)

    gate, entered = threading.Event(), threading.Event()

    def source() -> list[object]:
        entered.set()
        gate.wait(5)
        return []

    store = BoardStore(FakeApp(), source=source, background=True)  # type: ignore[arg-type]
    store.timer.stop()
    begin()  # the preload
    store._timer_tick()
    assert entered.wait(5)
    end()  # the preload is done
    gate.set()
    store.wait_background()
    store.stop()
    assert sys.getswitchinterval() == pytest.approx(0.005)
