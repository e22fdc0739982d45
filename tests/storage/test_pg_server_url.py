"""kapdesk.storage.server_url: which --db values are server URLs, and how they are checked."""

from __future__ import annotations

import pytest

from kapdesk.storage.server_url import (
    BadServerURL,
    hide_secrets,
    is_server_url,
    parse_server_url,
)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://u:p@h/db",
        "postgres://h/db",
        "postgresql+psycopg://u@h:5433/db",
        "  POSTGRESQL://h/db",
    ],
)
def test_server_urls_are_recognised(text: str) -> None:
    assert is_server_url(text)


@pytest.mark.parametrize(
    "text", ["clinic.sqlite", "/srv/postgresql/clinic.sqlite", "sqlite:///x", "postgresql:/x", ""]
)
def test_paths_are_not_server_urls(text: str) -> None:
    assert not is_server_url(text)


def test_parse_uses_psycopg_and_keeps_tls_parameters() -> None:
    server = parse_server_url(
        "postgres://app:s3cret@db.clinic:6543/kapdesk?sslmode=verify-full"
        "&sslrootcert=/etc/kapdesk/ca.pem&sslcert=/c.pem&sslkey=/k.pem"
    )
    assert server.url.drivername == "postgresql+psycopg"
    assert (server.host, server.port, server.database, server.username) == (
        "db.clinic", 6543, "kapdesk", "app",
    )  # fmt: skip
    assert server.query == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/kapdesk/ca.pem",
        "sslcert": "/c.pem",
        "sslkey": "/k.pem",
    }
    assert server.url.password == "s3cret"


def test_redacted_never_shows_the_password() -> None:
    server = parse_server_url("postgresql://app:s3cret@db/kapdesk?sslmode=require")
    shown = server.redacted()
    assert "s3cret" not in shown
    assert "s3cret" not in str(server)
    assert "s3cret" not in repr(server)
    assert shown == "postgresql://app:***@db/kapdesk?sslmode=require"
    assert parse_server_url("postgresql://db/kapdesk").redacted() == "postgresql://db/kapdesk"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("postgresql://app:s3cret@db/", "names no database"),
        ("postgresql://app:s3cret@db/k?sslmode=verify_full", "sslmode 'verify_full'"),
        ("postgresql://app:s3cret@db/k?sslmod=require", "parameter 'sslmod'"),
        ("postgresql://app:s3cret@db:port/k", "not"),
        ("mysql://app:s3cret@db/k", "must start with"),
    ],
)
def test_bad_urls_are_refused_naming_the_value_without_password(text: str, reason: str) -> None:
    with pytest.raises(BadServerURL) as caught:
        parse_server_url(text)
    message = str(caught.value)
    assert reason in message
    assert "s3cret" not in message
    assert "app:***@db" in message
    assert "sslmode one of" in message


SECRET = "s3cretPW"


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql://u@localhost/db?password={SECRET}",
        f"postgresql://u@localhost/db?sslmode=require&PassWord={SECRET}",
        f"postgresql://u@localhost/db?passfile=/home/{SECRET}/.pgpass",
        f"postgresql://u:x{SECRET}@localhost/db?sslmode=bogus",
        f"postgresql://u:s3cret@{SECRET}@localhost/db",
        f"postgresql://u:s3cret@{SECRET}@localhost/db?sslmode=bogus",
        f"postgresql://u@localhost/db?sslpassword={SECRET}&sslmod=x",
        f"postgresql://u:{SECRET}@[::1/db",
        f"mysql://u:{SECRET}@localhost/db?password={SECRET}",
    ],
)
def test_a_refused_url_never_shows_a_secret(text: str) -> None:
    with pytest.raises(BadServerURL) as caught:
        parse_server_url(text)
    for shown in (str(caught.value), repr(caught.value), caught.value.shown):
        assert SECRET not in shown
        assert "@PW" not in shown


def test_an_unsupported_secret_parameter_is_named_by_its_key_only() -> None:
    with pytest.raises(BadServerURL) as caught:
        parse_server_url(f"postgresql://u@localhost/db?password={SECRET}")
    assert "'password' is not supported" in str(caught.value)
    assert "password=***" in caught.value.shown


def test_a_raw_at_sign_in_the_password_is_refused_asking_for_percent_40() -> None:
    with pytest.raises(BadServerURL) as caught:
        parse_server_url(f"postgresql://u:s3cret@{SECRET}@localhost/db")
    assert "%40" in str(caught.value)
    assert caught.value.shown == "postgresql://u:***@localhost/db"
    # Written as %40 it is accepted, and still hidden.
    server = parse_server_url(f"postgresql://u:s3cret%40{SECRET}@localhost/db")
    assert server.url.password == f"s3cret@{SECRET}"
    assert SECRET not in server.redacted()


def test_an_accepted_secret_parameter_is_hidden_in_every_rendering() -> None:
    key = "sslpassword"
    server = parse_server_url(f"postgresql://u:{SECRET}@localhost/db?{key}={SECRET}")
    assert server.query[key] == SECRET
    for shown in (server.redacted(), str(server), repr(server)):
        assert SECRET not in shown
        assert f"{key}=***" in shown


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql://u:{SECRET}@localhost/db",
        f"postgresql://u:s3cret@{SECRET}@localhost/db",
        f"postgresql://u@localhost/db?password={SECRET}",
        f"postgresql://u@localhost/db?a=1&sslpassword={SECRET}&passfile={SECRET}",
        f"postgres://u:{SECRET}",
    ],
)
def test_hide_secrets_hides_every_secret_of_a_raw_value(text: str) -> None:
    assert SECRET not in hide_secrets(text)
    assert "@PW" not in hide_secrets(text)


def test_the_workstations_url_printed_by_server_init_hides_the_owners_secrets() -> None:
    from kapdesk.storage.server_init import InitResult
    from kapdesk.storage.server_roles import RolePlan

    owner = parse_server_url(
        f"postgresql://owner:{SECRET}@db/k?sslmode=require&sslpassword={SECRET}"
    )
    result = InitResult(owner, "kapdesk_app", "public", "r1", None, RolePlan())
    assert result.app_url() == "postgresql://kapdesk_app:***@db/k?sslmode=require&sslpassword=***"
