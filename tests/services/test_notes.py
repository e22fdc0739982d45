from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import (
    KapdeskError,
    NotFound,
    PermissionDenied,
    RecordLocked,
    ValidationError,
)
from kapdesk.domain.notes import NOTE_MAX_CHARS, SECTION_KEYS
from kapdesk.domain.permissions import Role
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.notes import NoteService
from kapdesk.services.users import UserService, actor_of

from .conftest import T0, insert_patient_and_course, table_counts
from .test_observations import audit_since, insert_session, last_audit, refused


@pytest.fixture
def setup(ctx: ServiceContext, nurse: Actor, clock: FakeClock) -> dict[str, int]:
    _, course_id = insert_patient_and_course(ctx.db)
    _, other_course = insert_patient_and_course(ctx.db, mrn="MRN-2")
    sid = insert_session(ctx.db, course_id, nurse.user_id, state="discharged")
    clock.advance(timedelta(days=2))
    return {
        "course": course_id,
        "session": sid,
        "other_course": other_course,
        "other_session": insert_session(ctx.db, other_course, nurse.user_id),
        "cancelled": insert_session(
            ctx.db, course_id, nurse.user_id, state="cancelled", first_dose_at=None
        ),
    }


def test_template_has_the_four_sections_in_order() -> None:
    labels = [(s.key, s.label) for s in NoteService.template()]
    assert labels == [
        ("themes", "Themes and insights"),
        ("changes", "What has changed since dosing"),
        ("plan", "Plan / homework"),
        ("risk", "Risk review"),
    ]
    assert all(s.prompt for s in NoteService.template())


# ------------------------------------------------------------------ session notes


def test_session_note_autosave(
    ctx: ServiceContext, therapist: Actor, nurse: Actor, setup: dict[str, int]
) -> None:
    svc = NoteService(ctx)
    sid = setup["session"]
    before = table_counts(ctx.db)
    assert svc.save_session_note(therapist, sid, "") is None  # nothing to keep yet
    assert table_counts(ctx.db) == before

    start = last_audit(ctx.db)
    note = svc.save_session_note(therapist, sid, "Calm throughout. ")
    assert note is not None
    assert (note.kind, note.status, note.body, note.held_at) == (
        "session",
        "draft",
        "Calm throughout. ",  # kept exactly as typed
        T0,
    )
    assert (note.author, note.course_id, note.dosing_session_id) == (
        therapist.full_name,
        setup["course"],
        sid,
    )
    unchanged = table_counts(ctx.db)
    assert svc.save_session_note(therapist, sid, "Calm throughout. ") == note
    assert table_counts(ctx.db) == unchanged

    edited = svc.save_session_note(nurse, sid, "Calm throughout. Ride home: partner.")
    assert edited is not None
    assert edited.id == note.id
    assert edited.author == therapist.full_name
    created, updated = audit_since(ctx.db, start)
    assert (created.action, updated.action) == ("note.create", "note.update")
    assert updated.user_id == nurse.user_id
    assert updated.before_data is not None
    assert updated.before_data["body"] == "Calm throughout. "
    assert updated.after_data is not None
    assert updated.after_data["body"].endswith("partner.")
    assert svc.list_for_session(sid) == [edited]


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("admin", PermissionDenied),
        ("missing", NotFound),
        ("too_long", ValidationError),
        ("not_text", ValidationError),
        ("final", RecordLocked),
    ],
)
def test_refused_session_note_saves_leave_no_trace(
    ctx: ServiceContext,
    therapist: Actor,
    admin: Actor,
    clinician: Actor,
    setup: dict[str, int],
    case: str,
    error: type[KapdeskError],
) -> None:
    svc = NoteService(ctx)
    sid = setup["session"]
    note = svc.save_session_note(therapist, sid, "Draft")
    assert note is not None
    if case == "final":
        svc.finalize(clinician, note.id)
    calls: dict[str, Callable[[], object]] = {
        "admin": lambda: svc.save_session_note(admin, sid, "x"),
        "missing": lambda: svc.save_session_note(therapist, 999, "x"),
        "too_long": lambda: svc.save_session_note(therapist, sid, "x" * (NOTE_MAX_CHARS + 1)),
        "not_text": lambda: svc.save_session_note(therapist, sid, None),  # type: ignore[arg-type]
        "final": lambda: svc.save_session_note(therapist, sid, "changed"),
    }
    refused(ctx.db, error, calls[case])


