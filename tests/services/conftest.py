"""Fixtures for service tests: a migrated database with one user per role.

Hashing four argon2id passwords costs ~0.4 s, so the users are created once
per test session in a template file that each test copies.

Both stores: the modules named in :data:`BOTH_STORES` run each test twice, on a SQLite
file (``[sqlite]``) and on a clinic's PostgreSQL server (``[postgresql]``; skipped with
the reason when ``KAPDESK_TEST_PG_URL`` names no reachable server, see
tests/pg_support.py). On the server the template is a database made once per test session
(migrated, the same four users) and each test gets a fresh copy of it
(``CREATE DATABASE ... TEMPLATE``), dropped afterwards: the same starting point as the
copied file. Other modules run on SQLite only.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kapdesk.composition import ServerURL, build_context, parse_server_url
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.protocol_store import pin
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage.db import Database
from kapdesk.storage.orm import AuditEntry, Base, Course, Patient
from tests.pg_support import pg_admin_url, pg_skip_reason

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


# The service tests of the core use cases (module names), run on both stores.
BOTH_STORES = frozenset(
    f"test_{name}"
    for name in (
        "patients",
        "patient_import",
        "fhir_export",
        "sessions",
        "vitals",
        "observations",
        "doses",
        "side_effects",
        "notes",
        "signing",
        "audit_log",
        "recording",
        "session_workflow",
        "addenda",
        "corrections",
        "remote_changes",
        "edit_conflicts",
        "chart_reads",
        "reading_statements",
        "vitals_warm",
        "board_one_row",
        "research_export",
        "cohort",
        "user_language",
    )
)
STORES = ("sqlite", "postgresql")
# Tests of those modules about the file itself: SQLite only.
FILE_ONLY = frozenset({"test_audit_log.py::test_export_never_overwrites_the_database"})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if f"{module}.py::{metafunc.function.__name__}" in FILE_ONLY:
        return
    if "store" in metafunc.fixturenames and module in BOTH_STORES:
        reason = pg_skip_reason()
        params = [
            pytest.param("sqlite", id="sqlite"),
            pytest.param(
                "postgresql",
                id="postgresql",
                marks=pytest.mark.skipif(reason is not None, reason=reason or ""),
            ),
        ]
        metafunc.parametrize("store", params, indirect=True)


@pytest.fixture
def store(request: pytest.FixtureRequest) -> str:
    """Where the test's clinic lives: "sqlite" (a file), or "postgresql" (a server)."""
    return str(getattr(request, "param", "sqlite"))


def _admin(sql: str) -> None:
    """One statement on the test server, as its admin role (KAPDESK_TEST_PG_URL)."""
    import psycopg

    url = pg_admin_url()
    assert url is not None, pg_skip_reason()
    conninfo = parse_server_url(url).url.set(drivername="postgresql")
    dsn = conninfo.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # names made here, not user input


def _add_users(ctx: ServiceContext) -> None:
    users = UserService(ctx)
    for role in Role:
        users.add_user_from_console(
            username=role.value,
            full_name=f"Test {role.value.title()}",
            role=role,
            password=PASSWORD,
        )


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    ctx = build_context(path, clock=FakeClock(T0))
    _add_users(ctx)
    ctx.db.close()
    return path


