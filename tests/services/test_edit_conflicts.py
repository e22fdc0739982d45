"""Two workstations edit the same record: the second save is refused with who changed it,
when and their text; nothing is written and neither text is lost (issue 14, "No clobbered
text"). Each workstation is its own ServiceContext (own connections) on one store: a
SQLite file or the test server's database (``store``)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kapdesk.composition import build_context
from kapdesk.domain import timetext
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import NO_RECORD, EditConflict, PermissionDenied, RecordLocked
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import PatientInfo
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.screen_dtos import NoteInfo
from kapdesk.storage.orm import AuditEntry, Note

from .conftest import insert_patient_and_course, table_counts
from .test_observations import insert_session


@pytest.fixture
def other(ctx: ServiceContext, clock: FakeClock) -> Iterator[ServiceContext]:
    """A second workstation on the same clinic: its own database connections."""
    context = build_context(ctx.db.location, clock=clock, create=False)  # type: ignore[arg-type]
    yield context
    context.db.close()


@pytest.fixture
def session_id(ctx: ServiceContext, nurse: Actor, clock: FakeClock) -> int:
    _, course_id = insert_patient_and_course(ctx.db)
    sid = insert_session(ctx.db, course_id, nurse.user_id, state="monitoring")
    clock.advance(timedelta(minutes=30))
    return sid


def _stored_bodies(ctx: ServiceContext, session_id: int) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(Note.body).where(Note.dosing_session_id == session_id)))


def _audited_texts(ctx: ServiceContext, note_id: int) -> list[str]:
    """Every body the note's audit trail holds (before and after of each entry)."""
    texts: list[str] = []
    with ctx.db.read() as s:
        for entry in s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "note", AuditEntry.entity_id == str(note_id)
            )
        ):
            for side in (entry.before, entry.after):
                if side is not None:
                    texts.append(json.loads(side).get("body", ""))
    return texts


def _hhmm(ctx: ServiceContext) -> str:
    return timetext.clock(ctx.now(), ctx.tz)


# ------------------------------------------------------------------ session notes


def test_second_save_of_a_session_note_is_refused_with_who_when_and_their_text(
    ctx: ServiceContext,
    other: ServiceContext,
    therapist: Actor,
    nurse: Actor,
    clock: FakeClock,
    session_id: int,
) -> None:
    first = NoteService(ctx).save_session_note(therapist, session_id, "Calm.", version=NO_RECORD)
    assert first is not None
    assert first.version is not None
    assert first.version > NO_RECORD
    # Both workstations open the note at this version.
    here, there = NoteService(ctx).get(first.id), NoteService(other).get(first.id)
    assert here.version == there.version == first.version

    clock.advance(timedelta(minutes=12))
    saved = NoteService(ctx).save_session_note(
        therapist, session_id, "Calm. Music helped.", version=here.version
    )
    assert saved is not None
    assert saved.version is not None
    assert saved.version > first.version
    counts = table_counts(ctx.db, include_denials=True)

    clock.advance(timedelta(minutes=1))
    with pytest.raises(EditConflict) as caught:
        NoteService(other).save_session_note(
            nurse, session_id, "Calm. Ride home: partner.", version=there.version
        )
    conflict = caught.value
    assert conflict.changed_by == "Test Therapist"
    assert conflict.changed_at_text == timetext.clock(saved.updated_at, ctx.tz)
    assert conflict.changed_at == saved.updated_at
    assert conflict.version == saved.version
    assert isinstance(conflict.current, NoteInfo)
    assert conflict.current.body == "Calm. Music helped."
    assert str(conflict) == (
        f"Test Therapist changed this note at {conflict.changed_at_text} while you were "
        "editing; nothing was saved."
    )
    # Nothing written, not even an audit entry: the first text is what is stored.
    assert table_counts(ctx.db, include_denials=True) == counts
    assert _stored_bodies(ctx, session_id) == ["Calm. Music helped."]

    # "Save mine over theirs": against their version; theirs stays in the audit trail.
    mine = NoteService(other).save_session_note(
        nurse, session_id, "Calm. Ride home: partner.", version=conflict.version
    )
    assert mine is not None
    assert mine.version is not None
    assert mine.version > saved.version
    assert _stored_bodies(ctx, session_id) == ["Calm. Ride home: partner."]
    audited = _audited_texts(ctx, first.id)
    assert "Calm. Music helped." in audited
    assert "Calm. Ride home: partner." in audited


