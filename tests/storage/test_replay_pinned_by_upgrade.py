"""Protocol versions revision 0004 pinned are not "inserted behind the app".

Upgrading a clinic from revision 0003 or earlier, migration 0004 stores the shipped text of
each protocol its courses use (protocol_versions) and writes no audit entry for it: such a
row is the preset kapdesk ships, byte for byte, and ``kapdesk check`` does not report it. A
row that differs in anything from every shipped preset, and that no entry created, is still
reported."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.storage.audit_replay import replay
from kapdesk.storage.db import Database
from kapdesk.storage.shipped_protocols import shipped_protocols


def _insert(path: Path, pid: str, version: str, sha: str, text: str, name: str) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO protocol_versions (protocol_id, version, sha256, source_text, "
                "source_name, stored_at) VALUES (?, ?, ?, ?, ?, ?)",
                (pid, version, sha, text, name, datetime(2026, 3, 4, tzinfo=UTC).isoformat()),
            )
    finally:
        conn.close()


def _findings(path: Path, clock: FakeClock) -> list[str]:
    with Database.open(path, clock=clock) as db, db.read() as s:
        return replay(s.connection()).messages()


@pytest.fixture
def empty(db_path: Path, clock: FakeClock) -> Path:
    Database.open(db_path, clock=clock).close()
    return db_path


def test_every_shipped_preset_as_revision_0004_pinned_it_passes(
    empty: Path, clock: FakeClock
) -> None:
    presets = shipped_protocols()
    assert presets
    for preset in presets:
        _insert(empty, *preset)
    assert _findings(empty, clock) == []


@pytest.mark.parametrize("changed", ["id", "version", "sha", "text", "name"])
def test_a_row_differing_from_every_shipped_preset_is_reported(
    empty: Path, clock: FakeClock, changed: str
) -> None:
    pid, version, sha, text, name = shipped_protocols()[0]
    row = {"id": pid, "version": version, "sha": sha, "text": text, "name": name}
    row[changed] += "x"
    _insert(empty, row["id"], row["version"], row["sha"], row["text"], row["name"])
    assert _findings(empty, clock) == [
        "protocol_version 1: no audit entry created it (inserted behind the app)"
    ]
