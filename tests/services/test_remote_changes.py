"""Changes committed by another process reach this one's ChangeFeed (services.remote_changes).

Two Database objects (two connection pools, as two workstations or two app windows) on
one store. Run on a SQLite file and on the test server (skipped without one); tests
about one store's mechanism say so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.services.changes import EVERYTHING, Change, ChangeSet, Kind
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.remote_changes import RemoteChanges, decode, encode
from kapdesk.services.sessions import SessionService
from kapdesk.storage import change_feed

from .sessionkit import Kit

WAIT_S = 10.0  # the longest a test waits for an announcement (it normally takes < 1 s)


@pytest.fixture
def other(ctx: ServiceContext, store: str, clock: FakeClock) -> Iterator[ServiceContext]:
    """A second workstation on the same clinic: its own Database, pool and ChangeFeed."""
    where = ctx.db.server if store == "postgresql" else ctx.db.path
    assert where is not None
    context = build_context(where, clock=clock, create=False)
    yield context
    context.db.close()


class Heard:
    """What a feed was told, from any thread."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.sets: list[ChangeSet] = []
        self._cond = threading.Condition()
        ctx.changes.subscribe(self._told)

    def _told(self, changes: ChangeSet) -> None:
        with self._cond:
            self.sets.append(changes)
            self._cond.notify_all()

    def wait_for(self, what: Callable[[list[ChangeSet]], bool]) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: what(self.sets), timeout=WAIT_S)


@pytest.fixture
def listening(other: ServiceContext) -> Iterator[tuple[RemoteChanges, Heard]]:
    """The second workstation's listener, started, and what its feed hears."""
    heard = Heard(other)
    remote = RemoteChanges(other)
    remote.start()
    _wait_until_listening(remote)
    yield remote, heard
    remote.stop()


def _wait_until_listening(remote: RemoteChanges) -> None:
    worker = remote.worker
    if isinstance(worker, change_feed.ServerListener):
        deadline = time.monotonic() + WAIT_S
        while worker.backend_pid is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.backend_pid is not None, "the listener never connected"


@pytest.fixture
def kit(ctx: ServiceContext, clock: FakeClock, nurse: Actor) -> Kit:
    return Kit(ctx, clock, nurse)


def test_a_reading_recorded_on_one_workstation_reaches_the_other(
    kit: Kit, store: str, listening: tuple[RemoteChanges, Heard]
) -> None:
    sid = kit.checked_in()
    patient_id = SessionService(kit.ctx).detail(sid).session.patient_id
    _, heard = listening

    recorded = kit.vitals.record(kit.nurse, sid, 122, 78, pulse=72, spo2=98)

    assert heard.wait_for(lambda sets: any(c.touches(Kind.READING) for c in sets))
    last = heard.sets[-1]
    assert last.touches_session(sid)
    assert last.touches_patient(patient_id)
    if store == "postgresql":  # the same change set, not only "something changed"
        reading = Change(
            Kind.READING,
            recorded.reading.id,
            "vitals.record",
            session_id=sid,
            patient_id=patient_id,
        )
        assert reading in last.changes
        assert not last.everything
    else:  # a file says only that another connection wrote: reload what is shown
        assert last is EVERYTHING


