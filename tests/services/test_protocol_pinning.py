"""A course is judged with the exact protocol version it started on, for ever (issue 9)."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
from sqlalchemy import select, update

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.protocol import Band, Protocol, builtin_protocols, load_protocol_text
from kapdesk.services.board import BoardService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.patients import PatientService
from kapdesk.services.pinned_check import version_problems
from kapdesk.services.pinned_version import PinnedProtocolMissing
from kapdesk.services.protocol_store import protocol_of_session
from kapdesk.services.sessions import SessionService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.orm import Course, ProtocolVersion

from .sessionkit import Kit, refused

KAP_TEXT = (resources.files("kapdesk.resources") / "protocols" / "kap-default.toml").read_text(
    encoding="utf-8"
)
V10 = builtin_protocols()["kap-default"]


def edited(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# The clinic ships v1.1: pre-dose elevated from 130 systolic, a renamed reading.
V11_TEXT = edited(
    KAP_TEXT,
    ('version = "1.0"', 'version = "1.1"'),
    ("systolic_gte = 140", "systolic_gte = 130"),
    ("default monitoring", "default monitoring, 2027 revision"),
    ('label = "20-30 min after dose"', 'label = "20-30 min after every dose"'),
)
V11 = load_protocol_text(V11_TEXT, "kap-default.toml")


def with_protocols(ctx: ServiceContext, clock: FakeClock, *protocols: Protocol) -> ServiceContext:
    """The same database with other protocol files loaded (a fresh parse cache)."""
    shipped = dict(builtin_protocols())
    shipped.update({p.id: p for p in protocols})
    return ServiceContext(db=ctx.db, clock=clock, protocols=shipped)


def new_patient(ctx: ServiceContext, nurse: Actor, mrn: str) -> int:
    return (
        PatientService(ctx)
        .create(
            nurse,
            mrn=mrn,
            given_name="Rui",
            family_name="Costa",
            date_of_birth=date(1975, 6, 1),
            sex="male",
        )
        .id
    )


def course_row(ctx: ServiceContext, course_id: int) -> Course:
    with ctx.db.read() as s:
        row = s.get(Course, course_id)
        assert row is not None
        return row


def test_starting_a_course_pins_id_version_and_the_hash_of_the_exact_text(
    ctx: ServiceContext, clinician: Actor, nurse: Actor
) -> None:
    first = CourseService(ctx).start(clinician, new_patient(ctx, nurse, "P-1"), "kap-default")
    second = CourseService(ctx).start(clinician, new_patient(ctx, nurse, "P-2"), "kap-default")
    for info in (first, second):
        row = course_row(ctx, info.id)
        assert (row.protocol_id, row.protocol_version, row.protocol_hash) == (
            "kap-default",
            "1.0",
            V10.sha256,
        )
    with ctx.db.read() as s:
        [stored] = s.scalars(select(ProtocolVersion)).all()  # one row per version, not per course
        assert (stored.protocol_id, stored.version, stored.sha256) == (
            "kap-default",
            "1.0",
            V10.sha256,
        )
        assert stored.source_text == KAP_TEXT


def test_v1_1_mid_course_leaves_v1_0_sessions_unchanged_and_new_courses_start_on_v1_1(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor
) -> None:
    kit = Kit(ctx, clock, nurse)
    old_session = kit.checked_in(mrn="OLD-1")
    board_before = BoardService(ctx).today_board()

    # The clinic installs v1.1 (a new context: nothing of v1.0 is loaded or cached any more).
    ctx11 = ServiceContext(db=ctx.db, clock=clock, protocols={"kap-default": V11})
    judged = protocol_of_session(ctx11, old_session)
    assert judged == V10
    assert judged.label == "kap-default v1.0"
    assert judged.sha256 == V10.sha256
    assert [r.systolic_gte for r in judged.vital_rules] == [r.systolic_gte for r in V10.vital_rules]
    assert BoardService(ctx11).today_board() == board_before

    # 135/85 before the dose: normal under v1.0 (>= 140), elevated under v1.1 (>= 130).
    reading = VitalsService(ctx11).record(nurse, old_session, 135, 85, pulse=70, spo2=98)
    detail = SessionService(ctx11).detail(old_session)
    assert (detail.session.protocol_id, detail.session.protocol_version) == ("kap-default", "1.0")
    [stored] = detail.readings
    assert (stored.band, stored.protocol_label) == (Band.NORMAL.value, "kap-default v1.0")
    assert reading is not None
    assert detail.course.protocol_title == V10.title != V11.title
    assert CourseService(ctx11).get(detail.course.id).protocol_title == V10.title
    labels = {item.label for item in detail.schedule}
    assert "20-30 min after every dose" not in labels
    [row] = [r for r in BoardService(ctx11).today_board() if r.session_id == old_session]
    assert row.protocol_label == "kap-default v1.0"
    assert not any("pre-dose" in f.lower() for f in row.flags)

    # A new course starts on v1.1 and is judged by it.
    patient = new_patient(ctx11, nurse, "NEW-1")
    course = CourseService(ctx11).start(clinician, patient, "kap-default")
    assert (course.protocol_id, course.protocol_version) == ("kap-default", "1.1")
    assert course_row(ctx11, course.id).protocol_hash == V11.sha256
    new_session = SessionService(ctx11).schedule(nurse, course.id, clock.now(), "Room 2").id
    SessionService(ctx11).check_in(nurse, new_session)
    VitalsService(ctx11).record(nurse, new_session, 135, 85, pulse=70, spo2=98)
    [new_reading] = SessionService(ctx11).detail(new_session).readings
    assert (new_reading.band, new_reading.protocol_label) == ("elevated", "kap-default v1.1")
    assert protocol_of_session(ctx11, new_session) == V11

    # Back on the original context, both courses keep their own version.
    assert protocol_of_session(ctx, old_session).label == "kap-default v1.0"
    assert protocol_of_session(ctx, new_session).label == "kap-default v1.1"
    with ctx.db.read() as s:
        versions = sorted(s.scalars(select(ProtocolVersion.version)).all())
    assert versions == ["1.0", "1.1"]


def test_a_changed_file_that_keeps_its_version_is_refused(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor
) -> None:
    CourseService(ctx).start(clinician, new_patient(ctx, nurse, "P-1"), "kap-default")
    changed = load_protocol_text(
        edited(KAP_TEXT, ("systolic_gte = 140", "systolic_gte = 150")), "kap-default.toml"
    )
    ctx2 = with_protocols(ctx, clock, changed)
    patient = new_patient(ctx2, nurse, "P-2")
    err = refused(
        ctx2, ValidationError, lambda: CourseService(ctx2).start(clinician, patient, "kap-default")
    )
    assert str(err) == (
        "kap-default v1.0 differs from the v1.0 already used by courses; "
        "give the changed file a new version."
    )
    with ctx2.db.read() as s:
        assert version_problems(s, ctx2.protocols) == [str(err)]


@pytest.mark.parametrize("pinned", ["", "ab" * 32], ids=["empty-hash", "missing-row"])
def test_a_course_whose_pinned_version_is_missing_cannot_open_its_sessions(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, pinned: str
) -> None:
    kit = Kit(ctx, clock, nurse)
    sid = kit.checked_in()
    with ctx.db.write() as s:
        s.execute(update(Course).values(protocol_hash=pinned))
    fresh = with_protocols(ctx, clock)  # no cached parse of the old hash
    with pytest.raises(PinnedProtocolMissing) as exc:
        SessionService(fresh).detail(sid)
    message = str(exc.value)
    assert "kap-default v1.0" in message
    assert "cannot be opened" in message
    assert "restore a backup" in message
    refused(
        fresh,
        PinnedProtocolMissing,
        lambda: VitalsService(fresh).record(nurse, sid, 120, 80, pulse=70, spo2=98),
    )
    with pytest.raises(PinnedProtocolMissing):
        protocol_of_session(fresh, sid)
    [row] = BoardService(fresh).today_board()
    assert row.flags == ("Protocol kap-default v1.0 missing: session cannot be opened",)
    with fresh.db.read() as s:
        assert version_problems(s, fresh.protocols) == [message]


def test_pinned_protocols_are_parsed_once_per_hash(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    kit = Kit(ctx, clock, nurse)
    sid = kit.checked_in()
    ctx11 = ServiceContext(db=ctx.db, clock=clock, protocols={"kap-default": V11})
    first = protocol_of_session(ctx11, sid)
    assert ctx11.pinned == {V10.sha256: first}
    assert protocol_of_session(ctx11, sid) is first


def test_every_course_is_matched_with_its_pinned_text_even_when_its_hash_is_cached(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor
) -> None:
    """Two courses on one hash: the second, changed to name another version, is found
    (check judges each hash once, but every course against it)."""
    CourseService(ctx).start(clinician, new_patient(ctx, nurse, "P-1"), "kap-default")
    second = CourseService(ctx).start(clinician, new_patient(ctx, nurse, "P-2"), "kap-default").id
    with ctx.db.write() as s:
        s.execute(update(Course).where(Course.id == second).values(protocol_version="9.9"))
    fresh = with_protocols(ctx, clock)
    with fresh.db.read() as s:
        problems = version_problems(s, fresh.protocols)
    assert len(problems) == 1
    assert problems[0].startswith(f"Course #{second} is pinned to kap-default v9.9, but ")


def test_warming_parses_every_stored_version_so_the_board_parses_none(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the app does while the sign-in window waits for the password: afterwards the
    first Today board resolves every course from the cache (no TOML parsed then)."""
    from kapdesk.services import protocol_store

    kit = Kit(ctx, clock, nurse)
    kit.checked_in()
    fresh = ServiceContext(db=ctx.db, clock=clock)
    with fresh.db.read() as s:
        stored = set(s.scalars(select(ProtocolVersion.sha256)))
    assert stored
    assert fresh.pinned == {}
    assert protocol_store.warm_protocols(fresh) == len(stored)
    assert set(fresh.pinned) == stored
    parsed: list[str] = []
    monkeypatch.setattr(protocol_store, "load_protocol_text", lambda *a: parsed.append(a[1]) or V10)
    assert BoardService(fresh).today_board()
    assert parsed == []
