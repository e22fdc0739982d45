"""This workstation's remembered store (kapdesk.workstation): which rule picks the
database, the config file's round trip, and the password kept only in a 0600 passfile."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk import workstation as ws
from kapdesk.storage.server_url import parse_server_url

SECRET = "s3cr:et\\pw@x"  # a colon, a backslash and an @: escaped in the passfile


def _fields(**change: str) -> ws.ServerFields:
    base = {
        "host": "db.clinic.lan",
        "port": "5432",
        "database": "kapdesk",
        "user": "kapdesk_app",
        "sslmode": "require",
        "ca_file": "",
    }
    return ws.ServerFields(**{**base, **change})


# ---------------------------------------------------------------- precedence (pure)

_remembered = st.sampled_from(
    [None, ws.Remembered(ws.THIS_WORKSTATION), ws.Remembered(ws.SERVER, "postgresql://u@h/d")]
)


@given(
    cli_db=st.sampled_from([None, "", "/x/a.sqlite", "postgresql://u@h/d"]),
    env_db=st.sampled_from([None, "", "/y/b.sqlite", "postgresql://v@h/e"]),
    demo=st.booleans(),
    remembered=_remembered,
    default_exists=st.booleans(),
)
def test_db_beats_environment_beats_remembered_beats_default_file_beats_asking(
    cli_db: str | None,
    env_db: str | None,
    demo: bool,
    remembered: ws.Remembered | None,
    default_exists: bool,
) -> None:
    environ = {} if env_db is None else {"KAPDESK_DB": env_db}
    pick = ws.pick_store(
        cli_db, demo=demo, environ=environ, remembered=remembered, default_exists=default_exists
    )
    if cli_db or demo or env_db:
        expected = "given"  # --demo ignores KAPDESK_DB and the remembered choice alike
    elif remembered is not None:
        expected = "remembered"
    elif default_exists:
        expected = "adopt-default"
    else:
        expected = "ask"
    assert pick == expected


# ---------------------------------------------------------------- the config files


def test_nothing_remembered_reads_as_none(tmp_path: Path) -> None:
    assert ws.read_choice(tmp_path) is None
    assert ws.forget(tmp_path) == []


def test_this_workstation_round_trip(tmp_path: Path) -> None:
    ws.remember_this_workstation(tmp_path / "cfg")
    assert ws.read_choice(tmp_path / "cfg") == ws.Remembered(ws.THIS_WORKSTATION)


def test_server_round_trip_keeps_the_password_only_in_a_0600_passfile(tmp_path: Path) -> None:
    server = ws.server_from_fields(_fields(), SECRET)
    assert server.url.password == SECRET  # in memory, for the test connection
    path = ws.remember_server(server, SECRET, tmp_path)
    assert "s3cr" not in path.read_text()  # neither as typed nor %-encoded
    assert json.loads(path.read_text()) == {
        "store": "server",
        "url": "postgresql://kapdesk_app@db.clinic.lan:5432/kapdesk?sslmode=require",
    }
    passfile = tmp_path / ws.PASSFILE
    assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert passfile.read_text() == "db.clinic.lan:5432:kapdesk:kapdesk_app:s3cr\\:et\\\\pw@x\n"
    choice = ws.read_choice(tmp_path)
    assert choice == ws.Remembered(ws.SERVER, json.loads(path.read_text())["url"])
    opened = ws.remembered_server(choice, tmp_path)
    assert opened.url.password is None
    assert opened.query["passfile"] == str(passfile)
    assert opened.query["sslmode"] == "require"
    assert SECRET not in opened.redacted()
    assert str(tmp_path) not in opened.redacted()


def test_a_server_without_a_password_keeps_no_passfile(tmp_path: Path) -> None:
    ws.remember_server(ws.server_from_fields(_fields(), SECRET), SECRET, tmp_path)
    ws.remember_server(ws.server_from_fields(_fields()), "", tmp_path)  # chosen again, no pw
    assert not (tmp_path / ws.PASSFILE).exists()
    choice = ws.read_choice(tmp_path)
    assert choice is not None
    assert "passfile" not in ws.remembered_server(choice, tmp_path).query


def test_choosing_this_workstation_removes_a_kept_password(tmp_path: Path) -> None:
    ws.remember_server(ws.server_from_fields(_fields()), SECRET, tmp_path)
    ws.remember_this_workstation(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [ws.CHOICE_FILE]


def test_forget_removes_both_files(tmp_path: Path) -> None:
    ws.remember_server(ws.server_from_fields(_fields()), SECRET, tmp_path)
    removed = ws.forget(tmp_path)
    assert sorted(p.name for p in removed) == [ws.PASSFILE, ws.CHOICE_FILE]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"store": "cloud"}', '{"store": "server"}', "[]"],
)
def test_a_damaged_choice_is_refused_naming_the_file_and_the_way_out(
    tmp_path: Path, content: str
) -> None:
    (tmp_path / ws.CHOICE_FILE).write_text(content)
    with pytest.raises(ws.WorkstationChoiceError) as caught:
        ws.read_choice(tmp_path)
    assert str(tmp_path / ws.CHOICE_FILE) in str(caught.value)
    assert "kapdesk workstation forget" in str(caught.value)


def test_a_password_written_into_the_remembered_url_by_hand_is_refused(tmp_path: Path) -> None:
    choice = ws.Remembered(ws.SERVER, f"postgresql://u:{SECRET.replace('@', '%40')}@h/d")
    with pytest.raises(ws.WorkstationChoiceError) as caught:
        ws.remembered_server(choice, tmp_path)
    assert "s3cr" not in str(caught.value)


def test_remembering_logs_no_password(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = ws.server_from_fields(_fields(), SECRET)
    ws.remember_server(server, SECRET, tmp_path)
    assert SECRET not in caplog.text
    assert "s3cr" not in repr(server)
    assert "s3cr" not in str(server)


# ---------------------------------------------------------------- the form's fields


@pytest.mark.parametrize(
    ("change", "start"),
    [
        ({"port": "54x2"}, "Port '54x2': a number from 1 to 65535"),
        ({"port": "70000"}, "Port '70000': a number from 1 to 65535"),
        ({"port": ""}, "Port: a number from 1 to 65535"),
        ({"host": ""}, "Host: give the server's name"),
        ({"host": "db.clinic.lan:5432"}, "Host 'db.clinic.lan:5432': give the server's name"),
        ({"host": "user@db"}, "Host 'user@db'"),
        ({"database": " "}, "Database: give the database name"),
        ({"user": ""}, "User: give the user"),
        ({"sslmode": "verify-full"}, "CA file: choose the clinic's CA certificate"),
        ({"sslmode": "verify-full", "ca_file": "/no/ca.pem"}, "CA file '/no/ca.pem': no such"),
        ({"sslmode": "prefer"}, "TLS 'prefer': one of verify-full, require, disable"),
    ],
)
def test_a_bad_field_is_named_with_its_value_and_what_is_allowed(
    change: dict[str, str], start: str
) -> None:
    with pytest.raises(ws.BadStoreField) as caught:
        ws.server_from_fields(_fields(**change), SECRET)
    assert str(caught.value).startswith(start)
    assert "s3cr" not in str(caught.value)


def test_verify_full_takes_the_ca_file_as_sslrootcert(tmp_path: Path) -> None:
    ca = tmp_path / "clinic ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    server = ws.server_from_fields(_fields(sslmode="verify-full", ca_file=str(ca)))
    assert server.query == {"sslmode": "verify-full", "sslrootcert": str(ca)}
    assert parse_server_url(server.redacted()).query["sslrootcert"] == str(ca)


def test_an_ipv6_address_is_a_host(tmp_path: Path) -> None:
    server = ws.server_from_fields(_fields(host="::1"))
    assert server.host == "::1"


@pytest.mark.parametrize("password", ["abc\n*:*:*:*:evil", "abc\rdef", "abc\x00def"])
def test_a_password_with_a_line_break_or_control_character_is_refused_unshown(
    tmp_path: Path, password: str
) -> None:
    # The password file holds one entry per line: a line break would cut the password short
    # (libpq reads "abc") and the workstation could never sign in.
    with pytest.raises(ws.BadStoreField) as caught:
        ws.server_from_fields(_fields(), password)
    assert str(caught.value).startswith("Password: ")
    assert "abc" not in str(caught.value)
    with pytest.raises(ws.BadStoreField):
        ws.remember_server(ws.server_from_fields(_fields()), password, tmp_path / "cfg")
    assert not (tmp_path / "cfg" / "server.pgpass").exists()
