"""Throwaway PostgreSQL databases for tests (shared by the storage and service tests).

The server comes from ``KAPDESK_TEST_PG_URL``: an admin URL (a role with CREATEDB) of
a database to connect to while creating others, e.g.
``postgresql://kapdesk_test:kapdesk_test@localhost:5432/postgres``. Each test database is
``kapdesk_t_<random>``, created empty and dropped afterwards (connections still open to
it are ended first).

    reason = pg_skip_reason()          # None when a server answers
    with throwaway_database() as url:  # a ServerURL of a new, empty database
        db = Database.open(url)
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kapdesk.storage.server_url import ServerURL

ENV = "KAPDESK_TEST_PG_URL"
PREFIX = "kapdesk_t_"


def pg_admin_url() -> str | None:
    """The admin URL from ``KAPDESK_TEST_PG_URL``, or None when it is not set."""
    return os.environ.get(ENV, "").strip() or None


def _connect(url: str, **kwargs: object):  # type: ignore[no-untyped-def]
    import psycopg

    from kapdesk.storage.server_url import parse_server_url

    conninfo = (
        parse_server_url(url).url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=3, **kwargs)


@functools.cache
def pg_skip_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here (None: they can)."""
    url = pg_admin_url()
    if url is None:
        return f"PostgreSQL tests skipped: {ENV} is not set (an admin URL of a test server)"
    why = pg_unreachable(url)
    return None if why is None else f"PostgreSQL tests skipped: {why}"


def pg_unreachable(url: str) -> str | None:
    """Why the server at the admin URL ``url`` cannot be used (None: it answers); the
    benchmarks' reason too (tests/bench/pg_clinics.py)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed"
    try:
        with _connect(url) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to reach the server is a reason to skip
        from kapdesk.storage.server_url import hide_secrets

        shown = hide_secrets(url)
        first = " ".join(str(exc).split())[:160]
        return f"the server at {shown} cannot be reached ({first})"
    return None


def create_database(name: str | None = None) -> str:
    """Create an empty database on the test server; its name."""
    import psycopg.sql

    url = pg_admin_url()
    assert url is not None, pg_skip_reason()
    name = name or PREFIX + secrets.token_hex(6)
    with _connect(url) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return name


def drop_database(name: str) -> None:
    """Drop a test database, ending any connection still open to it."""
    import psycopg.errors
    import psycopg.sql

    url = pg_admin_url()
    assert url is not None
    drop = psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        psycopg.sql.Identifier(name)
    )
    # FORCE cannot end a server process of another role (an autovacuum worker that just
    # started on the database): wait for it a little and try again.
    for attempt in range(50):
        try:
            with _connect(url) as conn:
                conn.execute(drop)
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 49:
                raise
            time.sleep(0.2)


@contextmanager
def throwaway_database() -> Iterator[ServerURL]:
    """A ``ServerURL`` of a new, empty database, dropped when the block ends."""
    from kapdesk.storage.server_url import parse_server_url

    url = pg_admin_url()
    assert url is not None, pg_skip_reason()
    name = create_database()
    try:
        yield parse_server_url(url).with_database(name)
    finally:
        drop_database(name)
