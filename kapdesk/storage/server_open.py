"""Opening a kapdesk database on a clinic's PostgreSQL server (``Database.open(ServerURL)``).

The same refusals as for a file, without the file checks:

* the server cannot be reached -> :class:`~kapdesk.storage.errors.ServerUnreachable`,
  a refused sign-in -> :class:`~kapdesk.storage.errors.ServerLoginRefused`;
* a database with tables but no kapdesk schema revision (some other application's) ->
  :class:`~kapdesk.storage.errors.NotAKapdeskDatabase`; a newer or unknown revision ->
  :class:`~kapdesk.storage.errors.SchemaTooNew`; nothing is written to either;
* an empty database with ``create=False`` -> :class:`~kapdesk.storage.errors.DatabaseMissing`;
* otherwise an empty database is created at the head revision, and one behind the head is
  upgraded, in one transaction (PostgreSQL's DDL is transactional: a failed upgrade leaves
  it as it was). No copy is taken first: the server's own backups (pg_dump, replication,
  ``kapdesk backup``) are the clinic's copy.

Two workstations opening the same new database at once do not both create it: the
upgrade holds the write lock (see :mod:`kapdesk.storage.pg_engine`) and looks at the
revision again once it has it.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError

from kapdesk.storage.errors import DatabaseMissing, NotAKapdeskDatabase, SchemaTooNew
from kapdesk.storage.migrate import current_revision, head_revision, known_revisions
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_errors import server_refusal
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.sqlite_file import ALEMBIC_TABLE


def _check_contents(engine: Engine, server: ServerURL, *, create: bool) -> str | None:
    """The revision stamped in the database; refuses what kapdesk must not touch."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = current_revision(conn)
    if revision is None:
        others = sorted(tables - {ALEMBIC_TABLE})
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            raise NotAKapdeskDatabase(
                server, f"it holds tables ({shown}) but no kapdesk schema revision"
            )
        if not create:
            raise DatabaseMissing(server)
    elif revision not in known_revisions():
        raise SchemaTooNew(server, revision, head_revision())
    return revision


def open_server(server: ServerURL, *, create: bool = True, migrate: bool = True) -> Engine:
    """An engine over ``server``'s database, checked and (``migrate``) at the head revision."""
    from kapdesk.storage.migrate import upgrade_server_to_head

    engine = create_server_engine(server)
    try:
        try:
            revision = _check_contents(engine, server, create=create)
        except DBAPIError as exc:
            refusal = server_refusal(server, exc, reading=True)
            if refusal is not None:
                raise refusal from exc
            raise
        if migrate and revision != head_revision():
            upgrade_server_to_head(engine, server)
    except BaseException:
        engine.dispose()
        raise
    return engine