def test_a_workstation_does_not_hear_its_own_writes_again(
    ctx: ServiceContext, other: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    """Its own writes reached its feed in-process; the listener does not repeat them."""
    heard = Heard(other)
    remote = RemoteChanges(other)
    remote.start()
    _wait_until_listening(remote)
    try:
        own_kit = Kit(other, clock, nurse)
        sid = own_kit.checked_in()
        own_kit.vitals.record(nurse, sid, 122, 78, pulse=72, spo2=98)
        in_process = len(heard.sets)
        assert (
            in_process >= 3
        )  # patient and course are inserted directly; session, check-in, reading
        # Then a write of the first workstation: once it is heard, the own ones were not.
        Kit(ctx, clock, nurse).vitals.record(nurse, sid, 130, 80, pulse=70, spo2=97)
        assert heard.wait_for(lambda sets: len(sets) > in_process)
        time.sleep(2 * change_feed.POLL_S)  # anything else would have come by now
        assert len(heard.sets) == in_process + 1
    finally:
        remote.stop()


def test_a_refused_write_announces_nothing(
    kit: Kit, listening: tuple[RemoteChanges, Heard]
) -> None:
    sid = kit.checked_in()
    _, heard = listening
    assert heard.wait_for(lambda sets: len(sets) >= 1)
    time.sleep(2 * change_feed.POLL_S)
    before = len(heard.sets)

    with pytest.raises(ValidationError):
        kit.vitals.record(kit.nurse, sid, 400, 78, pulse=72, spo2=98)  # rolled back
    kit.vitals.record(kit.nurse, sid, 120, 75, pulse=70, spo2=98)  # then a good one

    assert heard.wait_for(lambda sets: len(sets) > before)
    time.sleep(2 * change_feed.POLL_S)
    assert len(heard.sets) == before + 1
    assert heard.sets[-1].touches(Kind.READING)


def test_the_payload_round_trips_to_the_same_change_set() -> None:
    changes = ChangeSet(
        (
            Change(Kind.READING, 7, "vitals.record", session_id=3, patient_id=2),
            Change(Kind.SETTING, "clinic_name", "settings.update"),
            Change(Kind.SESSION, 3, "session.check_in", session_id=3, patient_id=2),
        )
    )
    assert decode(encode(changes, "abc")) == ("abc", changes)
    assert decode(encode(EVERYTHING, "abc")) == ("abc", EVERYTHING)


def test_a_change_set_too_big_for_one_notify_says_something_changed() -> None:
    big = ChangeSet(
        tuple(Change(Kind.READING, i, "vitals.record", session_id=i) for i in range(400))
    )
    payload = encode(big, "abc")
    assert len(payload.encode()) < change_feed.PAYLOAD_LIMIT
    assert decode(payload) == ("abc", EVERYTHING)


def test_an_unreadable_payload_means_reload() -> None:
    bad = ("", "{", '{"o": "x", "c": [[1, 2]]}', '{"c": []}', '{"o":"x","c":[[1,2,3,4,5]]}')
    for payload in bad:
        assert decode(payload) == (None, EVERYTHING)


def test_after_a_lost_connection_the_listener_says_reload_everything(
    ctx: ServiceContext, store: str, listening: tuple[RemoteChanges, Heard]
) -> None:
    if store != "postgresql":
        pytest.skip("a file has no connection to lose")
    from sqlalchemy import text

    remote, heard = listening
    worker = remote.worker
    assert isinstance(worker, change_feed.ServerListener)
    pid = worker.backend_pid
    with ctx.db.write() as s:
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    assert heard.wait_for(lambda sets: EVERYTHING in sets)
    assert worker.backend_pid != pid


_OTHER_PROCESS = """
import sys
from datetime import UTC, datetime
from pathlib import Path

from kapdesk.composition import build_context, parse_server_url
from kapdesk.domain.clock import FakeClock
from kapdesk.services.users import UserService, actor_of
from services.sessionkit import Kit

where = parse_server_url(sys.argv[1]) if "://" in sys.argv[1] else Path(sys.argv[1])
clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
ctx = build_context(where, clock=clock, create=False)
nurse = next(actor_of(u) for u in UserService(ctx).list_users() if u.role.value == "nurse")
print(Kit(ctx, clock, nurse).checked_in(mrn="MRN-9"), flush=True)
ctx.db.close()
"""


def test_a_session_checked_in_by_another_process_reaches_this_one(
    ctx: ServiceContext, store: str, listening: tuple[RemoteChanges, Heard]
) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    _, heard = listening
    server = ctx.db.server
    where = (
        server.url.set(drivername="postgresql").render_as_string(hide_password=False)
        if server is not None
        else str(ctx.db.path)
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}
    done = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS, where],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sid = int(done.stdout.split()[-1])

    assert heard.wait_for(lambda sets: any(c.touches_session(sid) for c in sets))
    if store == "postgresql":
        assert any(sid in c.ids(Kind.SESSION) for c in heard.sets)
