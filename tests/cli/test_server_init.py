"""``kapdesk server init``: bad input is one clear line and an exit code, never a traceback;
on a real server it sets up the database once and says so, and again changes nothing."""

from __future__ import annotations

import pytest

from kapdesk.storage.server_url import ServerURL
from tests.storage.pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database

from .conftest import Run, assert_one_line_error

__all__ = ["fresh_database"]

ENV = "KAPDESK_TEST_APP_PASSWORD"


def _url(server: ServerURL) -> str:
    return server.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def app_password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV, APP_PASSWORD)
    return ENV


def test_no_url_is_a_usage_error(run: Run) -> None:
    line = assert_one_line_error(run("server", "init"), code=2)
    assert "--url" in line


def test_a_file_path_is_not_a_server(run: Run, tmp_path: object) -> None:
    line = assert_one_line_error(run("server", "init", "--url", f"{tmp_path}/c.sqlite"), code=2)
    assert "c.sqlite" in line
    assert "postgresql://OWNER@HOST" in line


def test_a_url_without_a_database_names_the_value_and_hides_the_password(run: Run) -> None:
    line = assert_one_line_error(run("server", "init", "--url", "postgresql://o:s3cret@db.lan"))
    assert "postgresql://o:***@db.lan" in line
    assert "names no database" in line
    assert "s3cret" not in line


def test_a_bad_role_name_is_refused(run: Run, app_password: str) -> None:
    line = assert_one_line_error(
        run("server", "init", "--url", "postgresql://o@db.lan/c", "--app-role", "Robert'); --"),
        code=2,
    )
    assert "--app-role" in line
    assert "lower-case letters" in line


def test_the_password_variable_must_be_set_and_long_enough(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ("server", "init", "--url", "postgresql://o@db.lan/c", "--app-password-env", ENV)
    monkeypatch.delenv(ENV, raising=False)
    assert f"{ENV}: that environment variable is not set" in assert_one_line_error(
        run(*base), code=2
    )
    monkeypatch.setenv(ENV, "short")
    line = assert_one_line_error(run(*base), code=2)
    assert "has 5 characters; give at least 12" in line
    assert "short" not in line.replace("shorter", "")


def test_an_unreachable_server_is_one_line(run: Run, app_password: str) -> None:
    line = assert_one_line_error(
        run("server", "init", "--url", "postgresql://o:pw@127.0.0.1:1/c", "--app-password-env",
            app_password),
    )  # fmt: skip
    assert "127.0.0.1:1 cannot be reached" in line
    assert "Nothing was changed" in line
    assert ":pw@" not in line


def test_a_wrong_owner_password_is_one_line(
    run: Run, fresh_database: FreshDatabase, app_password: str
) -> None:
    wrong = ServerURL(fresh_database.owner.url.set(password="not-the-password"))
    line = assert_one_line_error(
        run("server", "init", "--url", _url(wrong), "--app-password-env", app_password)
    )
    assert f"refused the password of {fresh_database.owner.username}" in line
    assert "not-the-password" not in line


def test_a_missing_database_is_one_line(
    run: Run, fresh_database: FreshDatabase, app_password: str
) -> None:
    missing = fresh_database.owner.with_database(fresh_database.name + "_none")
    line = assert_one_line_error(
        run("server", "init", "--url", _url(missing), "--app-password-env", app_password)
    )
    assert f"there is no database '{missing.database}'" in line


def test_no_terminal_and_no_password_variable(run: Run, fresh_database: FreshDatabase) -> None:
    line = assert_one_line_error(run("server", "init", "--url", _url(fresh_database.owner)), code=2)
    assert "No terminal" in line
    assert "--app-password-env" in line


def test_init_then_again(run: Run, fresh_database: FreshDatabase, app_password: str) -> None:
    argv = ("server", "init", "--url", _url(fresh_database.owner), "--app-password-env", ENV)
    first = run(*argv)
    assert first.code == 0, first.err
    assert "created kapdesk's schema" in first.out
    assert f"created the application role {fresh_database.app_role}" in first.out
    app_url = f"postgresql://{fresh_database.app_role}:***@"
    assert app_url in first.out
    assert APP_PASSWORD not in first.out + first.err
    assert f":{fresh_database.owner.url.password}@" not in first.out
    again = run(*argv)
    assert again.code == 0, again.err
    assert "already set up for kapdesk" in again.out
    assert "nothing was changed" in again.out
    assert app_url in again.out


def _tables(server: ServerURL) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(server.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            return int(conn.execute(text(query)).scalar() or 0)
    finally:
        engine.dispose()


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_the_password_is_asked_twice_without_echo_before_anything_changes(
    run: Run, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kapdesk.cli.server as server_cli

    answers = iter(["first password 1", "second password 2"])
    monkeypatch.setattr(server_cli.sys, "stdin", _Terminal())
    monkeypatch.setattr(server_cli.getpass, "getpass", lambda prompt: next(answers))
    argv = ("server", "init", "--url", _url(fresh_database.owner))
    line = assert_one_line_error(run(*argv))
    assert "The two passwords differ; nothing was changed." in line
    assert _tables(fresh_database.owner) == 0
    answers = iter([APP_PASSWORD, APP_PASSWORD])
    done = run(*argv)
    assert done.code == 0, done.err
    assert _tables(fresh_database.owner) > 10
    assert APP_PASSWORD not in done.out


def test_no_terminal_changes_nothing(run: Run, fresh_database: FreshDatabase) -> None:
    assert_one_line_error(run("server", "init", "--url", _url(fresh_database.owner)), code=2)
    assert _tables(fresh_database.owner) == 0


def test_the_owner_password_is_asked_for_when_the_url_has_none(
    run: Run, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import kapdesk.cli.server as server_cli

    owner = fresh_database.owner
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", f"{tmp_path}/none")
    monkeypatch.setenv(ENV, APP_PASSWORD)
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return str(owner.url.password)

    monkeypatch.setattr(server_cli.sys, "stdin", _Terminal())
    monkeypatch.setattr(server_cli.getpass, "getpass", getpass)
    no_password = _url(owner).replace(f":{owner.url.password}@", "@")
    assert "@" in no_password
    assert f":{owner.url.password}@" not in no_password
    done = run("server", "init", "--url", no_password, "--app-password-env", ENV)
    assert done.code == 0, done.err
    assert prompts == [f"Password for {owner.username} on {owner.host}: "]
    assert _tables(owner) > 10


def test_no_owner_password_and_no_terminal_says_where_to_put_it(
    run: Run, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    owner = fresh_database.owner
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", f"{tmp_path}/none")
    monkeypatch.setenv(ENV, APP_PASSWORD)
    no_password = _url(owner).replace(f":{owner.url.password}@", "@")
    line = assert_one_line_error(
        run("server", "init", "--url", no_password, "--app-password-env", ENV)
    )
    assert f"wants a password for {owner.username} and none was given" in line
    assert "PGPASSWORD" in line
    assert _tables(owner) == 0
