"""Moving a clinic to a PostgreSQL server and back (skipped, with the reason, when no
server is reachable: KAPDESK_TEST_PG_URL, see tests/pg_support.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from kapdesk.services.clinic_move import Store, VerificationFailed, move_clinic
from kapdesk.services.database_check import run_check
from kapdesk.storage import audit
from kapdesk.storage.clinic_copy import CopyRefused
from kapdesk.storage.clinic_verify import recompute_chain
from kapdesk.storage.db import Database
from kapdesk.storage.orm import Patient
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_url import ServerURL
from tests.pg_support import pg_skip_reason, throwaway_database

from .pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database
from .test_clinic_copy import leftovers, raw_dump

__all__ = ["fresh_database"]

pytestmark = pytest.mark.skipif(pg_skip_reason() is not None, reason=pg_skip_reason() or "")


@pytest.fixture
def server() -> ServerURL:
    with throwaway_database() as url:
        yield url  # type: ignore[misc]


def sql(server: ServerURL, statement: str) -> None:
    engine = create_server_engine(server, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_round_trip_through_the_server_is_identical(
    demo: Path, server: ServerURL, tmp_path: Path
) -> None:
    to_server = move_clinic(Store(path=demo), Store(server=server))
    back = tmp_path / "back.sqlite"
    from_server = move_clinic(Store(server=server), Store(path=back))
    assert to_server.rows == from_server.rows
    # Every row, JSON text, timestamp, float and boolean as the original file stores it.
    assert raw_dump(back) == raw_dump(demo)
    lines, ok = run_check(back, full=True)
    assert ok, lines
    assert any("signed records match their signatures" in line for line in lines)


def test_server_counters_continue_after_the_copied_ids(demo: Path, server: ServerURL) -> None:
    result = move_clinic(Store(path=demo), Store(server=server))
    with Database.open(server) as db:
        with db.read() as s:
            top_patient = s.scalar(select(func.max(Patient.id)))
        with db.write() as s:
            entry = audit.append(
                s, at=db.clock.now(), user_id=None, action="test.after_move", entity="database",
                entity_id=None, after={"ok": True},
            )  # fmt: skip
            patient = Patient(
                mrn="NEW-1", family_name="New", given_name="One", date_of_birth=date(1990, 1, 1),
                sex="female", allergies="", contraindications="", created_at=db.clock.now(),
                updated_at=db.clock.now(),
            )  # fmt: skip
            s.add(patient)
            s.flush()
            new_id = patient.id
        assert entry.id == result.audit_entries + 1
        assert new_id == (top_patient or 0) + 1
        with db.engine.connect() as conn:
            chain = recompute_chain(conn)
        assert chain.ok
        assert chain.entries == result.audit_entries + 1


def test_a_server_that_holds_a_clinic_or_other_tables_is_refused(
    demo: Path, server: ServerURL
) -> None:
    move_clinic(Store(path=demo), Store(server=server))
    with pytest.raises(CopyRefused, match="already holds a clinic"):
        move_clinic(Store(path=demo), Store(server=server))


def test_a_server_database_with_foreign_tables_is_refused_untouched(
    demo: Path, server: ServerURL
) -> None:
    sql(server, "CREATE TABLE billing (id integer)")
    with pytest.raises(CopyRefused, match=r"not kapdesk's \(billing\)"):
        move_clinic(Store(path=demo), Store(server=server))
    engine = create_server_engine(server, pool_size=1)
    try:
        with engine.connect() as conn:
            names = {
                r[0]
                for r in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            }
    finally:
        engine.dispose()
    assert names == {"billing"}  # no kapdesk schema was created


def test_a_row_tampered_on_the_server_is_caught_and_no_file_is_left(
    demo: Path, server: ServerURL, tmp_path: Path
) -> None:
    move_clinic(Store(path=demo), Store(server=server))
    sql(server, "UPDATE vital_readings SET systolic = systolic + 40 WHERE id = 1")
    back = tmp_path / "back.sqlite"
    with pytest.raises(VerificationFailed, match="fails kapdesk check"):
        move_clinic(Store(server=server), Store(path=back))
    assert leftovers(back) == []


def test_unreachable_server_is_one_clear_refusal(demo: Path, tmp_path: Path) -> None:
    from kapdesk.storage.server_url import parse_server_url

    nowhere = parse_server_url("postgresql://kapdesk:secret@127.0.0.1:1/clinic")
    with pytest.raises(CopyRefused, match="cannot reach the clinic server") as caught:
        move_clinic(Store(server=nowhere), Store(path=tmp_path / "x.sqlite"))
    assert "secret" not in str(caught.value)
    assert not (tmp_path / "x.sqlite").exists()


def test_into_a_server_set_up_by_server_init_as_owner_not_as_app_role(
    demo: Path, fresh_database: FreshDatabase
) -> None:
    from kapdesk.storage.server_init import initialise_server

    initialise_server(fresh_database.owner, fresh_database.app_role, lambda: APP_PASSWORD)
    with pytest.raises(CopyRefused, match="migrate with the database owner's URL") as caught:
        move_clinic(Store(path=demo), Store(server=fresh_database.app))
    assert APP_PASSWORD not in str(caught.value)
    result = move_clinic(Store(path=demo), Store(server=fresh_database.owner))
    with Database.open(fresh_database.app) as db, db.write() as s:  # the workstations go on
        entry = audit.append(
            s, at=db.clock.now(), user_id=None, action="test.after_move", entity="database",
            entity_id=None,
        )  # fmt: skip
    assert entry.id == result.audit_entries + 1


def test_a_copy_that_differs_on_the_server_is_named_and_rolled_back(
    demo: Path, server: ServerURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.services import clinic_move

    real = clinic_move.copy_clinic

    def lossy(src: Any, dest: Any, **kwargs: Any) -> Any:
        result = real(src, dest, **kwargs)
        dest.exec_driver_sql("UPDATE doses SET mg = mg + 0.5 WHERE id = 1")
        return result

    monkeypatch.setattr(clinic_move, "copy_clinic", lossy)
    with pytest.raises(VerificationFailed, match=r"table doses row id=1 differs in mg"):
        move_clinic(Store(path=demo), Store(server=server))
    monkeypatch.setattr(clinic_move, "copy_clinic", real)
    move_clinic(Store(path=demo), Store(server=server))  # nothing was left: it is still empty


def _patients(server: ServerURL) -> int:
    engine = create_server_engine(server, pool_size=1)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count(Patient.id))).scalar() or 0)
    finally:
        engine.dispose()


def test_a_signature_that_does_not_check_out_at_the_server_fails_the_move(
    demo: Path, server: ServerURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every signature is recomputed at the destination, inside the copy's transaction.
    Here a signed session's reading is changed in the copy and the row comparison is made
    blind to it (as a rendering that treats two values alike would be): the signature
    pass alone names it, and nothing is left on the server."""
    from kapdesk.services import clinic_move

    real = clinic_move.copy_clinic
    changed: list[tuple[int, int]] = []

    def altered(src: Any, dest: Any, **kwargs: Any) -> Any:
        result = real(src, dest, **kwargs)
        row = dest.exec_driver_sql(
            "SELECT g.id, g.entity_id FROM signatures g JOIN vital_readings v "
            "ON v.session_id = g.entity_id WHERE g.entity = 'dosing_session' "
            "ORDER BY g.id LIMIT 1"
        ).one()
        changed.append((int(row[0]), int(row[1])))
        dest.exec_driver_sql(
            "UPDATE vital_readings SET systolic = systolic + 1 WHERE id = "
            f"(SELECT min(id) FROM vital_readings WHERE session_id = {int(row[1])})"
        )
        return result

    monkeypatch.setattr(clinic_move, "copy_clinic", altered)
    monkeypatch.setattr(clinic_move, "digest_differences", lambda _read, _written: [])
    with pytest.raises(VerificationFailed) as failed:
        move_clinic(Store(path=demo), Store(server=server))
    sig_id, session_id = changed[0]
    message = str(failed.value)
    assert "signatures do not check out at the destination" in message
    assert f"signature {sig_id} (dosing_session {session_id}): content changed since signing" in (
        message
    )
    assert _patients(server) == 0  # rolled back: the schema stays, empty
    monkeypatch.setattr(clinic_move, "copy_clinic", real)
    result = move_clinic(Store(path=demo), Store(server=server))
    assert any("signatures verified at the destination" in line for line in result.checks)
