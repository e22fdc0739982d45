"""``server init`` on a real PostgreSQL server: the schema, the application role and exactly
its privileges; what the role cannot do to the audit log; a clinic day run as that role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import AuthenticationFailed
from kapdesk.domain.permissions import Role
from kapdesk.services.context import ServiceContext
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.notes import NoteService
from kapdesk.services.patients import PatientService
from kapdesk.services.sessions import SessionService
from kapdesk.services.settings import SettingsService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry, Base, VitalReading
from kapdesk.storage.server_init import initialise_server
from kapdesk.storage.server_roles import APP_TABLE_PRIVILEGES, ServerInitRefused, table_grants
from kapdesk.storage.server_url import ServerURL

from .pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database

__all__ = ["fresh_database"]

INSUFFICIENT_PRIVILEGE = "42501"
RESTRICT_VIOLATION = "23001"
STAFF_PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def no_password() -> str:
    raise AssertionError("no password should be asked for")


def _init(fresh: FreshDatabase, password: Callable[[], str] = lambda: APP_PASSWORD):  # type: ignore[no-untyped-def]
    return initialise_server(fresh.owner, fresh.app_role, password)


def _sqlstate(server: ServerURL, statement: str) -> str | None:
    """Run ``statement`` as ``server``'s role in a transaction that is rolled back;
    the SQLSTATE it failed with (None: it worked)."""
    engine = create_engine(server.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            try:
                conn.exec_driver_sql(statement)
            except DBAPIError as exc:
                return getattr(exc.orig, "sqlstate", "?")
            finally:
                conn.rollback()
    finally:
        engine.dispose()
    return None


def test_every_table_of_the_schema_has_decided_privileges() -> None:
    tables = set(Base.metadata.tables) | {"alembic_version"}
    assert set(APP_TABLE_PRIVILEGES) == tables
    assert APP_TABLE_PRIVILEGES["audit_log"] == ("SELECT", "INSERT")
    assert not any("DELETE" in p for p in APP_TABLE_PRIVILEGES.values())


def test_init_creates_the_schema_and_a_role_with_exactly_its_privileges(
    fresh_database: FreshDatabase,
) -> None:
    result = _init(fresh_database)
    assert result.previous_revision is None
    assert result.plan.created
    assert result.app_url().startswith(f"postgresql://{fresh_database.app_role}:***@")
    assert APP_PASSWORD not in result.app_url()
    engine = create_engine(fresh_database.owner.url, poolclass=NullPool)
    with engine.connect() as conn:
        grants = table_grants(conn, "public", fresh_database.app_role)
        role = conn.execute(
            text(
                "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolpassword IS NULL "
                "FROM pg_roles WHERE rolname = :r"
            ),
            {"r": fresh_database.app_role},
        ).one()
        create = conn.execute(
            text("SELECT has_schema_privilege(:r, 'public', 'CREATE')"),
            {"r": fresh_database.app_role},
        ).scalar()
    engine.dispose()
    assert grants["audit_log"] == {"SELECT", "INSERT"}
    assert grants["audit_log_id_seq"] == {"SELECT", "USAGE"}
    assert grants["patients"] == {"SELECT", "INSERT", "UPDATE"}
    assert grants["alembic_version"] == {"SELECT"}
    assert {t: p for t, p in grants.items() if not t.endswith("_seq")} == {
        t: set(p) for t, p in APP_TABLE_PRIVILEGES.items()
    }
    assert tuple(role) == (True, False, False, False, False)  # LOGIN only (rolpassword hidden)
    assert create is False


def test_the_app_role_cannot_change_the_audit_log_nor_the_schema(
    fresh_database: FreshDatabase,
) -> None:
    _init(fresh_database)
    _clinic_day(fresh_database.app)  # entries to try to change
    app, owner = fresh_database.app, fresh_database.owner
    for statement in (
        "UPDATE audit_log SET action = 'x' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 1",
        "TRUNCATE audit_log",
        "SELECT setval('audit_log_id_seq', 1)",
        "DELETE FROM patients",
        "DELETE FROM signatures",
        "UPDATE signatures SET meaning = 'x'",
        "CREATE TABLE mine (id int)",
        "ALTER TABLE audit_log DISABLE TRIGGER USER",
        "DROP TRIGGER audit_log_no_update ON audit_log",
    ):
        assert _sqlstate(app, statement) == INSUFFICIENT_PRIVILEGE, statement
    # The owner may: the triggers of the schema refuse it all the same.
    for statement in (
        "UPDATE audit_log SET action = 'x' WHERE id = 1",
        "DELETE FROM audit_log WHERE id = 1",
        "TRUNCATE audit_log",
        "UPDATE signatures SET meaning = 'x'",
    ):
        assert _sqlstate(owner, statement) == RESTRICT_VIOLATION, statement
    assert _sqlstate(app, "SELECT count(*) FROM audit_log") is None
    with Database.open(app) as db, db.read() as s:
        report = verify_chain(s)
        assert report.ok
        assert report.entries_checked > 20


def _clinic_day(server: ServerURL) -> None:
    """A patient from admission to a signed session, as ``server``'s role, through the
    services: every kind of write a clinic day makes."""
    clock = FakeClock(T0)
    db = Database.open(server, clock=clock)
    ctx = ServiceContext(db=db, clock=clock)
    try:
        users = UserService(ctx)
        for role in (Role.NURSE, Role.CLINICIAN, Role.ADMIN):
            users.add_user_from_console(
                username=role.value, full_name=f"Test {role.value}", role=role,
                password=STAFF_PASSWORD,
            )  # fmt: skip
        with pytest.raises(AuthenticationFailed):  # counted on the user row
            users.authenticate("nurse", "wrong password")
        nurse = users.authenticate("nurse", STAFF_PASSWORD)
        clinician = users.authenticate("clinician", STAFF_PASSWORD)
        admin = users.authenticate("admin", STAFF_PASSWORD)
        SettingsService(ctx).update(admin, clinic_name="Harbour Clinic")
        patient = PatientService(ctx).create(
            clinician, mrn="MRN-77", given_name="Ana", family_name="Lima",
            date_of_birth="1980-04-02", sex="female", weight_kg=70,
        )  # fmt: skip
        PatientService(ctx).update(clinician, patient.id, allergies="penicillin")
        course = CourseService(ctx).start(clinician, patient.id, "kap-default")
        sessions = SessionService(ctx)
        sid = sessions.schedule(nurse, course.id, clock.now(), "Room 2").id
        sessions.check_in(nurse, sid)
        sessions.record_checklist(
            nurse, sid, {"consent": True, "ride_home": True, "fasting": True,
                         "medication_changes": True, "contraindications": True,
                         "weight_kg": 70},
        )  # fmt: skip
        clock.advance(minutes=2)
        wrong = VitalsService(ctx).record(nurse, sid, 180, 70, pulse=72, spo2=98)
        CorrectionsService(ctx).mark_entered_in_error(
            clinician, "reading", wrong.reading.id, "typed into the wrong field"
        )
        VitalsService(ctx).record(nurse, sid, 122, 78, pulse=72, spo2=98)
        clock.advance(minutes=1)
        DoseService(ctx).record(
            nurse, sid, medication="racemic ketamine", route="im", amount=0.5,
            unit="mg/kg", lot_number="LOT-1",
        )  # fmt: skip
        clock.advance(minutes=10)
        effect = SideEffectService(ctx).record(nurse, sid, "nausea", severity="mild")
        SideEffectService(ctx).update(nurse, effect.id, intervention="ginger tea")
        VitalsService(ctx).record(nurse, sid, 124, 80, pulse=70, spo2=98)
        note = NoteService(ctx).save_session_note(clinician, sid, "Calm; talked about work.")
        assert note is not None
        NoteService(ctx).save_session_note(clinician, sid, "Calm; talked about work and home.")
        clock.advance(minutes=120)
        VitalsService(ctx).record(nurse, sid, 120, 76, pulse=68, spo2=99)
        sessions.discharge(clinician, sid, unmet_reason="Escorted home by her partner.")
        signature = SigningService(ctx).sign(clinician, "dosing_session", sid, STAFF_PASSWORD)
        assert signature.entity_id == sid
        CourseService(ctx).end(clinician, course.id, clock.now().date())
    finally:
        db.close()


def test_a_clinic_day_runs_as_the_app_role(fresh_database: FreshDatabase) -> None:
    _init(fresh_database)
    _clinic_day(fresh_database.app)
    with Database.open(fresh_database.app) as db, db.read() as s:
        assert verify_chain(s).ok
        actions = set(s.scalars(select(AuditEntry.action)))
        assert {"dose.record", "sign.signed", "note.update", "patient.update"} <= actions
        assert s.scalar(select(func.count(VitalReading.id))) == 4


def test_init_again_changes_nothing_and_asks_no_password(
    fresh_database: FreshDatabase,
) -> None:
    _init(fresh_database)
    engine = create_engine(fresh_database.owner.url, poolclass=NullPool)
    with engine.connect() as conn:
        before = table_grants(conn, "public", fresh_database.app_role)
    again = _init(fresh_database, no_password)
    assert not again.changed
    assert (again.previous_revision, again.revision) == (again.revision, again.revision)
    with engine.connect() as conn:
        assert table_grants(conn, "public", fresh_database.app_role) == before
    engine.dispose()


def test_init_again_takes_back_a_privilege_given_by_hand(fresh_database: FreshDatabase) -> None:
    _init(fresh_database)
    engine = create_engine(fresh_database.owner.url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'GRANT UPDATE, TRUNCATE ON audit_log TO "{fresh_database.app_role}"')
    again = _init(fresh_database, no_password)
    assert sorted(again.plan.revoked) == ["TRUNCATE on audit_log", "UPDATE on audit_log"]
    assert _sqlstate(fresh_database.app, "TRUNCATE audit_log") == INSUFFICIENT_PRIVILEGE
    engine.dispose()


def test_a_database_holding_something_else_is_refused_untouched(
    fresh_database: FreshDatabase,
) -> None:
    engine = create_engine(fresh_database.owner.url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id int)")
    with pytest.raises(ServerInitRefused, match="not empty and is not a kapdesk database") as exc:
        _init(fresh_database, no_password)
    assert "invoices" in str(exc.value)
    assert "Nothing was changed" in str(exc.value)
    with engine.connect() as conn:
        tables = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = "
                                       "'public'")).scalars())  # fmt: skip
        role = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": fresh_database.app_role}
        ).scalar()
    engine.dispose()
    assert tables == {"invoices"}
    assert role is None


def test_an_existing_role_is_not_taken_over_by_a_new_database(
    fresh_database: FreshDatabase,
) -> None:
    engine = create_engine(fresh_database.owner.url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{fresh_database.app_role}" LOGIN')
    with pytest.raises(ServerInitRefused, match="already exists on this server"):
        _init(fresh_database, no_password)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
        assert not conn.execute(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        ).scalar()
    engine.dispose()


def test_the_owner_cannot_be_its_own_app_role(fresh_database: FreshDatabase) -> None:
    owner = fresh_database.owner.username
    assert owner is not None
    with pytest.raises(ServerInitRefused, match="cannot be the application role") as exc:
        initialise_server(fresh_database.owner, owner, no_password)
    assert "CREATEROLE" in str(exc.value) or "owner" in str(exc.value)


def test_the_app_role_password_is_stored_as_a_scram_verifier(
    fresh_database: FreshDatabase,
) -> None:
    _init(fresh_database)
    with psycopg.connect(
        host=fresh_database.owner.host, port=fresh_database.owner.port,
        dbname=fresh_database.name, user=fresh_database.app_role, password=APP_PASSWORD,
    ) as conn:  # fmt: skip
        assert conn.execute("SELECT current_user").fetchone() == (fresh_database.app_role,)


def _plain_role(fresh: FreshDatabase, *, owns_database: bool) -> ServerURL:
    """A LOGIN role without CREATEROLE (made the database's owner if asked)."""
    name, password = f"{fresh.name}_plain", "plain-role-password"
    engine = create_engine(fresh.owner.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        if owns_database:
            conn.exec_driver_sql(f'GRANT "{name}" TO CURRENT_USER')
            conn.exec_driver_sql(f'ALTER DATABASE "{fresh.name}" OWNER TO "{name}"')
    engine.dispose()
    return fresh.as_role(name, password)


def _public_tables(server: ServerURL) -> int:
    engine = create_engine(server.url, poolclass=NullPool)
    with engine.connect() as conn:
        query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        count = int(conn.execute(text(query)).scalar() or 0)
    engine.dispose()
    return count


def test_an_owner_that_may_not_create_roles_is_refused_before_any_change(
    fresh_database: FreshDatabase,
) -> None:
    owner = _plain_role(fresh_database, owns_database=True)
    with pytest.raises(ServerInitRefused, match="may not create roles") as exc:
        initialise_server(owner, fresh_database.app_role, no_password)
    assert "CREATEROLE" in str(exc.value)
    assert "Nothing was changed" in str(exc.value)
    assert _public_tables(fresh_database.owner) == 0


def test_a_role_that_does_not_own_the_database_is_refused(fresh_database: FreshDatabase) -> None:
    other = _plain_role(fresh_database, owns_database=False)
    with pytest.raises(ServerInitRefused, match="may not create tables in schema public"):
        initialise_server(other, fresh_database.app_role, no_password)
    assert _public_tables(fresh_database.owner) == 0
