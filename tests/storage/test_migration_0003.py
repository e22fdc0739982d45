"""Revision 0003: patients.search_key (backfilled) and the index on dosing_sessions.state."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import insert, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.name_search import search_key
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_sqlite_engine
from kapdesk.storage.migrate import alembic_config, current_revision, head_revision
from kapdesk.storage.orm import Patient

from .helpers import T0

FIXTURES = Path(__file__).parent / "fixtures"


def _sql(path: Path, query: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def _downgrade_to_0002_with_names(path: Path, names: list[tuple[str, str]]) -> None:
    """A 0002 file holding patients with these names (made from the 0003 fixture)."""
    engine = create_sqlite_engine(path)
    try:
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0002")
        with engine.begin() as conn:
            for n, (family, given) in enumerate(names):
                conn.exec_driver_sql(
                    "INSERT INTO patients (mrn, family_name, given_name, date_of_birth, sex, "
                    "allergies, contraindications, created_at, updated_at) VALUES "
                    "(?, ?, ?, '1980-01-01', 'female', '', '', ?, ?)",
                    (f"M-{n}", family, given, "2026-03-02 09:00:00", "2026-03-02 09:00:00"),
                )
        assert current_revision(engine) == "0002"
    finally:
        engine.dispose()


def test_upgrade_backfills_every_search_key(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(FIXTURES / "r0003.sqlite", path)
    names = [("Ní Bhriain", "Siobhán"), ("Straße", "Zoë"), ("O'Brien-Østergaard", "Łucja")]
    _downgrade_to_0002_with_names(path, names)
    assert "search_key" not in {r[1] for r in _sql(path, "PRAGMA table_info(patients)")}
    audit_before = _sql(path, "SELECT * FROM audit_log ORDER BY id")
    with Database.open(path, clock=clock) as db:
        assert db.schema_revision() == head_revision()
        with db.read() as s:
            assert verify_chain(s).ok
    keys = dict(_sql(path, "SELECT family_name || '|' || given_name, search_key FROM patients"))
    assert keys == {
        "Ölund|Zoë": " olund zoe",
        "Ní Bhriain|Siobhán": " ni bhriain siobhan",
        "Straße|Zoë": " strasse zoe",
        "O'Brien-Østergaard|Łucja": " o brien ostergaard lucja",
    }
    assert _sql(path, "SELECT * FROM audit_log ORDER BY id") == audit_before
    index = _sql(path, "SELECT sql FROM sqlite_master WHERE name = 'ix_dosing_sessions_state'")
    assert index
    assert "state" in str(index[0][0])
    plan = _sql(path, "EXPLAIN QUERY PLAN SELECT id FROM dosing_sessions WHERE state = 'dosed'")
    assert "ix_dosing_sessions_state" in " ".join(str(r[-1]) for r in plan)


def test_search_key_follows_the_names_for_orm_and_core_writes(db: Database) -> None:
    with db.write() as s:
        p = Patient(
            mrn="K-1", family_name="Müller", given_name="Jürgen", date_of_birth=date(1970, 1, 1),
            sex="male", created_at=T0, updated_at=T0,
        )  # fmt: skip
        s.add(p)
        s.flush()
        assert p.search_key == " muller jurgen"
        p.given_name = "Zoë Anne"
        s.flush()
        s.execute(
            insert(Patient),
            [{"mrn": "K-2", "family_name": "Nguyễn", "given_name": "Thị Lan",
              "date_of_birth": date(1990, 2, 2), "sex": "female", "created_at": T0,
              "updated_at": T0}],
        )  # fmt: skip
    with db.read() as s:
        stored = dict(s.execute(select(Patient.mrn, Patient.search_key)).all())
    assert stored == {"K-1": " muller zoe anne", "K-2": " nguyen thi lan"}
    assert search_key("Nguyễn", "Thị Lan") == stored["K-2"]


def test_downgrade_drops_the_column_and_the_index(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(FIXTURES / "r0003.sqlite", path)
    _downgrade_to_0002_with_names(path, [])
    assert not _sql(path, "SELECT 1 FROM sqlite_master WHERE name = 'ix_dosing_sessions_state'")
    assert _sql(path, "SELECT count(*) FROM patients") == [(1,)]
    assert T0.year == 2026
