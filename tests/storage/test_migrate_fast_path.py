"""Start-up fast path: the known revisions are a constant, and a file at head opens
without importing Alembic (a few hundred ms of start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from kapdesk.domain.clock import FakeClock
from kapdesk.storage import migrate
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_sqlite_engine


def _alembic_scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def test_the_constant_lists_every_shipped_revision_oldest_first() -> None:
    scripts = _alembic_scripts()
    walked = [s.revision for s in scripts.walk_revisions()]  # newest first
    assert list(migrate.KNOWN_REVISIONS) == walked[::-1]
    assert migrate.head_revision() == scripts.get_current_head() == migrate.KNOWN_REVISIONS[-1]
    assert migrate.known_revisions() == frozenset(walked)


def test_current_revision_reads_the_stamp(db_path: Path, clock: FakeClock) -> None:
    engine = create_sqlite_engine(db_path)
    try:
        assert migrate.current_revision(engine) is None  # a new file
    finally:
        engine.dispose()
    Database.open(db_path, clock=clock).close()
    engine = create_sqlite_engine(db_path)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('zz99')")
            assert migrate.current_revision(conn) == f"{migrate.head_revision()},zz99"
    finally:
        engine.dispose()


PROBE = """
import sys
from pathlib import Path
from kapdesk.storage.db import Database
Database.open(Path(sys.argv[1])).close()
print("alembic" in sys.modules)
"""


def _imports_alembic(path: Path) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return out.strip() == "True"


def test_a_file_at_head_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite"
    assert _imports_alembic(path)  # a new file is migrated: Alembic is needed
    assert not _imports_alembic(path)  # at head: plain SQL only