# ------------------------------------------------------------------ integration notes


def test_integration_note_lifecycle(
    ctx: ServiceContext, therapist: Actor, setup: dict[str, int], clock: FakeClock
) -> None:
    svc = NoteService(ctx)
    start = last_audit(ctx.db)
    note = svc.create_integration_note(
        therapist, setup["course"], follows_session_id=setup["session"]
    )
    assert (note.kind, note.status, note.held_at, note.body) == (
        "integration",
        "draft",
        clock.now(),
        "",
    )
    assert note.sections == dict.fromkeys(SECTION_KEYS, "")
    assert note.author_id == therapist.user_id

    clock.advance(minutes=1)
    themes = svc.update_integration_note(
        therapist, note.id, sections={"themes": "Grief for father"}
    )
    both = svc.update_integration_note(
        therapist, note.id, sections={"plan": "Journal daily"}, body="Free text"
    )
    assert both.sections == {
        "themes": "Grief for father",
        "changes": "",
        "plan": "Journal daily",
        "risk": "",
    }
    assert both.body == "Free text"
    assert both.updated_at == clock.now()
    assert themes.sections["plan"] == ""

    unchanged = table_counts(ctx.db)
    assert (
        svc.update_integration_note(therapist, note.id, sections={"plan": "Journal daily"}) == both
    )
    assert svc.update_integration_note(therapist, note.id) == both
    assert table_counts(ctx.db) == unchanged

    final = svc.finalize(therapist, note.id)
    assert final.status == "final"
    actions = [e.action for e in audit_since(ctx.db, start)]
    assert actions == ["note.create", "note.update", "note.update", "note.finalize"]
    update = audit_since(ctx.db, start)[2]
    assert update.before_data is not None
    assert update.before_data["sections"]["plan"] == ""
    assert update.after_data is not None
    assert update.after_data["sections"]["plan"] == "Journal daily"

    for call in (
        lambda: svc.update_integration_note(therapist, note.id, body="more"),
        lambda: svc.finalize(therapist, note.id),
    ):
        err = refused(ctx.db, RecordLocked, call)
        assert "addendum" in str(err)
    assert svc.get(note.id) == final


def test_only_the_author_or_a_clinician_may_edit(
    ctx: ServiceContext, therapist: Actor, clinician: Actor, setup: dict[str, int]
) -> None:
    other = actor_of(
        UserService(ctx).add_user_from_console(
            username="therapist2",
            full_name="Other Therapist",
            role=Role.THERAPIST,
            password="long enough 1",
        )
    )
    svc = NoteService(ctx)
    note = svc.create_integration_note(therapist, setup["course"])
    err = refused(
        ctx.db, PermissionDenied, lambda: svc.update_integration_note(other, note.id, body="x")
    )
    assert "Only the author (Test Therapist) or a clinician" in str(err)
    refused(ctx.db, PermissionDenied, lambda: svc.finalize(other, note.id))
    assert svc.update_integration_note(clinician, note.id, body="by the clinician").body
    assert svc.finalize(clinician, note.id).status == "final"