class ServerClinic:
    """The test server's clinic database for the service tests, put back before each test
    to the rows and sequence values it had when made (one database for the whole run:
    making and dropping one per test cost ~1 s each on this machine).

    The rows are kept here (binary COPY), not in the database. The reset is one
    transaction: the append-only triggers (audit_log, signatures, addenda refuse TRUNCATE)
    are disabled for it and enabled again before it commits, as their owner may."""

    def __init__(self, server: ServerURL) -> None:
        self.server = server
        with self._connect() as conn:
            names = {
                str(r[0])
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            }
            known = [t.name for t in Base.metadata.sorted_tables if t.name in names]
            self.tables = known + sorted(names - set(known))  # parents before children
            self.rows: dict[str, bytes] = {}
            for table in self.tables:
                with conn.cursor().copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as out:
                    self.rows[table] = b"".join(bytes(chunk) for chunk in out)
            self.sequences = [
                (str(name), value)
                for name, value in conn.execute(
                    "SELECT format('%I', sequencename), last_value FROM pg_sequences "
                    "WHERE schemaname = 'public'"
                )
            ]

    def _connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        dsn = self.server.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(dsn, connect_timeout=5)

    def reset(self) -> None:
        with self._connect() as conn:  # one transaction, committed when the block ends
            conn.execute("SET LOCAL lock_timeout = '10s'")
            conn.execute("SET LOCAL synchronous_commit = off")  # a test need not wait on fsync
            for table in self.tables:
                conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')  # type: ignore[arg-type]
            # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE's new files for
            # every table and index made the reset ~1 s.
            for table in reversed(self.tables):
                conn.execute(f'DELETE FROM "{table}"')  # type: ignore[arg-type]
            for table in self.tables:
                with conn.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(self.rows[table])
            for name, value in self.sequences:  # never used yet: the next value is 1
                conn.execute("SELECT setval(%s, %s, %s)", (name, value or 1, value is not None))
            for table in self.tables:
                conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def server_clinic() -> Iterator[ServerClinic]:
    """A database on the test server, migrated, with the four users (dropped at the end)."""
    url = pg_admin_url()
    assert url is not None, pg_skip_reason()
    name = f"kapdesk_t_services_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        server = parse_server_url(url).with_database(name)
        ctx = build_context(server, clock=FakeClock(T0))
        _add_users(ctx)
        ctx.db.close()
        yield ServerClinic(server)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def ctx(
    store: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[ServiceContext]:
    if store == "postgresql":
        clinic: ServerClinic = request.getfixturevalue("server_clinic")
        clinic.reset()
        context = build_context(clinic.server, clock=clock, create=False)
        yield context
        context.db.close()
        return
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(request.getfixturevalue("template_db"), path)
    context = build_context(path, clock=clock)
    yield context
    context.db.close()


@pytest.fixture
def db(ctx: ServiceContext) -> Database:
    return ctx.db


def _actor(ctx: ServiceContext, role: Role) -> Actor:
    for info in UserService(ctx).list_users():
        if info.role is role:
            return actor_of(info)
    raise AssertionError(f"no {role} in the template database")


@pytest.fixture
def nurse(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.NURSE)


@pytest.fixture
def therapist(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.THERAPIST)


@pytest.fixture
def clinician(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.CLINICIAN)


@pytest.fixture
def admin(ctx: ServiceContext) -> Actor:
    return _actor(ctx, Role.ADMIN)


def table_counts(db: Database, *, include_denials: bool = False) -> dict[str, int]:
    """Rows in every table: invalid input must leave all of these unchanged.

    A refused action (PermissionDenied) is audited as ``denied.*`` in its own transaction;
    those entries are left out of the audit_log count unless ``include_denials``.
    """
    with db.read() as s:
        counts = {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }
        if not include_denials:
            denials = s.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action.like("denied.%"))
            )
            counts["audit_log"] -= int(denials or 0)
        return counts


def insert_patient_and_course(
    db: Database, *, mrn: str = "MRN-1", protocol_id: str = "kap-default", weight: float = 70.0
) -> tuple[int, int]:
    """A patient and a course written directly (for tests of other areas)."""
    with db.write() as s:
        p = Patient(
            mrn=mrn,
            family_name="Simões",
            given_name="Conceição",
            date_of_birth=date(1980, 5, 17),
            sex="female",
            weight_kg=weight,
            allergies="",
            contraindications="",
            created_at=T0,
            updated_at=T0,
        )
        s.add(p)
        s.flush()
        protocol = builtin_protocols()[protocol_id]
        digest, _ = pin(s, protocol, T0)  # pinned like CourseService.start
        c = Course(
            patient_id=p.id,
            protocol_id=protocol_id,
            protocol_version=protocol.version,
            protocol_hash=digest,
            started_on=T0.date(),
            goal="",
            created_at=T0,
        )
        s.add(c)
        s.flush()
        return p.id, c.id
