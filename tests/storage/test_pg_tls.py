"""TLS to a clinic server, really: sslmode=verify-full with the clinic's CA file connects
encrypted; a wrong CA, a host name the certificate does not name, or a missing CA file is
refused before anything is sent, with a message naming what to fix.

Runs against a private PostgreSQL instance with ``ssl = on`` started for this module
(tests/pg_tls_server.py); skipped, saying why, where PostgreSQL's binaries are missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from kapdesk.storage.db import Database
from kapdesk.storage.errors import ServerUnreachable
from kapdesk.storage.pg_engine import create_server_engine
from kapdesk.storage.server_errors import ServerTLSRefused
from kapdesk.storage.server_open import open_server
from kapdesk.storage.server_probe import ServerNotSetUp, probe_server
from kapdesk.storage.server_url import parse_server_url
from tests.pg_tls_server import TLSServer, tls_server, tls_skip_reason

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(tls_skip_reason() is not None, reason=tls_skip_reason() or ""),
]


@pytest.fixture(scope="module")
def tls() -> Iterator[TLSServer]:
    with tls_server() as server:
        with psycopg.connect(server.url(sslmode="require"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE kapdesk")
        yield server


def test_verify_full_with_the_clinic_ca_connects_encrypted(tls: TLSServer) -> None:
    server = parse_server_url(tls.url(sslmode="verify-full", sslrootcert=str(tls.ca)))
    engine = create_server_engine(server)
    try:
        with engine.connect() as conn:
            ssl, version = conn.execute(
                text("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            ).one()
    finally:
        engine.dispose()
    assert ssl is True
    assert version.startswith("TLSv1.")


def test_a_kapdesk_database_opens_over_verify_full_and_the_probe_says_verified(
    tls: TLSServer,
) -> None:
    server = parse_server_url(
        tls.url(database="kapdesk", sslmode="verify-full", sslrootcert=str(tls.ca))
    )
    with pytest.raises(ServerNotSetUp, match=r"kapdesk server init"):
        probe_server(server)  # empty: the dialog's test says what to run
    Database.open(server).close()  # creates the schema over TLS
    summary = probe_server(server).summary(server)
    assert "server certificate and host name verified" in summary
    assert "'kapdesk' on localhost" in summary


def test_a_wrong_ca_is_refused_naming_sslrootcert(tls: TLSServer) -> None:
    server = parse_server_url(tls.url(sslmode="verify-full", sslrootcert=str(tls.other_ca)))
    with pytest.raises(ServerTLSRefused) as caught:
        open_server(server, create=False, migrate=False)
    message = str(caught.value)
    assert "not signed by the CA in sslrootcert" in message
    assert str(tls.other_ca) in message
    assert isinstance(caught.value, ServerUnreachable)  # the app's "server gone" paths hold


def test_a_host_name_the_certificate_does_not_name_is_refused(tls: TLSServer) -> None:
    # The certificate is for DNS:localhost only; 127.0.0.1 is the same server by address.
    server = parse_server_url(
        tls.url(host="127.0.0.1", sslmode="verify-full", sslrootcert=str(tls.ca))
    )
    with pytest.raises(ServerTLSRefused) as caught:
        open_server(server, create=False, migrate=False)
    assert "not made out to the host name '127.0.0.1'" in str(caught.value)
    # require encrypts but checks neither: the same address connects.
    lenient = parse_server_url(tls.url(host="127.0.0.1", sslmode="require"))
    open_server(lenient, create=True, migrate=False).dispose()


def test_a_missing_ca_file_is_named(tls: TLSServer) -> None:
    missing = tls.folder / "no-such-ca.pem"
    server = parse_server_url(tls.url(sslmode="verify-full", sslrootcert=str(missing)))
    with pytest.raises(ServerTLSRefused) as caught:
        open_server(server, create=False, migrate=False)
    message = str(caught.value)
    assert f"the CA file '{missing}' given as sslrootcert cannot be read" in message


def test_no_tls_is_refused_by_a_tls_only_server(tls: TLSServer) -> None:
    server = parse_server_url(tls.url(sslmode="disable"))
    with pytest.raises(ServerTLSRefused) as caught:  # pg_hba.conf: hostssl only
        open_server(server, create=False, migrate=False)
    assert "accepts this workstation only over TLS, and sslmode=disable sends none" in str(
        caught.value
    )
    assert "reconnects by itself" not in str(caught.value)
