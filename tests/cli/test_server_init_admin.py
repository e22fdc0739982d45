"""``kapdesk server init --owner NAME`` run as the server's administrator (a role with
CREATEROLE, or a superuser): it creates the clinic's owner role, gives it the database, then
sets the database up connected as that owner, so that the schema, the triggers and the
privileges are the owner's exactly as when the owner runs it. Run again, it changes nothing;
a name taken by a role unfit to be the owner is refused before anything is changed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kapdesk.storage.server_url import ServerURL
from tests.storage.pg_server_kit import APP_PASSWORD, FreshDatabase, autocommit, fresh_database

from .conftest import Run, assert_one_line_error

__all__ = ["fresh_database"]

APP_ENV = "KAPDESK_TEST_APP_PASSWORD"
OWNER_ENV = "KAPDESK_TEST_OWNER_PASSWORD"
OWNER_PASSWORD = "owner-role-password-" + secrets.token_hex(6)


def _url(server: ServerURL) -> str:
    return server.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _owner_name(fresh: FreshDatabase) -> str:
    return f"{fresh.name}_owner"  # dropped with the database's roles


@pytest.fixture
def passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(APP_ENV, APP_PASSWORD)
    monkeypatch.setenv(OWNER_ENV, OWNER_PASSWORD)


def _admin_init(run: Run, fresh: FreshDatabase, owner: str) -> Any:
    return run(
        "server", "init", "--url", _url(fresh.owner), "--owner", owner,
        "--owner-password-env", OWNER_ENV, "--app-password-env", APP_ENV,
    )  # fmt: skip


def _query(server: ServerURL, sql: str, **params: object) -> list[tuple[Any, ...]]:
    engine = autocommit(server)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _snapshot(fresh: FreshDatabase) -> dict[str, object]:
    """What server init may change: roles, their attributes and memberships, the database's
    owner, every table's and function's owner and privileges."""
    like = {"p": f"{fresh.name}%"}
    return {
        "roles": _query(
            fresh.owner,
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolinherit "
            "FROM pg_roles WHERE rolname LIKE :p ORDER BY 1",
            **like,
        ),
        "members": _query(
            fresh.owner,
            "SELECT r.rolname, m.rolname FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid"
            " JOIN pg_roles m ON m.oid = a.member WHERE r.rolname LIKE :p OR m.rolname LIKE :p"
            " ORDER BY 1, 2",
            **like,
        ),
        "database": _query(
            fresh.owner,
            "SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database "
            "WHERE datname = current_database()",
        ),
        "tables": _query(
            fresh.owner,
            "SELECT c.relname, pg_get_userbyid(c.relowner), c.relacl::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1",
        ),
        "functions": _functions(fresh.owner),
    }


def _functions(server: ServerURL) -> list[tuple[Any, ...]]:
    return _query(
        server,
        "SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1",
    )


def test_the_administrator_creates_the_owner_the_schema_and_the_application_role(
    run: Run, fresh_database: FreshDatabase, passwords: None
) -> None:
    fresh, owner = fresh_database, _owner_name(fresh_database)
    done = _admin_init(run, fresh, owner)
    assert done.code == 0, done.err

    [(login, createrole, superuser, createdb, replication, bypassrls)] = _query(
        fresh.owner,
        "SELECT rolcanlogin, rolcreaterole, rolsuper, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = :r",
        r=owner,
    )
    assert (login, createrole) == (True, True)
    assert (superuser, createdb, replication, bypassrls) == (False, False, False, False)
    assert _query(fresh.owner, "SELECT pg_get_userbyid(datdba) FROM pg_database "
                  "WHERE datname = current_database()") == [(owner,)]  # fmt: skip
    tables = _query(fresh.owner, "SELECT DISTINCT tableowner FROM pg_tables "
                    "WHERE schemaname = 'public'")  # fmt: skip
    assert tables == [(owner,)]
    functions = _functions(fresh.owner)
    assert ("kapdesk_append_only", owner) in functions
    assert {who for _, who in functions} == {owner}
    # the administrator is not left a member of the clinic's owner
    assert not _query(
        fresh.owner,
        "SELECT 1 FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid "
        "WHERE r.rolname = :r "
        "AND a.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
        r=owner,
    )

    assert "created the owner role" in done.out
    assert f"created the application role {fresh.app_role}" in done.out
    assert f"postgresql://{owner}:***@{fresh.owner.host}" in done.out  # migrate, backup
    assert f"postgresql://{fresh.app_role}:***@{fresh.owner.host}" in done.out  # workstations
    for secret in (OWNER_PASSWORD, APP_PASSWORD):
        assert secret not in done.out + done.err
    assert f":{fresh.owner.url.password}@" not in done.out + done.err

    # the owner signs in with its password; the app role may only add to the audit log
    as_owner = fresh.as_role(owner, OWNER_PASSWORD)
    assert _query(as_owner, "SELECT current_user") == [(owner,)]
    assert _query(fresh.app, "SELECT count(*) FROM audit_log") == [(0,)]
    for statement in ("UPDATE audit_log SET id = id", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):  # fmt: skip
        with pytest.raises(DBAPIError, match="permission denied"):
            _query(fresh.app, statement)
    privileges = _query(
        fresh.owner,
        "SELECT has_table_privilege(:r, 'audit_log', 'INSERT'), "
        "has_table_privilege(:r, 'audit_log', 'SELECT'), "
        "has_table_privilege(:r, 'audit_log', 'UPDATE'), "
        "has_table_privilege(:r, 'audit_log', 'DELETE'), "
        "has_table_privilege(:r, 'audit_log', 'TRUNCATE')",
        r=fresh.app_role,
    )
    assert privileges == [(True, True, False, False, False)]

    check = run("check", "--db", _url(fresh.app))
    assert check.code == 0, check.out + check.err


def test_run_again_changes_nothing(
    run: Run, fresh_database: FreshDatabase, passwords: None
) -> None:
    owner = _owner_name(fresh_database)
    assert _admin_init(run, fresh_database, owner).code == 0
    before = _snapshot(fresh_database)
    again = _admin_init(run, fresh_database, owner)
    assert again.code == 0, again.err
    assert "nothing was changed" in again.out
    assert "created" not in again.out
    assert f"postgresql://{owner}:***@" in again.out
    assert _snapshot(fresh_database) == before
    # and the owner, run as itself, finds it set up too
    as_owner = fresh_database.as_role(owner, OWNER_PASSWORD)
    itself = run("server", "init", "--url", _url(as_owner), "--app-password-env", APP_ENV)
    assert itself.code == 0, itself.err
    assert "nothing was changed" in itself.out
    assert _snapshot(fresh_database) == before


def _create_owner_by_hand(fresh: FreshDatabase, owner: str) -> None:
    """As the README's two-step way has the administrator do (createuser --createrole)."""
    statement = f"CREATE ROLE \"{owner}\" LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}'"
    _query(fresh.owner, statement)


