"""Schema migrations: Alembic, shipped inside the package, run programmatically.

Nobody needs an alembic.ini: the scripts are found as package resources
(:data:`SCRIPT_LOCATION`). ``Database.open`` calls :func:`upgrade_to_head`;
callers rarely need this module directly.

* :func:`head_revision` - the newest revision this kapdesk knows.
* :func:`current_revision` - the revision stamped in a database (None: none yet),
  read with plain SQL.
* :func:`upgrade_server_to_head` - the same on a PostgreSQL server (no copy first:
  PostgreSQL's DDL is transactional, a failed upgrade leaves it as it was).
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
``rNNNN_<slug>.py``, add it to :data:`KNOWN_REVISIONS` and add a fixture DB
under ``tests/storage/fixtures/``.

Start-up fast path: importing Alembic and reading the scripts costs ~0.2-0.4 s,
so for the shipped scripts the known revisions are the constant
:data:`KNOWN_REVISIONS` (a test checks it against Alembic's own walk), and
Alembic is imported only when a file actually needs upgrading.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect

from kapdesk.domain.clock import Clock, SystemClock
from kapdesk.storage.engine import with_tx_mode
from kapdesk.storage.errors import MigrationFailed, SchemaTooNew
from kapdesk.storage.revisions import KNOWN_REVISIONS as KNOWN_REVISIONS
from kapdesk.storage.revisions import SCRIPT_LOCATION as SCRIPT_LOCATION
from kapdesk.storage.revisions import alembic_config as alembic_config
from kapdesk.storage.revisions import head_revision as head_revision
from kapdesk.storage.revisions import known_revisions as known_revisions
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.sqlite_file import ALEMBIC_TABLE, copy_with_backup_api


def _stamped(conn: Connection) -> str | None:
    if conn.dialect.name == "sqlite":
        has_table = (
            conn.exec_driver_sql(
                f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{ALEMBIC_TABLE}'"
            ).first()
            is not None
        )
    else:
        has_table = inspect(conn).has_table(ALEMBIC_TABLE)
    if not has_table:
        return None
    rows = sorted(
        str(r[0]) for r in conn.exec_driver_sql(f"SELECT version_num FROM {ALEMBIC_TABLE}")
    )
    # Several rows would be several heads, which kapdesk never makes: not a known revision.
    return ",".join(rows) if rows else None


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision stamped in the database, or None for a new/unstamped one."""
    if isinstance(bind, Connection):
        return _stamped(bind)
    with bind.connect() as conn:
        return _stamped(conn)


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

    from alembic import command

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


# Two workstations starting against a database being upgraded wait this long for it.
SERVER_UPGRADE_LOCK_TIMEOUT_MS = 120_000


def upgrade_server_to_head(
    engine: Engine, server: ServerURL, *, script_location: str = SCRIPT_LOCATION
) -> None:
    """Bring the database on ``server`` (open in ``engine``) to the head revision.

    One transaction holding the write lock (every kapdesk write waits meanwhile); the
    revision is read again under the lock, so a database another workstation upgraded
    while this one waited is left alone. A failed upgrade raises :class:`MigrationFailed`
    and leaves the database as it was; an unknown (newer) revision :class:`SchemaTooNew`.
    """
    from alembic import command
    from sqlalchemy.exc import DBAPIError

    from kapdesk.storage.pg_engine import WRITE_LOCK
    from kapdesk.storage.server_errors import server_refusal

    head = head_revision(script_location)
    config = alembic_config(script_location)
    try:
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {SERVER_UPGRADE_LOCK_TIMEOUT_MS}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            current = current_revision(conn)
            if current == head:
                return
            if current is not None and current not in known_revisions(script_location):
                raise SchemaTooNew(server, current, head)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except SchemaTooNew:
        raise
    except DBAPIError as exc:
        refusal = server_refusal(server, exc)
        if refusal is not None:
            raise refusal from exc
        raise MigrationFailed(server, head, str(exc.orig) or type(exc).__name__, None) from exc
    except Exception as exc:
        raise MigrationFailed(server, head, str(exc) or type(exc).__name__, None) from exc
