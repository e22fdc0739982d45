"""A fresh, empty PostgreSQL database for the ``server init`` and concurrency tests, and the
application role ``server init`` makes on it; both are dropped afterwards.

The server comes from KAPDESK_TEST_PG_URL (tests/pg_support.py); without one reachable the
tests skip and say why.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from kapdesk.storage.server_url import ServerURL, parse_server_url
from tests.pg_support import drop_database, pg_admin_url, pg_skip_reason, throwaway_database

APP_PASSWORD = "app-role-password-" + secrets.token_hex(6)


def admin_server() -> ServerURL:
    """The admin URL of the test server, or a skip saying why there is none."""
    reason = pg_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    url = pg_admin_url()
    assert url is not None
    return parse_server_url(url)


def autocommit(server: ServerURL) -> Engine:
    return create_engine(server.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@dataclass(frozen=True)
class FreshDatabase:
    owner: ServerURL  # the admin role, connected to the new database (it owns it)
    name: str
    app_role: str  # the name server init is to use (dropped afterwards)

    def as_role(self, role: str, password: str) -> ServerURL:
        return ServerURL(self.owner.url.set(username=role, password=password))

    @property
    def app(self) -> ServerURL:
        return self.as_role(self.app_role, APP_PASSWORD)


@pytest.fixture
def fresh_database() -> Iterator[FreshDatabase]:
    admin = admin_server()
    with throwaway_database() as owner:
        fresh = FreshDatabase(owner, owner.database, f"{owner.database}_app")
        try:
            yield fresh
        finally:
            _drop_roles(admin, fresh)


def _drop_roles(admin: ServerURL, fresh: FreshDatabase) -> None:
    """The roles made for ``fresh`` (their privileges: on that database, dropped first)."""
    engine = autocommit(admin)
    try:
        with engine.connect() as conn:
            roles = (
                conn.execute(
                    text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                    {"p": f"{fresh.name}%"},
                )
                .scalars()
                .all()
            )
            # FORCE may end only the server processes of roles the admin is a member of
            # (an app-role connection still closing would make the DROP fail otherwise).
            for role in roles:
                conn.exec_driver_sql(f'GRANT "{role}" TO CURRENT_USER')
        drop_database(fresh.name)  # retries while a process of another role is ending
        with engine.connect() as conn:
            for role in roles:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        engine.dispose()