def test_an_owner_role_made_by_hand_is_reused_and_its_password_kept(
    run: Run, fresh_database: FreshDatabase, passwords: None
) -> None:
    owner = _owner_name(fresh_database)
    _create_owner_by_hand(fresh_database, owner)
    done = _admin_init(run, fresh_database, owner)
    assert done.code == 0, done.err
    assert "created the owner role" not in done.out
    assert f"made {owner} the owner of the database" in done.out
    assert _query(fresh_database.owner, "SELECT DISTINCT tableowner FROM pg_tables "
                  "WHERE schemaname = 'public'") == [(owner,)]  # fmt: skip


def test_a_wrong_password_of_an_existing_owner_changes_nothing(
    run: Run, fresh_database: FreshDatabase, passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = _owner_name(fresh_database)
    _create_owner_by_hand(fresh_database, owner)
    before = _snapshot(fresh_database)
    monkeypatch.setenv(OWNER_ENV, "not-the-owner-password")
    line = assert_one_line_error(_admin_init(run, fresh_database, owner))
    assert f"refused the password of {owner}" in line
    assert "Nothing was changed" in line
    assert _snapshot(fresh_database) == before


Unfit = Callable[[FreshDatabase], str]


def _createdb_role(fresh: FreshDatabase) -> str:
    name = _owner_name(fresh)
    _query(fresh.owner, f'CREATE ROLE "{name}" LOGIN CREATEROLE CREATEDB')
    return name


def _owner_of_another_database(fresh: FreshDatabase) -> str:
    name = _owner_name(fresh)
    _query(fresh.owner, f'CREATE ROLE "{name}" LOGIN CREATEROLE')
    _query(fresh.owner, f'GRANT "{name}" TO CURRENT_USER')
    _query(fresh.owner, f'CREATE DATABASE "{fresh.name}_other" OWNER "{name}"')
    return name


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda fresh: "postgres", "it has SUPERUSER"),
        (_createdb_role, "it has CREATEDB"),
        (lambda fresh: fresh.owner.username, "it is the role you are connected as"),
        (_owner_of_another_database, "it owns the database"),
    ],
    ids=["superuser", "createdb", "the administrator", "another clinic's owner"],
)
def test_a_name_taken_by_a_role_unfit_to_be_the_owner_is_refused_and_nothing_changed(
    run: Run,
    fresh_database: FreshDatabase,
    passwords: None,
    make: Unfit,
    reason: str,
) -> None:
    name = make(fresh_database)
    before = _snapshot(fresh_database)
    try:
        line = assert_one_line_error(_admin_init(run, fresh_database, name))
        assert f"the role {name} cannot be the clinic's owner" in line
        assert reason in line
        assert "--owner" in line
        assert line.endswith("Nothing was changed.")
        assert _snapshot(fresh_database) == before
    finally:
        _query(fresh_database.owner, f'DROP DATABASE IF EXISTS "{fresh_database.name}_other"')


