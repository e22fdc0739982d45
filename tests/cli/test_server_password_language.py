"""``server init`` asks for the password a server wanted whatever language kapdesk speaks:
the refusal says it in words of the language and carries the role, which the command line
reads (never the words)."""

from __future__ import annotations

import pytest

from kapdesk.cli import server as server_cli
from kapdesk.composition import parse_server_url
from kapdesk.i18n import use_language
from kapdesk.storage.server_init import connection_refusal
from kapdesk.storage.server_roles import ServerInitRefused

URL = "postgresql://clinic@db.example:5432/kapdesk"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    monkeypatch.setattr(server_cli.sys.stdin, "isatty", lambda: True)

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return "typed secret"

    monkeypatch.setattr(server_cli.getpass, "getpass", getpass)
    return asked


@pytest.mark.parametrize("language", ["en", "pt-PT"])
def test_a_server_that_wants_a_password_is_asked_for_it_in_each_language(
    language: str, terminal: list[str]
) -> None:
    server = parse_server_url(URL)
    with use_language(language):
        refusal = connection_refusal(server, Exception("fe_sendauth: no password supplied"))
        assert refusal.password_wanted_for == "clinic"
        again = server_cli._retry_with_password(server, refusal)
    assert again.url.password == "typed secret"
    assert len(terminal) == 1
    if language == "pt-PT":
        assert "wants a password" not in str(refusal)
        assert "palavra-passe" in str(refusal)
        assert "Nothing was changed" not in str(refusal)
    else:
        assert str(refusal).endswith(
            "db.example:5432 wants a password for clinic and none was given (put it in the "
            "URL, in PGPASSWORD or in ~/.pgpass). Nothing was changed."
        )


def test_a_refused_password_is_not_asked_again(terminal: list[str]) -> None:
    server = parse_server_url(URL)
    with use_language("pt-PT"):
        refusal = connection_refusal(
            server, Exception('password authentication failed for user "clinic"')
        )
        with pytest.raises(ServerInitRefused):
            server_cli._retry_with_password(server, refusal)
    assert refusal.password_wanted_for is None
    assert terminal == []