def test_two_workstations_writing_the_first_note_of_a_session(
    ctx: ServiceContext,
    other: ServiceContext,
    therapist: Actor,
    nurse: Actor,
    session_id: int,
) -> None:
    """Both editors started on a session without a note (NO_RECORD): the second save finds
    the first's note and is refused; there is still one note, with the first text."""
    made = NoteService(ctx).save_session_note(nurse, session_id, "Arrived 09:05.", version=0)
    assert made is not None
    with pytest.raises(EditConflict) as caught:
        NoteService(other).save_session_note(therapist, session_id, "Anxious.", version=0)
    assert caught.value.changed_by == "Test Nurse"
    assert caught.value.current.body == "Arrived 09:05."
    assert caught.value.version == made.version
    assert _stored_bodies(ctx, session_id) == ["Arrived 09:05."]


def test_saves_against_the_version_they_return_never_conflict(
    ctx: ServiceContext, therapist: Actor, session_id: int, clock: FakeClock
) -> None:
    svc = NoteService(ctx)
    version = NO_RECORD
    seen = [version]
    for text in ("a", "ab", "abc", "abc", "ab"):
        clock.advance(timedelta(seconds=2))
        note = svc.save_session_note(therapist, session_id, text, version=version)
        assert note is not None
        assert note.version is not None
        version = note.version
        seen.append(version)
        assert svc.get(note.id).version == version
    # Each change advances the version; saving the same text again does not.
    assert seen[1] < seen[2] < seen[3] == seen[4] < seen[5]


def test_saving_what_is_stored_is_no_conflict_and_returns_the_version_now(
    ctx: ServiceContext, other: ServiceContext, therapist: Actor, nurse: Actor, session_id: int
) -> None:
    first = NoteService(ctx).save_session_note(therapist, session_id, "Calm.", version=0)
    assert first is not None
    later = NoteService(ctx).save_session_note(
        therapist, session_id, "Calm!", version=first.version
    )
    assert later is not None
    same = NoteService(other).save_session_note(nurse, session_id, "Calm!", version=first.version)
    assert same is not None
    assert same.version == later.version
    assert same.body == "Calm!"


def test_views_refusals_and_unchecked_writers_do_not_hide_or_fake_a_change(
    ctx: ServiceContext,
    other: ServiceContext,
    therapist: Actor,
    admin: Actor,
    nurse: Actor,
    session_id: int,
) -> None:
    """A refused attempt changes nothing: no conflict. A save without a
    version (the demo writer) is unchecked but still moves the version."""
    note = NoteService(ctx).save_session_note(therapist, session_id, "Calm.", version=0)
    assert note is not None
    assert note.version is not None
    with pytest.raises(PermissionDenied):  # audited as denied.* about this session
        NoteService(other).save_session_note(admin, session_id, "x", version=note.version)
    with pytest.raises(PermissionDenied):  # audited as denied.* about this note
        NoteService(other).update_integration_note(admin, note.id, body="x")
    assert NoteService(other).get(note.id).version == note.version
    again = NoteService(ctx).save_session_note(
        therapist, session_id, "Calm..", version=note.version
    )
    assert again is not None
    assert again.version is not None

    unchecked = NoteService(other).save_session_note(nurse, session_id, "Calm...")
    assert unchecked is not None
    assert unchecked.version is not None
    assert unchecked.version > again.version
    with pytest.raises(EditConflict):
        NoteService(ctx).save_session_note(therapist, session_id, "Calm.!", version=again.version)


def test_a_final_note_says_final_rather_than_conflict(
    ctx: ServiceContext,
    other: ServiceContext,
    therapist: Actor,
    clinician: Actor,
    session_id: int,
) -> None:
    note = NoteService(ctx).save_session_note(therapist, session_id, "Calm.", version=0)
    assert note is not None
    NoteService(other).finalize(clinician, note.id)
    with pytest.raises(RecordLocked):
        NoteService(ctx).save_session_note(therapist, session_id, "Changed", version=note.version)