def defer(fn: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[[], object]:
    return lambda: fn(*args, **kwargs)


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("nurse_creates", PermissionDenied, "nurse may not write an integration note"),
        ("other_course_session", ValidationError, "belongs to course"),
        ("cancelled_session", ValidationError, "cancelled"),
        ("before_dose", ValidationError, "before the first dose"),
        ("future", ValidationError, "in the future"),
        ("missing_course", NotFound, "#999"),
        ("missing_session", NotFound, "#999"),
        ("unknown_section", ValidationError, "Section 'mood' is not part of the template"),
        ("section_not_text", ValidationError, "must be text"),
        ("body_too_long", ValidationError, f"at most {NOTE_MAX_CHARS}"),
        ("session_note_as_integration", ValidationError, "not an integration note"),
        ("finalize_empty", ValidationError, "empty"),
        ("nurse_finalizes_session_note", PermissionDenied, "nurse may not sign a dosing session"),
        ("missing_note", NotFound, "#999"),
    ],
)
def test_refused_integration_calls_leave_no_trace(
    ctx: ServiceContext,
    therapist: Actor,
    nurse: Actor,
    setup: dict[str, int],
    case: str,
    error: type[KapdeskError],
    message: str,
) -> None:
    svc = NoteService(ctx)
    course = setup["course"]
    draft = svc.create_integration_note(therapist, course)
    session_note = svc.save_session_note(nurse, setup["session"], "note")
    assert session_note is not None
    create = svc.create_integration_note
    update = svc.update_integration_note
    calls: dict[str, Callable[[], object]] = {
        "nurse_creates": defer(create, nurse, course),
        "other_course_session": defer(
            create, therapist, course, follows_session_id=setup["other_session"]
        ),
        "cancelled_session": defer(
            create, therapist, course, follows_session_id=setup["cancelled"]
        ),
        "before_dose": defer(
            create,
            therapist,
            course,
            follows_session_id=setup["session"],
            held_at=T0 - timedelta(minutes=1),
        ),
        "future": defer(create, therapist, course, held_at=T0 + timedelta(days=3)),
        "missing_course": defer(create, therapist, 999),
        "missing_session": defer(create, therapist, course, follows_session_id=999),
        "unknown_section": defer(update, therapist, draft.id, sections={"mood": "better"}),
        "section_not_text": defer(update, therapist, draft.id, sections={"plan": 3}),
        "body_too_long": defer(update, therapist, draft.id, body="b" * (NOTE_MAX_CHARS + 1)),
        "session_note_as_integration": defer(update, therapist, session_note.id, body="x"),
        "finalize_empty": defer(svc.finalize, therapist, draft.id),
        "nurse_finalizes_session_note": defer(svc.finalize, nurse, session_note.id),
        "missing_note": defer(update, therapist, 999, body="x"),
    }
    err = refused(ctx.db, error, calls[case])
    assert message in str(err)


def test_listing_by_course_and_by_session(
    ctx: ServiceContext, therapist: Actor, nurse: Actor, setup: dict[str, int], clock: FakeClock
) -> None:
    svc = NoteService(ctx)
    sid = setup["session"]
    later = svc.create_integration_note(therapist, setup["course"], follows_session_id=sid)
    earlier = svc.create_integration_note(
        therapist, setup["course"], follows_session_id=sid, held_at=T0 + timedelta(hours=3)
    )
    loose = svc.create_integration_note(therapist, setup["course"], held_at=T0 + timedelta(hours=4))
    svc.create_integration_note(therapist, setup["other_course"])
    session_note = svc.save_session_note(nurse, sid, "Session went well")
    assert session_note is not None
    assert [n.id for n in svc.list_for_session(sid)] == [session_note.id, earlier.id, later.id]
    assert [n.id for n in svc.list_for_course(setup["course"])] == [
        session_note.id,  # held at the first dose, T0
        earlier.id,
        loose.id,
        later.id,
    ]
    with pytest.raises(NotFound):
        svc.list_for_session(999)
    with pytest.raises(NotFound):
        svc.list_for_course(999)
    with pytest.raises(NotFound):
        svc.get(999)


edits = st.lists(
    st.tuples(st.sampled_from([*SECTION_KEYS, "body"]), st.sampled_from(["", "a", "b", "a "])),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=edits)
def test_autosave_writes_exactly_when_something_changed(
    ctx: ServiceContext, therapist: Actor, steps: list[tuple[str, str]]
) -> None:
    _, course_id = insert_patient_and_course(ctx.db, mrn=f"N-{table_counts(ctx.db)['patients']}")
    svc = NoteService(ctx)
    note = svc.create_integration_note(therapist, course_id)
    expected: dict[str, str] = {**note.sections, "body": ""}
    for key, text in steps:
        start = last_audit(ctx.db)
        if key == "body":
            saved = svc.update_integration_note(therapist, note.id, body=text)
        else:
            saved = svc.update_integration_note(therapist, note.id, sections={key: text})
        changed = expected[key] != text
        expected[key] = text
        assert len(audit_since(ctx.db, start)) == (1 if changed else 0)
        assert {**saved.sections, "body": saved.body} == expected
