"""Alembic: empty file to head, models == migrations, backup before upgrade, atomic failure."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from kapdesk.domain.clock import FakeClock
from kapdesk.storage import migrate
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_sqlite_engine
from kapdesk.storage.errors import MigrationFailed, SchemaTooNew
from kapdesk.storage.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from kapdesk.storage.orm import Base
from kapdesk.storage.sqlite_file import (
    KAPDESK_APPLICATION_ID,
    FileInfo,
    FileKind,
    inspect_file,
)

from .helpers import add_patient, add_session, add_user

PACKAGE_MIGRATIONS = Path(migrate.__file__).parent / "migrations"
FIXTURES = Path(__file__).parent / "fixtures"
DATA_TABLES = sorted(t for t in Base.metadata.tables)


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    eng = create_sqlite_engine(db_path)
    yield eng
    eng.dispose()


def _counts(path: Path) -> dict[str, int]:
    """Rows per table of the current models that exists in the file (older files lack some)."""
    conn = sqlite3.connect(path)
    try:
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in DATA_TABLES
            if t in present
        }
    finally:
        conn.close()


def test_empty_file_to_head(engine: Engine, db_path: Path) -> None:
    assert current_revision(engine) is None
    assert upgrade_to_head(engine, db_path) is None  # nothing to back up
    assert current_revision(engine) == head_revision() == "0006"
    tables = set(inspect(engine).get_table_names())
    assert tables == {*Base.metadata.tables, "alembic_version"}
    with engine.connect() as conn:
        triggers = {
            r[0]
            for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        app_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
    assert triggers == {
        f"{table}_no_{event}"
        for table in ("audit_log", "signatures", "addenda")
        for event in ("update", "delete")
    }
    assert app_id == KAPDESK_APPLICATION_ID
    assert upgrade_to_head(engine, db_path) is None  # at head: a no-op
    assert not list(db_path.parent.glob("*.bak"))


def test_models_and_migrations_agree(engine: Engine, db_path: Path) -> None:
    upgrade_to_head(engine, db_path)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_compare_metadata_would_notice_a_drift(engine: Engine, db_path: Path) -> None:
    upgrade_to_head(engine, db_path)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_patients_mrn")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert any(d[0] == "add_index" and d[1].name == "ix_patients_mrn" for d in diff)


def test_downgrade_to_base_and_back(engine: Engine, db_path: Path) -> None:
    upgrade_to_head(engine, db_path)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    assert upgrade_to_head(engine, db_path) is None
    assert current_revision(engine) == head_revision()


# --- upgrading a file that holds data: a throwaway revision after the head -----------------

HEAD = head_revision()
REVISION_0002 = """
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    # Recreates "patients" (batch mode), which courses and instrument results point at:
    # only works because upgrade_to_head pauses foreign-key enforcement.
    with op.batch_alter_table("patients", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.String(64), nullable=True))
    {extra}


def downgrade():
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("nickname")
"""


def _scripts_with_0002(tmp_path: Path, extra: str = "") -> str:
    location = tmp_path / "migrations"
    shutil.copytree(
        PACKAGE_MIGRATIONS, location, ignore=shutil.ignore_patterns("__pycache__", "__init__.py")
    )
    text = REVISION_0002.format(extra=extra, head=HEAD)
    (location / "versions" / "r0099_test.py").write_text(text)
    return str(location)


def _populated(db_path: Path, clock: FakeClock) -> None:
    from kapdesk.storage.audit import append

    with Database.open(db_path, clock=clock) as db:
        user = add_user(db)
        patient = add_patient(db)
        add_session(db, patient, user)
        with db.write() as s:
            append(
                s,
                at=clock.now(),
                user_id=user,
                action="patient.create",
                entity="patient",
                entity_id=patient,
                before=None,
                after={"id": patient},
            )


def test_backup_is_taken_before_upgrading_a_file_with_data(
    tmp_path: Path, db_path: Path, clock: FakeClock
) -> None:
    _populated(db_path, clock)
    rows_before = _counts(db_path)
    location = _scripts_with_0002(tmp_path)
    engine = create_sqlite_engine(db_path)
    try:
        backup = upgrade_to_head(engine, db_path, clock=clock, script_location=location)
        assert current_revision(engine) == "0099"
        assert "nickname" in {c["name"] for c in inspect(engine).get_columns("patients")}
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert verify_chain(conn).ok
    finally:
        engine.dispose()
    assert backup == db_path.with_name("clinic.sqlite.pre-0099-20260302T090000Z.bak")
    assert inspect_file(backup) == FileInfo(backup, FileKind.KAPDESK, HEAD)
    assert _counts(backup) == rows_before
    assert _counts(db_path) == rows_before  # every row kept by the upgrade


def test_backup_names_are_never_reused(tmp_path: Path, db_path: Path, clock: FakeClock) -> None:
    taken = db_path.with_name("clinic.sqlite.pre-0099-20260302T090000Z.bak")
    taken.write_text("an older backup")
    _populated(db_path, clock)
    engine = create_sqlite_engine(db_path)
    try:
        location = _scripts_with_0002(tmp_path)
        backup = upgrade_to_head(engine, db_path, clock=clock, script_location=location)
    finally:
        engine.dispose()
    assert backup is not None
    assert backup.name == "clinic.sqlite.pre-0099-20260302T090000Z-1.bak"
    assert taken.read_text() == "an older backup"


def test_a_failing_upgrade_is_undone_entirely(
    tmp_path: Path, db_path: Path, clock: FakeClock
) -> None:
    _populated(db_path, clock)
    rows_before = _counts(db_path)
    location = _scripts_with_0002(
        tmp_path,
        extra='op.create_table("widgets", sa.Column("id", sa.Integer, primary_key=True))'
        '\n    raise RuntimeError("migration bug")',
    )
    engine = create_sqlite_engine(db_path)
    try:
        with pytest.raises(MigrationFailed, match="migration bug") as caught:
            upgrade_to_head(engine, db_path, clock=clock, script_location=location)
        assert current_revision(engine) == HEAD
        names = set(inspect(engine).get_table_names())
        assert "widgets" not in names
        assert "nickname" not in {c["name"] for c in inspect(engine).get_columns("patients")}
    finally:
        engine.dispose()
    assert caught.value.backup is not None
    assert caught.value.backup.exists()
    assert str(caught.value.backup) in str(caught.value)
    assert _counts(db_path) == rows_before


def test_upgrade_refuses_an_unknown_revision(engine: Engine, db_path: Path) -> None:
    upgrade_to_head(engine, db_path)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'abcdef'")
    with pytest.raises(SchemaTooNew, match="abcdef"):
        upgrade_to_head(engine, db_path)
    assert not list(db_path.parent.glob("*.bak"))


# --- the fixture file of every released revision opens and keeps its rows ----------------


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("r*.sqlite")), ids=lambda p: p.stem)
def test_fixture_of_each_revision_opens_at_head_keeping_every_row(
    fixture: Path, tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    rows_before = _counts(path)
    assert sum(rows_before.values()) > 0
    with Database.open(path, clock=clock) as db:
        assert db.schema_revision() == head_revision()
        with db.read() as s:
            report = verify_chain(s)
    assert report.ok
    assert report.entries_checked == rows_before["audit_log"]
    after = _counts(path)
    assert {t: n for t, n in after.items() if t in rows_before} == rows_before
    assert set(after) == set(DATA_TABLES)  # tables of later revisions were added


def test_there_is_a_fixture_for_every_revision() -> None:
    revisions = migrate.known_revisions()
    assert {f"r{rev}" for rev in revisions} <= {p.stem for p in FIXTURES.glob("r*.sqlite")}
