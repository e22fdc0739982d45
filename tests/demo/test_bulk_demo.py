"""The big demo clinic (bulk generator) at small scale: counts, a valid audit chain written
as the services write it, coherent sessions, and the services reading it back."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kapdesk.cli import main as cli_main
from kapdesk.demo.bulk import GENERATOR_VERSION, BigClinicResult, build_big_clinic
from kapdesk.demo.output import COUNTED
from kapdesk.demo.plan import local_time
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.session_state import ACTIVE, SessionState
from kapdesk.reports.pdf import PDF
from kapdesk.services.board import BoardService
from kapdesk.services.context import ServiceContext
from kapdesk.services.course_print import page_count
from kapdesk.services.courses import CourseService
from kapdesk.services.database_check import run_check
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.integrity import verify_signatures_at
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService, fold
from kapdesk.services.reports import ReportService
from kapdesk.services.sessions import SessionService
from kapdesk.services.users import UserService
from kapdesk.storage import audit, orm
from kapdesk.storage.backup import verify_database
from kapdesk.storage.db import Database

TODAY = date(2026, 3, 4)  # a Wednesday
END = local_time(TODAY, time(11, 0))
PATIENTS = 50

# Rows that never change after they are created: their audit entry must equal the
# snapshot the services take of the stored row (audit.row_snapshot).
UNCHANGED = (
    (orm.Patient, "patient"),
    (orm.VitalReading, "vital_reading"),
    (orm.Dose, "dose"),
    (orm.HoldOverride, "hold_override"),
    (orm.Observation, "observation"),
    (orm.InstrumentResult, "instrument_result"),
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BigClinicResult:
    path = tmp_path_factory.mktemp("big") / "big.sqlite"
    return build_big_clinic(
        path, patients=PATIENTS, years=1, seed=7, today=TODAY, end_time=time(11)
    )


@pytest.fixture
def ctx(built: BigClinicResult) -> Iterator[ServiceContext]:
    db = Database.open(built.path, create=False)
    yield ServiceContext(db=db, clock=FakeClock(END))
    db.close()


def sql(path: Path, query: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------------ shape and audit


def test_counts_are_those_of_a_small_busy_clinic(built: BigClinicResult) -> None:
    c = built.counts
    assert set(c) == set(COUNTED)
    assert c["patients"] == PATIENTS
    assert c["users"] == 9
    assert 6 * PATIENTS <= c["sessions"] <= 20 * PATIENTS
    discharged = sql(built.path, "SELECT count(*) FROM dosing_sessions WHERE state='discharged'")
    assert discharged[0][0] >= 0.7 * c["sessions"]
    assert c["readings"] >= 8 * discharged[0][0]
    assert c["doses"] >= discharged[0][0]
    assert c["instruments"] >= c["sessions"] * 0.8  # a PHQ-9 before nearly every session
    assert c["notes"] >= discharged[0][0]
    assert c["courses"] > PATIENTS
    assert c["side_effects"] > 0
    assert c["observations"] > 0
    assert built.size_bytes == built.path.stat().st_size > 0
    assert built.end == END
    assert "Big demo clinic written to" in built.summary()
    assert GENERATOR_VERSION >= 1


def test_the_file_passes_kapdesk_check(built: BigClinicResult) -> None:
    report = verify_database(built.path)
    assert report.ok, report.lines()
    assert report.audit is not None
    assert report.audit.entries_checked == built.counts["audit"]


def test_one_audit_entry_per_created_row(built: BigClinicResult) -> None:
    actions = Counter(dict(sql(built.path, "SELECT action, count(*) FROM audit_log GROUP BY 1")))
    c = built.counts
    assert actions["patient.create"] == c["patients"]
    assert actions["course.start"] == c["courses"]
    assert actions["session.schedule"] == c["sessions"]
    assert actions["vitals.record"] == c["readings"]
    assert actions["dose.record"] == c["doses"]
    assert actions["side_effect.record"] == c["side_effects"]
    assert actions["observation.moaas"] + actions["observation.dissociation"] == c["observations"]
    assert actions["instrument.record"] == c["instruments"]
    assert actions["note.create"] == c["notes"]
    ended = sql(built.path, "SELECT count(*) FROM courses WHERE ended_on IS NOT NULL")[0][0]
    assert actions["course.end"] == ended > 0
    assert actions["user.add_demo"] == c["users"]


def test_audit_entries_hold_the_rows_as_the_services_snapshot_them(ctx: ServiceContext) -> None:
    with ctx.db.read() as s:
        for model, entity in UNCHANGED:
            rows = s.scalars(select(model).order_by(model.id).limit(200)).all()
            assert rows, model
            entries = {
                e.entity_id: e
                for e in s.scalars(
                    select(orm.AuditEntry).where(
                        orm.AuditEntry.entity == entity,
                        orm.AuditEntry.entity_id.in_([str(r.id) for r in rows]),
                    )
                )
            }
            for row in rows:
                entry = entries[str(row.id)]
                assert entry.after == audit.canonical_json(audit.row_snapshot(row)), entity
                assert entry.before is None


def test_the_clinic_signs_as_a_clinic_does(built: BigClinicResult) -> None:
    """Nearly every finished session signed by a clinician within a day (its session note
    final with it), integration notes by their therapist, a few addenda (most signed), a
    few readings marked entered in error before signing; and every signature verifies."""
    path, c = built.path, built.counts
    finished = sql(path, "SELECT count(*) FROM dosing_sessions "
                   "WHERE state IN ('discharged', 'dose_withheld')")[0][0]  # fmt: skip
    kinds = dict(sql(path, "SELECT entity, count(*) FROM signatures GROUP BY 1"))
    assert 0.9 * finished <= kinds["dosing_session"] <= finished
    assert sql(path, """
        SELECT count(*) FROM signatures g JOIN dosing_sessions s ON s.id = g.entity_id
        WHERE g.entity = 'dosing_session' AND (g.signer_role != 'clinician'
          OR julianday(g.signed_at) - julianday(s.discharged_at) NOT BETWEEN 0 AND 1)
          AND s.state = 'discharged'
    """) == [(0,)]  # fmt: skip
    integration = sql(path, "SELECT count(*) FROM notes WHERE kind = 'integration'")[0][0]
    assert 0.85 * integration <= kinds["note"] <= integration
    assert sql(path, """
        SELECT count(*) FROM signatures g JOIN notes n ON n.id = g.entity_id
        WHERE g.entity = 'note' AND (g.signer_id != n.author_id OR n.status != 'final'
          OR n.signed_by != g.signer_id OR n.signed_at != g.signed_at)
    """) == [(0,)]  # fmt: skip
    unsigned_final = sql(path, """
        SELECT count(*) FROM notes n WHERE n.status = 'final' AND NOT EXISTS (
          SELECT 1 FROM signatures g WHERE (g.entity = 'note' AND g.entity_id = n.id)
          OR (g.entity = 'dosing_session' AND g.entity_id = n.dosing_session_id
              AND n.kind = 'session'))
    """)  # fmt: skip
    assert unsigned_final == [(0,)]
    signed = kinds["dosing_session"] + kinds["note"]
    assert 0 < c["addenda"] <= 0.1 * signed
    assert 0 < kinds["addendum"] <= c["addenda"]
    assert c["signatures"] == sum(kinds.values())
    marked = sql(path, "SELECT count(DISTINCT session_id) FROM vital_readings "
                 "WHERE error_at IS NOT NULL")[0][0]  # fmt: skip
    assert 0 < marked <= 0.1 * finished
    report = verify_signatures_at(path)
    assert report.ok, report.messages()[:5]
    assert report.checked == c["signatures"]


def test_a_benchmark_clinic_is_not_a_demo(tmp_path: Path) -> None:
    """demo=False: the accounts are a real clinic's (first admin, then added by the admin),
    with the same password; the file checks clean."""
    real = build_big_clinic(
        tmp_path / "real.sqlite", patients=3, years=1, seed=7, today=TODAY,
        end_time=time(11), demo=False,
    )  # fmt: skip
    actions = dict(sql(real.path, "SELECT action, count(*) FROM audit_log "
                       "WHERE entity = 'user' GROUP BY 1"))  # fmt: skip
    assert actions == {"user.create_first_admin": 1, "user.add": real.counts["users"] - 1}
    db = Database.open(real.path, create=False)
    try:
        ctx = ServiceContext(db=db, clock=FakeClock(END))
        assert not ReportService(ctx, renderer=PDF).is_demo_database()
        assert UserService(ctx).authenticate("clinician", "demo").role.value == "clinician"
    finally:
        db.close()
    lines, ok = run_check(real.path)
    assert ok, lines


def test_deterministic_per_seed(built: BigClinicResult, tmp_path: Path) -> None:
    again = build_big_clinic(
        tmp_path / "again.sqlite", patients=PATIENTS, years=1, seed=7, today=TODAY,
        end_time=time(11),
    )  # fmt: skip
    other = build_big_clinic(
        tmp_path / "other.sqlite", patients=5, years=1, seed=8, today=TODAY, end_time=time(11)
    )
    last = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"
    assert again.counts == built.counts
    assert sql(again.path, last) == sql(built.path, last)  # password hashes are redacted
    assert sql(other.path, last) != sql(built.path, last)


def test_refuses_an_existing_file_and_bad_sizes(tmp_path: Path) -> None:
    taken = tmp_path / "taken.sqlite"
    taken.write_bytes(b"keep me")
    with pytest.raises(ValidationError, match="already exists"):
        build_big_clinic(taken, patients=5, years=1, today=TODAY)
    assert taken.read_bytes() == b"keep me"
    for patients, years, field in ((0, 1, "Patients"), (5, 0, "Years"), (5, 21, "Years")):
        with pytest.raises(ValidationError, match=f"{field} .* outside the allowed range"):
            build_big_clinic(tmp_path / "x.sqlite", patients=patients, years=years, today=TODAY)
        assert not (tmp_path / "x.sqlite").exists()


# ------------------------------------------------------------------ coherent sessions


def test_sessions_are_coherent(built: BigClinicResult) -> None:
    path = built.path
    # first_dose_at is the first dose; readings before it are pre-dose, after it post-dose
    wrong_first = sql(path, """
        SELECT count(*) FROM dosing_sessions s
        WHERE s.first_dose_at IS NOT (SELECT min(given_at) FROM doses d WHERE d.session_id = s.id)
    """)  # fmt: skip
    assert wrong_first == [(0,)]
    wrong_phase = sql(path, """
        SELECT count(*) FROM vital_readings r JOIN dosing_sessions s ON s.id = r.session_id
        WHERE (r.phase = 'pre_dose') != (s.first_dose_at IS NULL OR r.taken_at < s.first_dose_at)
    """)  # fmt: skip
    assert wrong_phase == [(0,)]
    undosed_discharge = sql(path, """
        SELECT count(*) FROM dosing_sessions WHERE state = 'discharged'
        AND (first_dose_at IS NULL OR discharged_at < first_dose_at OR discharged_by IS NULL)
    """)  # fmt: skip
    assert undosed_discharge == [(0,)]
    # nothing happened after the build's end; running sessions are today's
    end = f"{END.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"  # as SQLite holds it
    assert sql(path, f"SELECT count(*) FROM vital_readings WHERE taken_at > '{end}'") == [(0,)]
    assert sql(path, f"SELECT count(*) FROM audit_log WHERE at > '{end}'") == [(0,)]
    running = [SessionState(s).value for s in SessionState if s in ACTIVE]
    marks = ",".join(f"'{v}'" for v in running)
    day_start = f"{(END - timedelta(hours=11)).astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
    stale = sql(path, f"SELECT count(*) FROM dosing_sessions WHERE state IN ({marks}) "
                f"AND scheduled_at < '{day_start}'")  # fmt: skip
    assert stale == [(0,)]
    # one open course at most per patient
    assert sql(path, "SELECT max(n) FROM (SELECT count(*) n FROM courses "
               "WHERE ended_on IS NULL GROUP BY patient_id)")[0][0] == 1  # fmt: skip


# ------------------------------------------------------------------ services read it


def test_services_read_the_clinic(ctx: ServiceContext) -> None:
    with ctx.db.read() as s:
        everyone = s.scalars(select(orm.Patient).order_by(orm.Patient.id)).all()
        patient = next(p for p in everyone if fold(p.family_name) != p.family_name.lower())
        long_course = s.execute(
            select(orm.Course.patient_id, func.count(orm.DosingSession.id).label("n"))
            .join(orm.DosingSession, orm.DosingSession.course_id == orm.Course.id)
            .group_by(orm.Course.patient_id)
            .order_by(func.count(orm.DosingSession.id).desc())
        ).first()
        discharged = s.scalar(
            select(orm.DosingSession.id)
            .where(orm.DosingSession.state == "discharged")
            .order_by(orm.DosingSession.id.desc())
        )
    assert patient is not None
    assert long_course is not None
    assert discharged is not None

    found = PatientService(ctx).search(fold(patient.family_name)[:3], limit=200)
    assert patient.id in {p.id for p in found}

    sessions = SessionService(ctx).sessions_for_patient(long_course.patient_id)
    assert len(sessions) == long_course.n >= 10
    courses = CourseService(ctx).list_for_patient(long_course.patient_id)
    assert sum(c.session_count for c in courses) == len(sessions)
    phq = InstrumentService(ctx).history(long_course.patient_id, "PHQ-9")
    assert len(phq) >= len(sessions) // 2
    outcome = InstrumentService(ctx).course_outcome(courses[0].id)
    assert outcome.baseline is not None
    assert outcome.latest is not None

    detail = SessionService(ctx).detail(discharged)
    assert detail.session.state == "discharged"
    assert len(detail.readings) >= 4
    assert detail.doses
    assert detail.discharge_checks
    assert all(c.met for c in detail.discharge_checks)
    assert NoteService(ctx).list_for_session(discharged)

    clinician = UserService(ctx).authenticate("clinician", "demo")
    pdf = ReportService(ctx, renderer=PDF).session_summary_pdf(clinician, discharged, demo=True)
    assert page_count(pdf) >= 1


def test_the_today_board_is_live_at_the_end(ctx: ServiceContext) -> None:
    rows = BoardService(ctx).today_board()
    assert rows
    states = {r.state for r in rows}
    assert states & {s.value for s in ACTIVE}  # some sessions are running at 11:00
    assert "scheduled" in states  # and some are still to come
    assert all(r.scheduled_at.astimezone().date() == TODAY for r in rows)


def test_cli_demo_with_years_uses_the_bulk_generator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.sqlite"
    assert cli_main(["demo", "--db", str(path), "--patients", "3", "--years", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Big demo clinic written to {path}")
    assert "3 patients" in out
    assert cli_main(["demo", "--db", str(tmp_path / "y.sqlite"), "--years", "0"]) == 1
    assert "Years 0 is outside the allowed range 1-20" in capsys.readouterr().err
