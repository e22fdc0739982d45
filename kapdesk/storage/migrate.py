"""Schema migrations: Alembic, shipped inside the package, run programmatically.

Nobody needs an alembic.ini: the scripts are found as package resources
(:data:`SCRIPT_LOCATION`). ``Database.open`` calls :func:`upgrade_to_head`;
callers rarely need this module directly.

* :func:`head_revision` - the newest revision this kapdesk knows.
* :func:`current_revision` - the revision stamped in a database (None: none yet).
* :func:`upgrade_to_head` - back up (SQLite backup API) a non-empty file that
  is behind, then upgrade it in one transaction with foreign-key enforcement
  paused (as SQLite's own ALTER TABLE procedure requires) and a
  ``foreign_key_check`` before commit. Refuses an unknown (newer) revision.

Writing a new revision (developers)::

    from alembic import command
    from kapdesk.storage.migrate import alembic_config
    command.revision(alembic_config(), "add widgets", rev_id="0002")

then write ``upgrade()``/``downgrade()`` by hand (``autogenerate=True`` needs a
connection in ``config.attributes["connection"]``), rename the file to
``rNNNN_<slug>.py`` and add a fixture DB under ``tests/storage/fixtures/``.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.storage.engine import with_tx_mode
from kapdesk.storage.errors import MigrationFailed, SchemaTooNew
from kapdesk.storage.sqlite_file import ALEMBIC_TABLE, copy_with_backup_api

SCRIPT_LOCATION = "kapdesk.storage:migrations"


def alembic_config(script_location: str = SCRIPT_LOCATION) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("path_separator", "os")
    return config


def _scripts(script_location: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(script_location))


def head_revision(script_location: str = SCRIPT_LOCATION) -> str:
    head = _scripts(script_location).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {script_location}")
    return head


def known_revisions(script_location: str = SCRIPT_LOCATION) -> frozenset[str]:
    return frozenset(s.revision for s in _scripts(script_location).walk_revisions())


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision stamped in the database, or None for a new/unstamped one."""
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_path_for(db_path: Path, target: str, now: datetime) -> Path:
    """``<name>.pre-<target revision>-<UTC timestamp>.bak`` beside the database, never reused."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for n in itertools.count():
        suffix = f"-{n}" if n else ""
        candidate = db_path.with_name(f"{db_path.name}.pre-{target}-{stamp}{suffix}.bak")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def upgrade_to_head(
    engine: Engine,
    db_path: Path,
    *,
    clock: Clock | None = None,
    script_location: str = SCRIPT_LOCATION,
    key: str | None = None,
) -> Path | None:
    """Bring the database at ``db_path`` (open in ``engine``) to the head revision.

    Returns the path of the backup taken first, or None when none was needed
    (already at head, or a new empty file). ``engine`` should come from
    :func:`kapdesk.storage.engine.create_sqlite_engine`, whose transactions
    make the DDL atomic: a failed upgrade raises :class:`MigrationFailed` and
    leaves the file as it was. ``key``: the passphrase of an encrypted
    database, so the backup copy is encrypted too.
    """
    head = head_revision(script_location)
    current = current_revision(engine)
    if current == head:
        return None
    if current is not None and current not in known_revisions(script_location):
        raise SchemaTooNew(db_path, current, head)

    has_content = any(t != ALEMBIC_TABLE for t in inspect(engine).get_table_names())
    backup: Path | None = None
    if has_content or current is not None:
        now = (clock or SystemClock()).now()
        backup = backup_path_for(db_path, head, now)
        copy_with_backup_api(db_path, backup, key=key)

    config = alembic_config(script_location)
    try:
        with with_tx_mode(engine, "write").connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            # Must be set outside a transaction; SQLite ignores it inside one.
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"{len(broken)} rows break foreign keys, e.g. {broken[0]}"
                        )
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
    except Exception as exc:
        raise MigrationFailed(db_path, head, str(exc) or type(exc).__name__, backup) from exc
    return backup