def test_the_owner_and_application_role_must_differ(
    run: Run, fresh_database: FreshDatabase, passwords: None
) -> None:
    line = assert_one_line_error(_admin_init(run, fresh_database, fresh_database.app_role), code=2)
    assert "--owner" in line
    assert "--app-role" in line
    assert _snapshot(fresh_database)["tables"] == []


def test_a_bad_owner_name_is_a_usage_error(run: Run, passwords: None) -> None:
    line = assert_one_line_error(
        run("server", "init", "--url", "postgresql://a@db.lan/c", "--owner", "Clinic Owner",
            "--app-password-env", APP_ENV),
        code=2,
    )  # fmt: skip
    assert "--owner 'Clinic Owner'" in line


def test_a_new_owner_password_must_be_long_enough(
    run: Run, fresh_database: FreshDatabase, passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OWNER_ENV, "short")
    before = _snapshot(fresh_database)
    line = assert_one_line_error(_admin_init(run, fresh_database, _owner_name(fresh_database)))
    assert "has 5 characters; give at least 12" in line
    assert _snapshot(fresh_database) == before


def test_a_database_set_up_by_another_owner_is_refused(
    run: Run, fresh_database: FreshDatabase, passwords: None
) -> None:
    # set up the two-step way by the role that owns it (here the test's administrator)
    owner_url = _url(fresh_database.owner)
    first = run("server", "init", "--url", owner_url, "--app-password-env", APP_ENV)
    assert first.code == 0, first.err
    before = _snapshot(fresh_database)
    line = assert_one_line_error(_admin_init(run, fresh_database, _owner_name(fresh_database)))
    assert f"owned by {fresh_database.owner.username}" in line
    assert "Nothing was changed." in line
    assert _snapshot(fresh_database) == before


def test_a_later_failure_says_what_was_kept_and_the_same_command_finishes_it(
    run: Run, fresh_database: FreshDatabase, passwords: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kapdesk.storage.server_init as server_init
    from kapdesk.storage.server_roles import ServerInitRefused

    owner = _owner_name(fresh_database)
    real = server_init.initialise_server

    def unreachable(*args: object, **kwargs: object) -> object:
        raise ServerInitRefused("the server cannot be reached (test). Nothing was changed.")

    monkeypatch.setattr(server_init, "initialise_server", unreachable)
    line = assert_one_line_error(_admin_init(run, fresh_database, owner))
    assert f"Kept: the owner role {owner} was created; it owns the database" in line
    assert "nothing else was changed" in line
    assert "Nothing was changed" not in line
    assert f"it reuses {owner}" in line
    assert _snapshot(fresh_database)["tables"] == []

    monkeypatch.setattr(server_init, "initialise_server", real)
    done = _admin_init(run, fresh_database, owner)
    assert done.code == 0, done.err
    assert "created the owner role" not in done.out
    assert "created kapdesk's schema" in done.out
    assert _query(fresh_database.owner, "SELECT DISTINCT tableowner FROM pg_tables "
                  "WHERE schemaname = 'public'") == [(owner,)]  # fmt: skip


def test_a_superuser_named_on_a_clinic_set_up_is_refused_for_what_it_is(
    run: Run, fresh_database: FreshDatabase, passwords: None
) -> None:
    owner = _owner_name(fresh_database)
    assert _admin_init(run, fresh_database, owner).code == 0
    before = _snapshot(fresh_database)
    line = assert_one_line_error(_admin_init(run, fresh_database, "postgres"))
    assert "the role postgres cannot be the clinic's owner: it has SUPERUSER" in line
    assert "not a kapdesk database" not in line  # the administrator may not read its revision
    assert _snapshot(fresh_database) == before
