"""The server form's refusals in Portuguese: the sentence in the language shown, the field
the form finds it by still the English name; a certificate for another host points at the
Host field whatever language the message is in."""

from __future__ import annotations

import pytest

from kapdesk import workstation as ws
from kapdesk.i18n import use_language
from kapdesk.storage.server_errors import server_refusal
from kapdesk.storage.server_url import parse_server_url


class OperationalError(Exception):
    """What psycopg raises when it cannot connect (no SQLSTATE)."""


FORM = ws.ServerFields("db.clinic.lan", "5432", "kapdesk", "kapdesk_app", "prefer", "")


def _refusal(**typed: str) -> ws.BadStoreField:
    fields = ws.ServerFields(**{**FORM.__dict__, **typed})
    with pytest.raises(ws.BadStoreField) as caught:
        ws.server_from_fields(fields)
    return caught.value


def test_a_wrong_port_is_said_in_each_language_at_the_same_field() -> None:
    english = _refusal(port="54x")
    assert str(english) == "Port '54x': a number from 1 to 65535 (PostgreSQL's is 5432)."
    with use_language("pt-PT"):
        portuguese = _refusal(port="54x")
        missing = _refusal(database=" ")
    assert portuguese.field == english.field == "Port"
    assert str(portuguese).startswith("Porta '54x': ")
    assert "a number" not in str(portuguese)
    assert missing.field == "Database"
    assert "give the database name" not in str(missing)


@pytest.mark.parametrize("language", ["en", "pt-PT"])
def test_a_certificate_for_another_host_points_at_the_host_field(language: str) -> None:
    server = parse_server_url("postgresql://kapdesk_app@db.clinic.lan/kapdesk?sslmode=verify-full")
    raw = OperationalError(
        'connection failed: server certificate for "other.lan" does not match host name '
        '"db.clinic.lan"'
    )
    with use_language(language):
        refused = server_refusal(server, raw)
        assert refused is not None
        assert ws.field_of(refused) == "Host"
        if language == "pt-PT":
            assert "host name" not in str(refused)