# ------------------------------------------------------------------ integration notes


def test_integration_note_second_save_is_refused(
    ctx: ServiceContext,
    other: ServiceContext,
    therapist: Actor,
    clinician: Actor,
    clock: FakeClock,
) -> None:
    _, course_id = insert_patient_and_course(ctx.db)
    note = NoteService(ctx).create_integration_note(therapist, course_id)
    here, there = NoteService(ctx).get(note.id), NoteService(other).get(note.id)
    clock.advance(timedelta(minutes=5))
    mine = NoteService(ctx).update_integration_note(
        therapist, note.id, sections={"themes": "Grief"}, body="Long talk.", version=here.version
    )
    counts = table_counts(ctx.db, include_denials=True)
    with pytest.raises(EditConflict) as caught:
        NoteService(other).update_integration_note(
            clinician, note.id, sections={"plan": "Journal"}, body="", version=there.version
        )
    conflict = caught.value
    assert conflict.changed_by == "Test Therapist"
    assert conflict.current.sections["themes"] == "Grief"
    assert conflict.current.body == "Long talk."
    assert conflict.version == mine.version
    assert table_counts(ctx.db, include_denials=True) == counts
    assert NoteService(ctx).get(note.id).sections["plan"] == ""

    over = NoteService(other).update_integration_note(
        clinician, note.id, sections={"plan": "Journal"}, version=conflict.version
    )
    assert over.sections == {"themes": "Grief", "changes": "", "plan": "Journal", "risk": ""}


# ------------------------------------------------------------------ patient details


def _patient(ctx: ServiceContext, nurse: Actor) -> PatientInfo:
    return PatientService(ctx).create(
        nurse,
        mrn="K-7",
        given_name="Ana",
        family_name="Lima",
        date_of_birth="1984-02-03",
        sex="female",
        weight_kg=61.0,
        allergies="",
    )


def test_patient_details_second_save_is_refused_with_the_details_now(
    ctx: ServiceContext,
    other: ServiceContext,
    nurse: Actor,
    clinician: Actor,
    clock: FakeClock,
) -> None:
    made = _patient(ctx, nurse)
    here = PatientService(ctx).for_editing(made.id)
    there = PatientService(other).for_editing(made.id)
    assert here.version is not None
    assert here.version == there.version > NO_RECORD
    assert PatientService(ctx).get(made.id).version is None  # reads elsewhere stay as they were

    clock.advance(timedelta(hours=1))
    saved = PatientService(ctx).update(nurse, made.id, version=here.version, weight_kg=63.5)
    counts = table_counts(ctx.db, include_denials=True)
    with pytest.raises(EditConflict) as caught:
        PatientService(other).update(
            clinician, made.id, version=there.version, weight_kg=61.0, allergies="latex"
        )
    conflict = caught.value
    assert conflict.changed_by == "Test Nurse"
    assert conflict.changed_at_text == _hhmm(ctx)
    assert isinstance(conflict.current, PatientInfo)
    assert conflict.current.weight_kg == 63.5
    assert conflict.current.allergies == ""
    assert "this patient's details" in str(conflict)
    assert table_counts(ctx.db, include_denials=True) == counts
    assert PatientService(ctx).get(made.id) == saved

    PatientService(other).record_view(clinician, made.id)  # a view is no change
    after = PatientService(other).update(
        clinician, made.id, version=conflict.version, allergies="latex"
    )
    assert (after.weight_kg, after.allergies) == (63.5, "latex")


def test_a_patient_written_before_any_audit_entry_has_version_no_record(
    ctx: ServiceContext, nurse: Actor
) -> None:
    patient_id, _ = insert_patient_and_course(ctx.db)
    info = PatientService(ctx).for_editing(patient_id)
    assert info.version == NO_RECORD
    changed = PatientService(ctx).update(nurse, patient_id, version=NO_RECORD, allergies="dust")
    assert changed.allergies == "dust"
    with pytest.raises(EditConflict):
        PatientService(ctx).update(nurse, patient_id, version=NO_RECORD, allergies="none")


