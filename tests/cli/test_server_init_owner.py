"""``kapdesk server init`` makes the database's owner role own kapdesk's schema: the owner
whose URL ``migrate``, ``backup`` and ``demo --years`` then use. Run as another role (an
administrator, or a member of the owner), it refuses before changing anything and names
the owner to run it as; run as the owner, it says that role owns the schema."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kapdesk.storage.server_url import ServerURL
from tests.storage.pg_server_kit import APP_PASSWORD, FreshDatabase, autocommit, fresh_database

from .conftest import Run, assert_one_line_error

__all__ = ["fresh_database"]

ENV = "KAPDESK_TEST_APP_PASSWORD"


def _url(server: ServerURL) -> str:
    return server.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _table_owners(server: ServerURL) -> set[str]:
    engine = autocommit(server)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            )
            return {str(r) for r in rows.scalars()}
    finally:
        engine.dispose()


def test_init_as_the_owner_says_who_owns_the_schema(
    run: Run, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, APP_PASSWORD)
    owner = fresh_database.owner
    done = run("server", "init", "--url", _url(owner), "--app-password-env", ENV)
    assert done.code == 0, done.err
    assert _table_owners(owner) == {owner.username}
    assert f"{owner.username} owns kapdesk's schema" in done.out
    assert "kapdesk migrate" in done.out  # what the owner's URL is for


def test_init_as_another_role_than_the_databases_owner_is_refused_naming_the_owner(
    run: Run, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, APP_PASSWORD)
    admin = fresh_database.owner
    clinic_owner = f"{fresh_database.name}_owner"  # dropped with the database's roles
    engine = autocommit(admin)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE ROLE "{clinic_owner}" LOGIN CREATEROLE')
            conn.exec_driver_sql(f'GRANT "{clinic_owner}" TO CURRENT_USER')
            conn.exec_driver_sql(
                f'ALTER DATABASE "{fresh_database.name}" OWNER TO "{clinic_owner}"'
            )
    finally:
        engine.dispose()

    line = assert_one_line_error(
        run("server", "init", "--url", _url(admin), "--app-password-env", ENV), code=1
    )
    assert f"{admin.username} is not the owner of the database {fresh_database.name!r}" in line
    assert f"run server init as {clinic_owner}" in line
    assert f"--owner {clinic_owner}" in line  # or in one step as the administrator
    assert "Nothing was changed" in line
    assert _table_owners(admin) == set()
