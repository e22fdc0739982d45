"""The README's "Clinic server" set-up, step by step on the test server: ``server init`` as
the owner, then what a clinic does next as the application role the workstations use
(a demo clinic to try it, or the first workstation's clinic), as its IT person would."""

from __future__ import annotations

import json

import pytest

from kapdesk.storage.server_url import ServerURL
from tests.storage.pg_server_kit import APP_PASSWORD, FreshDatabase, fresh_database

from .conftest import Run, assert_one_line_error

__all__ = ["fresh_database"]

ENV = "KAPDESK_TEST_APP_PASSWORD"


def _url(server: ServerURL) -> str:
    return server.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def initialised(
    run: Run, fresh_database: FreshDatabase, monkeypatch: pytest.MonkeyPatch
) -> FreshDatabase:
    """A database set up by ``kapdesk server init`` (schema and application role, no row)."""
    monkeypatch.setenv(ENV, APP_PASSWORD)
    done = run("server", "init", "--url", _url(fresh_database.owner), "--app-password-env", ENV)
    assert done.code == 0, done.err
    return fresh_database


def test_a_demo_clinic_goes_onto_a_server_set_up_by_server_init(
    run: Run, initialised: FreshDatabase
) -> None:
    app_url = _url(initialised.app)  # as the workstations connect
    made = run("demo", "--db", app_url, "--patients", "2", "--seed", "3")
    assert made.code == 0, made.err
    assert "2 patients" in made.out
    patients = run("list", "patients", "--db", app_url, "--json")
    assert patients.code == 0, patients.err
    assert len(json.loads(patients.out)) == 2
    check = run("check", "--db", app_url)
    assert check.code == 0, check.out + check.err

    again = assert_one_line_error(run("demo", "--db", app_url, "--patients", "2"))
    assert "already holds a kapdesk clinic" in again


def test_the_big_demo_clinic_goes_onto_a_server_built_then_moved_and_verified(
    run: Run, initialised: FreshDatabase
) -> None:
    app_url, owner_url = _url(initialised.app), _url(initialised.owner)
    # Moving sets the id sequences: the owner's URL, as for kapdesk migrate; refused at once
    refused = assert_one_line_error(run("demo", "--db", app_url, "--years", "1"))
    assert "the database owner's URL" in refused
    assert "nothing was written" in refused
    made = run("demo", "--db", owner_url, "--years", "1", "--patients", "3", "--seed", "2")
    assert made.code == 0, made.err
    assert "written to postgresql://" in made.out
    assert "3 patients" in made.out
    assert "verified" in made.out  # the move's own checks, as kapdesk migrate prints them
    assert "signatures" in made.out
    assert "Big demo clinic written to postgresql://" in made.out  # not the temporary file
    patients = run("list", "patients", "--db", app_url, "--json")
    assert patients.code == 0, patients.err
    assert len(json.loads(patients.out)) == 3
    check = run("check", "--db", app_url)
    assert check.code == 0, check.out + check.err

    again = assert_one_line_error(run("demo", "--db", owner_url, "--years", "1"))
    assert "nothing was written" in again  # refused before building anything
    assert len(json.loads(run("list", "patients", "--db", app_url, "--json").out)) == 3
