"""A NUL character in text: a PostgreSQL server refusing a value is a named kapdesk error, and
a file clinic holding such text (saved by an older kapdesk) is refused by ``migrate`` to a
server before anything is written, naming table, id and column. The server half is skipped
when no server is reachable (KAPDESK_TEST_PG_URL, see tests/pg_support.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DataError

from kapdesk.composition import build_context
from kapdesk.domain import text as domain_text
from kapdesk.services import guard
from kapdesk.services.clinic_move import Store, move_clinic
from kapdesk.services.patients import PatientService
from kapdesk.services.users import UserService
from kapdesk.storage.clinic_copy import CopyRefused, nul_text_problems
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_errors import ServerRefusedValue, server_refusal
from kapdesk.storage.server_url import ServerURL, parse_server_url
from tests.pg_support import pg_skip_reason, throwaway_database

SERVER = parse_server_url("postgresql://app:s3cret@db.clinic/kapdesk")
NEEDS_SERVER = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")


def test_a_value_the_server_refuses_is_a_named_storage_error() -> None:
    orig = psycopg.errors.CharacterNotInRepertoire("invalid byte sequence for encoding UTF8: 0x00")
    refusal = server_refusal(SERVER, DataError("INSERT ...", {}, orig))
    assert isinstance(refusal, ServerRefusedValue)
    assert str(refusal).startswith("The clinic server")
    assert "refused a value: invalid byte sequence" in str(refusal)
    assert str(refusal).endswith("nothing was saved.")
    assert "s3cret" not in str(refusal)


@pytest.fixture(scope="module")
def clinic_with_nul(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A demo file in which an older kapdesk (no control-character check) saved a NUL."""
    from kapdesk.demo import build_demo_clinic

    path = tmp_path_factory.mktemp("nul-clinic") / "demo.sqlite"
    build_demo_clinic(path, seed=5, patients=2, today=date(2026, 3, 4))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(domain_text, "first_control", lambda _text: None)
        mp.setattr(guard, "first_control", lambda _text: None)
        ctx = build_context(path)
        try:
            actor = UserService(ctx).authenticate("clinician", "demo")
            patient = PatientService(ctx).create(
                actor,
                mrn="NUL-1",
                given_name="Ann",
                family_name="Nul",
                date_of_birth="1980-01-01",
                sex="female",
                allergies="penicillin\x00 (pasted)",
            )
        finally:
            ctx.db.close()
    return path, patient.id


def test_the_rows_holding_a_nul_are_named(clinic_with_nul: tuple[Path, int]) -> None:
    path, patient_id = clinic_with_nul
    from kapdesk.storage.engine import create_readonly_engine

    engine = create_readonly_engine(path)
    try:
        with engine.connect() as conn:
            problems = nul_text_problems(conn, "clinic.sqlite")
    finally:
        engine.dispose()
    assert len(problems) == 1
    assert f"patients id {patient_id} column allergies" in problems[0]
    assert "U+0000" in problems[0]
    assert "\x00" not in problems[0]


@pytest.fixture
def server() -> Iterator[ServerURL]:
    with throwaway_database() as url:
        yield url


@NEEDS_SERVER
def test_migrate_to_a_server_refuses_a_clinic_holding_a_nul(
    clinic_with_nul: tuple[Path, int], server: ServerURL, tmp_path: Path
) -> None:
    path, patient_id = clinic_with_nul
    copy = tmp_path / "clinic.sqlite"
    shutil.copyfile(path, copy)
    with pytest.raises(CopyRefused) as exc:
        move_clinic(Store(path=copy), Store(server=server))
    message = str(exc.value)
    assert f"patients id {patient_id} column allergies" in message
    assert message.endswith("nothing was written.")
    engine = create_server_engine(server, pool_size=1)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []  # refused before the schema
            assert conn.execute(text("select 1")).scalar() == 1
    finally:
        engine.dispose()


@NEEDS_SERVER
def test_a_write_the_server_refuses_raises_the_named_error(server: ServerURL) -> None:
    from kapdesk.storage.db import Database

    with (
        Database.open(server) as db,
        pytest.raises(ServerRefusedValue) as exc,
        db.write() as session,
    ):
        session.execute(text("select cast(:v as text)"), {"v": "penicillin\x00"})
    assert "refused a value" in str(exc.value)
    assert str(exc.value).endswith("nothing was saved.")
