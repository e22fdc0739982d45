"""kapdesk.storage.server_url: which --db values are server URLs, and how they are checked."""

from __future__ import annotations

import pytest

from kapdesk.storage.server_url import BadServerURL, is_server_url, parse_server_url


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