# ------------------------------------------------------------------ any interleaving

_MRNS = itertools.count(1)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from([0, 1]), st.sampled_from(["read", "save"]), st.text("ab", max_size=3)
        ),
        min_size=1,
        max_size=10,
    )
)
def test_any_interleaving_of_two_editors_loses_no_text(
    ctx: ServiceContext,
    other: ServiceContext,
    therapist: Actor,
    nurse: Actor,
    steps: list[tuple[int, str, str]],
) -> None:
    """Two editors read and save one session note in any order. A save succeeds exactly
    when it started from the version stored (or stores what is stored); a refused save
    writes nothing and shows the stored text. Every text ever saved is in the audit trail."""
    _, course_id = insert_patient_and_course(ctx.db, mrn=f"P-{next(_MRNS)}")
    sid = insert_session(ctx.db, course_id, nurse.user_id)
    contexts, actors = (ctx, other), (therapist, nurse)
    bases = [NO_RECORD, NO_RECORD]
    stored_text, stored_version, note_id = "", NO_RECORD, None
    saved_texts: list[str] = []
    for who, step, text in steps:
        svc = NoteService(contexts[who])
        if step == "read":
            bases[who] = NO_RECORD if note_id is None else svc.get(note_id).version or 0
            continue
        expect_ok = text == stored_text or bases[who] == stored_version
        try:
            note = svc.save_session_note(actors[who], sid, text, version=bases[who])
        except EditConflict as conflict:
            refused = (conflict.current.body, conflict.version)
            assert not expect_ok
            assert refused == (stored_text, stored_version)
            bases[who] = conflict.version  # "keep editing"
            continue
        assert expect_ok
        if note is None:  # an empty text and no note yet: nothing to keep
            assert text == ""
            assert note_id is None
            continue
        note_id, stored_text = note.id, note.body
        stored_version = bases[who] = note.version or 0
        saved_texts.append(text)
        assert note.body == text
    assert _stored_bodies(ctx, sid) == ([stored_text] if note_id is not None else [])
    if note_id is not None:
        audited = _audited_texts(ctx, note_id)
        assert all(t in audited for t in saved_texts)


# ------------------------------------------------------------------ two processes, one file

_SECOND_WORKSTATION = """
import sys
from kapdesk.composition import build_context
from kapdesk.domain.errors import EditConflict
from kapdesk.services.notes import NoteService
from kapdesk.services.users import UserService, actor_of

ctx = build_context(sys.argv[1], create=False)
nurse = next(actor_of(u) for u in UserService(ctx).list_users() if u.username == "nurse")
try:
    NoteService(ctx).save_session_note(nurse, int(sys.argv[2]), "From the other PC.",
                                       version=int(sys.argv[3]))
except EditConflict as conflict:
    print("CONFLICT", conflict.changed_by, "|", conflict.current.body)
else:
    print("SAVED")
ctx.db.close()
"""


def test_a_second_process_on_the_same_file_gets_the_conflict(
    ctx: ServiceContext, store: str, therapist: Actor, session_id: int
) -> None:
    if store != "sqlite":
        pytest.skip("two processes on one SQLite file")
    first = NoteService(ctx).save_session_note(therapist, session_id, "Calm.", version=0)
    assert first is not None
    assert first.version is not None
    NoteService(ctx).save_session_note(therapist, session_id, "Calm, warm.", version=first.version)
    path = str(Path(str(ctx.db.location)))

    def other_pc(version: int) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _SECOND_WORKSTATION, path, str(session_id), str(version)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip()

    assert other_pc(first.version) == "CONFLICT Test Therapist | Calm, warm."
    assert _stored_bodies(ctx, session_id) == ["Calm, warm."]
    now = NoteService(ctx).get(first.id).version
    assert now is not None
    assert other_pc(now) == "SAVED"
    assert _stored_bodies(ctx, session_id) == ["From the other PC."]
