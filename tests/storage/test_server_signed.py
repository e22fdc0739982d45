"""The signatures' pass in bulk (kapdesk.storage.server_signed): a signature matches there
exactly when the exact check (the record rebuilt from ORM objects) computes its stored
hash; a changed record is never matched, so the exact check judges and words it. On a
kapdesk file and, moved there, on a clinic server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from kapdesk.domain.signing import SignedEntity
from kapdesk.services.clinic_move import Store, move_clinic
from kapdesk.services.signed_records import record_hash
from kapdesk.storage.engine import create_sqlite_engine
from kapdesk.storage.orm import Signature
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_signed import bulk_matched
from tests.pg_support import pg_skip_reason, throwaway_database


def _exact(conn: Connection) -> frozenset[int]:
    """The signatures the exact check finds matching (record_hash over ORM objects)."""
    with Session(bind=conn) as s:
        return frozenset(
            sig.id
            for sig in s.scalars(select(Signature))
            if record_hash(s, SignedEntity(sig.entity), sig.entity_id, scheme=sig.hash_scheme)
            == sig.content_sha256
        )


def _signatures(conn: Connection) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for sig_id, entity, entity_id in conn.execute(
        text("SELECT id, entity, entity_id FROM signatures ORDER BY id")
    ):
        found.setdefault(entity, []).append((sig_id, entity_id))
    return found


def _change_signed_records(engine: Engine) -> set[int]:
    """A reading of one signed session and the text of one signed note changed behind the
    app; the signatures now not matching."""
    with engine.begin() as conn:
        signed = _signatures(conn)
        sig_session, session_id = signed["dosing_session"][-1]
        conn.execute(
            text(
                "UPDATE vital_readings SET systolic = systolic + 1 WHERE id = "
                "(SELECT min(id) FROM vital_readings WHERE session_id = :sid)"
            ),
            {"sid": session_id},
        )
        changed = {sig_session}
        if "note" in signed:
            sig_note, note_id = signed["note"][0]
            conn.execute(
                text("UPDATE notes SET body = coalesce(body, '') || '.' WHERE id = :id"),
                {"id": note_id},
            )
            changed.add(sig_note)
    return changed


def _agrees(engine: Engine, changed: set[int]) -> None:
    with engine.connect() as conn, conn.begin():
        everyone = {sig_id for group in _signatures(conn).values() for sig_id, _ in group}
        exact = _exact(conn)
        assert bulk_matched(conn) == exact == everyone - changed
        assert bulk_matched(conn, piece_records=1) == exact  # pieces of one record each


def test_on_a_file_the_bulk_pass_matches_what_the_exact_check_matches(demo: Path) -> None:
    engine = create_sqlite_engine(demo)
    try:
        with engine.connect() as conn:
            signed = _signatures(conn)
        assert len(signed.get("dosing_session", [])) > 1
        _agrees(engine, set())
        _agrees(engine, _change_signed_records(engine))
    finally:
        engine.dispose()


@pytest.fixture
def server() -> Iterator[object]:
    with throwaway_database() as url:
        yield url


@pytest.mark.skipif(pg_skip_reason() is not None, reason=str(pg_skip_reason()))
def test_on_a_server_the_bulk_pass_matches_what_the_exact_check_matches(
    demo: Path, server: object
) -> None:
    from kapdesk.storage.server_url import ServerURL

    assert isinstance(server, ServerURL)
    move_clinic(Store(path=demo), Store(server=server))
    engine = create_server_engine(server, pool_size=1)
    try:
        _agrees(engine, set())
        _agrees(engine, _change_signed_records(engine))
    finally:
        engine.dispose()
