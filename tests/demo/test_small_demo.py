"""The demo clinic: the promised shape, a valid audit trail, and determinism."""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kapdesk.demo import small as demo_module
from kapdesk.demo.plan import local_time
from kapdesk.demo.small import build_demo_clinic
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.patients import validate_password
from kapdesk.domain.permissions import Role
from kapdesk.domain.schedule import ItemStatus
from kapdesk.services.board import BoardService
from kapdesk.services.context import ServiceContext
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService
from kapdesk.storage import orm
from kapdesk.storage.backup import verify_database
from kapdesk.storage.db import Database

TODAY = date(2026, 3, 4)  # a Wednesday
END = local_time(TODAY, time(10, 0))  # the demo's "now"
PROTOCOLS = {"kap-default", "spravato-rems", "iv-infusion", "sublingual-kap"}


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=12, today=TODAY)
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(END)


@pytest.fixture
def ctx(demo_path: Path, clock: FakeClock) -> Iterator[ServiceContext]:
    db = Database.open(demo_path, create=False)
    yield ServiceContext(db=db, clock=clock)
    db.close()


def rows(ctx: ServiceContext, model: Any) -> list[Any]:
    with ctx.db.read() as s:
        return list(s.scalars(select(model)))


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in storage order, password hashes left out (they are salted)."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        for (table,) in tables.fetchall():
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = ", ".join(c for c in columns if c != "password_hash")
            out[table] = conn.execute(f"SELECT {kept} FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


# ---------------------------------------------------------------- refusals


def test_refuses_an_existing_file_and_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    path.write_bytes(b"precious")
    with pytest.raises(ValidationError, match="already exists"):
        build_demo_clinic(path, today=TODAY)
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize("patients", [0, -3, 501])
def test_refuses_a_patient_count_out_of_range(tmp_path: Path, patients: int) -> None:
    with pytest.raises(ValidationError, match="Patients"):
        build_demo_clinic(tmp_path / "d.sqlite", patients=patients, today=TODAY)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_build_removes_the_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    # Fails while the timeline runs, after hundreds of rows were written.
    monkeypatch.setattr(NoteService, "save_session_note", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_demo_clinic(tmp_path / "d.sqlite", patients=2, today=TODAY)
    assert list(tmp_path.iterdir()) == []


def test_without_today_the_demo_ends_at_the_moment_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Frozen:
        def now(self) -> datetime:
            return datetime(2025, 11, 19, 15, 0, tzinfo=UTC)

    monkeypatch.setattr(demo_module, "SystemClock", Frozen)
    path = tmp_path / "d.sqlite"
    build_demo_clinic(path, patients=1)
    db = Database.open(path, create=False)
    try:
        with db.read() as s:
            latest = s.scalar(select(func.max(orm.AuditEntry.at)))
    finally:
        db.close()
    built_at = datetime(2025, 11, 19, 15, 0, tzinfo=UTC)
    assert latest is not None
    assert latest.astimezone().date() == built_at.astimezone().date()
    assert built_at - timedelta(hours=1) < latest <= built_at


# ---------------------------------------------------------------- shape


def test_summary_names_the_counts_and_the_password(tmp_path: Path) -> None:
    summary = build_demo_clinic(tmp_path / "d.sqlite", patients=2, today=TODAY)
    assert "\n" not in summary
    assert "4 users, 2 patients, 2 treatment courses" in summary
    assert '"demo"' in summary
    for name in ("admin", "clinician", "therapist", "nurse"):
        assert name in summary


def test_four_users_one_per_role_signing_in_with_demo(ctx: ServiceContext) -> None:
    users = {u.username: u.role for u in UserService(ctx).list_users()}
    assert users == {
        "admin": Role.ADMIN,
        "clinician": Role.CLINICIAN,
        "therapist": Role.THERAPIST,
        "nurse": Role.NURSE,
    }
    assert UserService(ctx).authenticate("therapist", "demo").role is Role.THERAPIST
    with pytest.raises(ValidationError):  # the real rule still refuses such a password
        validate_password("demo")
    with ctx.db.read() as s:
        actions = s.scalars(select(orm.AuditEntry.action).where(orm.AuditEntry.entity == "user"))
        assert Counter(actions)["user.add_demo"] == 4
        hashes = s.scalars(select(orm.User.password_hash)).all()
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_twelve_adult_patients_with_diverse_names(ctx: ServiceContext) -> None:
    patients = rows(ctx, orm.Patient)
    assert len(patients) == 12
    assert len({p.mrn for p in patients}) == 12
    full = {f"{p.given_name} {p.family_name}" for p in patients}
    for name in ("Conceição Simões", "Jürgen Müller", "Siobhán Ní Bhriain", "Zoë Åberg"):
        assert name in full
    assert "Thị Lan Nguyễn" in full
    for p in patients:
        age = (TODAY - p.date_of_birth).days / 365.25
        assert 18 <= age < 80
        assert p.weight_kg is not None
        assert 45 <= p.weight_kg <= 120
    assert any(p.allergies for p in patients)
    assert any(p.contraindications for p in patients)


def test_courses_of_four_to_eight_sessions_on_every_protocol(ctx: ServiceContext) -> None:
    courses = rows(ctx, orm.Course)
    assert len(courses) == 12
    assert {c.protocol_id for c in courses} == PROTOCOLS
    per_course = Counter(ds.course_id for ds in rows(ctx, orm.DosingSession))
    assert set(per_course) == {c.id for c in courses}
    assert all(4 <= n <= 8 for n in per_course.values()), per_course
    assert any(c.ended_on is not None for c in courses)
    assert any(c.ended_on is None for c in courses)


def test_doses_on_every_route_and_regimen(ctx: ServiceContext) -> None:
    doses = rows(ctx, orm.Dose)
    assert {d.route for d in doses} >= {"im", "sublingual", "intranasal", "iv"}
    nasal = {d.mg for d in doses if d.route == "intranasal"}
    assert nasal == {56.0, 84.0}
    assert {(d.amount, d.unit) for d in doses if d.route == "iv"} == {(0.5, "mg_per_kg")}
    assert any(d.is_booster for d in doses)
    assert all(d.lot_number for d in doses)


def test_an_elevated_pre_dose_bp_with_recheck_and_override(ctx: ServiceContext) -> None:
    readings = {r.id: r for r in rows(ctx, orm.VitalReading)}
    overrides = rows(ctx, orm.HoldOverride)
    assert overrides
    for o in overrides:
        held = readings[o.reading_id]
        assert held.phase == "pre_dose"
        assert held.band == "elevated"
        assert o.prescriber_name == "Dr. Amara Okafor, MD"
        earlier = [
            r
            for r in readings.values()
            if r.session_id == o.session_id and r.phase == "pre_dose" and r.id != held.id
        ]
        assert earlier, "an override follows a recheck"
    states = Counter(ds.state for ds in rows(ctx, orm.DosingSession))
    assert states["dose_withheld"] == 1
    assert states["cancelled"] == 1


def test_post_dose_readings_on_time_and_late(ctx: ServiceContext) -> None:
    service = SessionService(ctx)
    on_time = late = 0
    for ds in rows(ctx, orm.DosingSession):
        if ds.state != "discharged":
            continue
        for item in service.detail(ds.id).schedule:
            on_time += item.on_time is True
            late += item.on_time is False
    assert late >= 1
    assert on_time > 10 * late
    bands = Counter((r.phase, r.band) for r in rows(ctx, orm.VitalReading))
    assert bands[("post_dose", "alert")] >= 1


def test_responders_non_responders_and_the_item9_patient(ctx: ServiceContext) -> None:
    service = InstrumentService(ctx)
    outcomes = [service.course_outcome(c.id) for c in rows(ctx, orm.Course)]
    results = [o.outcome for o in outcomes if o.outcome is not None]
    assert len(results) == 12
    assert any(r.response for r in results)
    assert any(not r.response for r in results)
    assert any(r.remission for r in results)
    flagged = [o for o in outcomes if o.item9_flagged]
    assert len(flagged) == 1
    history = [value for _, value in flagged[0].item9_history]
    assert history[0] > 0
    assert history[-1] == 0
    for o in outcomes:  # baseline, then (roughly) weekly with the sessions
        assert len(o.results) >= 4


def test_gad7_at_baseline_and_at_the_end_of_finished_courses(ctx: ServiceContext) -> None:
    gad = Counter(r.course_id for r in rows(ctx, orm.InstrumentResult) if r.instrument == "GAD-7")
    phq_sessions = {r.session_id for r in rows(ctx, orm.InstrumentResult) if r.session_id}
    assert phq_sessions
    for course in rows(ctx, orm.Course):
        assert gad[course.id] >= (2 if course.ended_on else 1)


def test_side_effects_observations_and_notes(ctx: ServiceContext) -> None:
    effects = [e for e in rows(ctx, orm.SideEffect) if e.present]
    assert {e.severity for e in effects} >= {"mild", "moderate"}
    assert any(e.intervention for e in effects)
    resolved = [e for e in effects if e.resolved_at is not None]
    assert resolved
    assert all(e.onset_at is not None and e.resolved_at >= e.onset_at for e in resolved)
    kinds = Counter(o.kind for o in rows(ctx, orm.Observation))
    assert kinds["moaas"] > 0
    assert kinds["dissociation"] > 0
    sessions = {ds.id: ds for ds in rows(ctx, orm.DosingSession)}
    notes = rows(ctx, orm.Note)
    integration = [n for n in notes if n.kind == "integration"]
    assert integration
    assert any(n.kind == "session" for n in notes)
    for n in integration:
        followed = sessions[n.dosing_session_id]
        assert followed.course_id == n.course_id
        assert followed.first_dose_at is not None
        assert n.held_at > followed.first_dose_at
        assert all(n.sections[k] for k in ("themes", "changes", "plan", "risk"))
    assert {n.status for n in integration} == {"draft", "final"}


def test_the_today_board_is_alive(ctx: ServiceContext, clock: FakeClock) -> None:
    board = {r.state: r for r in BoardService(ctx).today_board(day=TODAY)}
    assert set(board) >= {"scheduled", "pre_dose_vitals", "monitoring", "discharged"}
    rooms = [r.room for r in BoardService(ctx).today_board(day=TODAY)]
    assert len(rooms) == len(set(rooms)) == 5

    waiting = board["pre_dose_vitals"]
    assert "Hold: override needed" in waiting.flags
    # the recheck is a scheduled reading, due now (issue 9), not a flag
    assert waiting.next_due is not None
    assert waiting.next_due.label == "Recheck 5 min after the elevated reading"
    assert waiting.next_due.status is ItemStatus.DUE

    running = board["monitoring"]
    assert running.protocol_label.startswith("kap-default")
    assert running.next_due is not None
    assert running.next_due.schedule_id == "post-dose-20-30"
    assert running.next_due.status is ItemStatus.DUE
    clock.advance(minutes=11)  # due somewhere in 20-30 min: now 31-41 min, overdue
    later = next(r for r in BoardService(ctx).today_board(day=TODAY) if r.state == "monitoring")
    assert "Reading overdue" in later.flags
    clock.advance(minutes=15)  # 15 min after its window closed: missed (issue 9)
    later = next(r for r in BoardService(ctx).today_board(day=TODAY) if r.state == "monitoring")
    assert "Readings missed: 1" in later.flags

    done = board["discharged"]
    assert done.first_dose_at is not None
    with ctx.db.read() as s:
        session = s.get(orm.DosingSession, done.session_id)
        assert session is not None
        assert session.discharged_at is not None
        assert session.discharged_at < END


def test_nothing_happens_after_the_demo_now(ctx: ServiceContext) -> None:
    with ctx.db.read() as s:
        assert s.scalar(select(func.max(orm.AuditEntry.at))) <= END
        assert s.scalar(select(func.max(orm.VitalReading.taken_at))) <= END
        future = s.scalars(
            select(orm.DosingSession.state).where(orm.DosingSession.scheduled_at > END)
        ).all()
    assert future
    assert set(future) == {"scheduled"}


# ---------------------------------------------------------------- audit


def test_verify_database_is_ok(demo_path: Path) -> None:
    report = verify_database(demo_path)
    assert report.ok, report.lines()
    assert report.audit is not None
    assert report.audit.entries_checked > 1000


def test_every_row_has_its_audit_entry_in_time_order(ctx: ServiceContext) -> None:
    with ctx.db.read() as s:
        entries = list(s.scalars(select(orm.AuditEntry).order_by(orm.AuditEntry.id)))
    assert all(a.at <= b.at for a, b in itertools.pairwise(entries))
    created = Counter(
        e.entity
        for e in entries
        if e.before is None and e.entity_id is not None and not e.action.startswith("auth.")
    )
    for entity, model in (
        ("patient", orm.Patient),
        ("course", orm.Course),
        ("dosing_session", orm.DosingSession),
        ("vital_reading", orm.VitalReading),
        ("dose", orm.Dose),
        ("hold_override", orm.HoldOverride),
        ("side_effect", orm.SideEffect),
        ("observation", orm.Observation),
        ("instrument_result", orm.InstrumentResult),
        ("note", orm.Note),
        ("user", orm.User),
    ):
        assert created[entity] == len(rows(ctx, model)), entity
    staff = {u.id for u in rows(ctx, orm.User)}
    assert {e.user_id for e in entries if e.user_id is not None} <= staff


# ---------------------------------------------------------------- determinism


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    paths = [tmp_path / f"{name}.sqlite" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        build_demo_clinic(path, seed=seed, patients=4, today=TODAY)
    first, second, other = (dump(p) for p in paths)
    assert first == second
    assert first != other
    assert len(first["dosing_sessions"]) >= 16
    assert len(first["audit_log"]) > 300


def test_the_today_argument_moves_the_whole_clinic(tmp_path: Path) -> None:
    build_demo_clinic(tmp_path / "a.sqlite", seed=2, patients=2, today=TODAY)
    later = TODAY + timedelta(days=7)
    build_demo_clinic(tmp_path / "b.sqlite", seed=2, patients=2, today=later)
    a, b = dump(tmp_path / "a.sqlite"), dump(tmp_path / "b.sqlite")
    assert [r[1] for r in a["patients"]] == [r[1] for r in b["patients"]]  # same MRNs
    assert a["audit_log"] != b["audit_log"]


# ---------------------------------------------------------------- signed records


def test_signed_sessions_signed_notes_and_addenda_some_signed(ctx: ServiceContext) -> None:
    """A new user sees signing, locks and addenda at once (issue 10)."""
    signed = Counter(sig.entity for sig in rows(ctx, orm.Signature))
    assert signed["dosing_session"] >= 40
    assert signed["note"] >= 30
    addenda = rows(ctx, orm.Addendum)
    on = Counter(a.entity for a in addenda)
    assert on["dosing_session"] >= 8
    assert on["note"] >= 8
    signed_addenda = {sig.entity_id for sig in rows(ctx, orm.Signature) if sig.entity == "addendum"}
    assert 0 < len(signed_addenda) < len(addenda)  # some signed, some not yet

    signatures = {(sig.entity, sig.entity_id): sig for sig in rows(ctx, orm.Signature)}
    sessions = {ds.id: ds for ds in rows(ctx, orm.DosingSession)}
    users = {u.id: u.username for u in rows(ctx, orm.User)}
    for (entity, entity_id), sig in signatures.items():
        assert sig.method == "password re-entry"
        if entity == "dosing_session":
            assert users[sig.signer_id] == "clinician"
            assert sessions[entity_id].state in ("discharged", "dose_withheld")
    for a in addenda:
        assert (a.entity, a.entity_id) in signatures  # only a signed record takes an addendum
        assert a.created_at > signatures[(a.entity, a.entity_id)].signed_at
    # a signed session's note is final, signed with it; the last days are not signed yet
    for note in rows(ctx, orm.Note):
        if note.kind == "session" and ("dosing_session", note.dosing_session_id) in signatures:
            assert note.status == "final"
            session_signature = signatures[("dosing_session", note.dosing_session_id)]
            assert note.signed_by == session_signature.signer_id
    recent = [
        ds
        for ds in sessions.values()
        if ds.state == "discharged" and ds.discharged_at > END - timedelta(days=1)
    ]
    assert recent
    assert all(("dosing_session", ds.id) not in signatures for ds in recent)


def test_kapdesk_check_on_a_fresh_demo_is_clean(demo_path: Path) -> None:
    from kapdesk.services.database_check import run_check

    lines, ok = run_check(demo_path)
    assert ok, lines
    assert any("signed records match their signatures" in line for line in lines)


def test_the_clinic_name_is_set_through_the_settings_service(ctx: ServiceContext) -> None:
    with ctx.db.read() as s:
        [entry] = s.scalars(
            select(orm.AuditEntry).where(orm.AuditEntry.action == "settings.update")
        ).all()
    assert entry.entity_id == "clinic_name"
    assert entry.after_data == {"key": "clinic_name", "value": "Lakeside Demo Clinic"}
