"""A throwaway PostgreSQL server with TLS on, for the verify-full tests.

The shared test cluster has no TLS, so :func:`tls_server` starts a private instance:
``initdb`` + ``pg_ctl`` from the newest ``/usr/lib/postgresql/*/bin`` (or ``PG_BIN``), in a
temporary folder, on a free port, with ``ssl = on`` and a certificate for ``localhost``
signed by a test CA made here with the ``openssl`` command (a second, unrelated CA is made
too, for the wrong-CA case). Only TLS connections are accepted (``hostssl ... trust``).

PostgreSQL refuses to run as root: when the tests run as root (CI), the server runs as
the ``postgres`` operating-system user via ``runuser``, in a folder it owns. Without the
binaries, ``openssl``, or (as root) a ``postgres`` user and ``runuser``,
:func:`tls_skip_reason` says why and the tests skip: a machine without PostgreSQL passes.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "tlsadmin"
_SKIP = "TLS test server (PostgreSQL) not started: "


def _pg_bin() -> Path | None:
    given = os.environ.get("PG_BIN")
    if given:
        return Path(given) if (Path(given) / "initdb").is_file() else None
    versions = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    numbered = [b for b in versions if b.parent.name.isdigit()]
    return max(numbered, key=lambda b: int(b.parent.name)) if numbered else None


def _postgres_uid() -> tuple[int, int] | None:
    import pwd

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def tls_skip_reason() -> str | None:
    """Why the TLS server cannot be started here (None: it can)."""
    if _pg_bin() is None:
        return _SKIP + "no initdb under /usr/lib/postgresql/*/bin (set PG_BIN)"
    if shutil.which("openssl") is None:
        return _SKIP + "the openssl command is missing (it makes the test certificates)"
    if os.geteuid() == 0 and (_postgres_uid() is None or shutil.which("runuser") is None):
        return _SKIP + "running as root without a postgres user or runuser to run it as"
    return None


@dataclass(frozen=True)
class TLSServer:
    port: int
    ca: Path  # the CA that signed the server's certificate (for "localhost")
    other_ca: Path  # an unrelated CA
    folder: Path

    def url(self, *, host: str = "localhost", database: str = "postgres", **query: str) -> str:
        params = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgresql://{SUPERUSER}@{host}:{self.port}/{database}" + (
            f"?{params}" if params else ""
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(folder: Path) -> None:
    """ca.pem (+ key), other-ca.pem, and server.crt/server.key for DNS:localhost only."""
    for name, cn in (("ca", "kapdesk test CA"), ("other-ca", "some other CA")):
        _openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN={cn}", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder,
        )  # fmt: skip
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=folder,
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext",
        cwd=folder,
    )  # fmt: skip


def _as_server_user(command: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )


def _run(command: list[str], folder: Path) -> None:
    done = _as_server_user(command, folder)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")


@contextmanager
def tls_server() -> Iterator[TLSServer]:
    """A running TLS-only PostgreSQL instance; stopped and removed when the block ends."""
    reason = tls_skip_reason()
    assert reason is None, reason
    pg_bin = _pg_bin()
    assert pg_bin is not None
    folder = Path(tempfile.mkdtemp(prefix="kapdesk-tls-"))
    data = folder / "data"
    started = False
    try:
        make_certificates(folder)
        owner = _postgres_uid() if os.geteuid() == 0 else None
        if owner is not None:
            for path in [folder, *folder.iterdir()]:
                os.chown(path, *owner)
        os.chmod(folder / "server.key", 0o600)
        _run(
            [str(pg_bin / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "--no-sync", "-E", "UTF8", "--locale=C"],
            folder,
        )  # fmt: skip
        port = _free_port()
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {port}\nlisten_addresses = 'localhost'\n"
                f"unix_socket_directories = '{folder}'\nssl = on\n"
                f"ssl_cert_file = '{folder / 'server.crt'}'\n"
                f"ssl_key_file = '{folder / 'server.key'}'\n"
                "fsync = off\nmax_connections = 20\nshared_buffers = 16MB\n"
            )
        (data / "pg_hba.conf").write_text(
            f"local all {SUPERUSER} trust\n"
            "hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n"
        )
        _run([str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
              "-t", "60", "start"], folder)  # fmt: skip
        started = True
        yield TLSServer(port, folder / "ca.pem", folder / "other-ca.pem", folder)
    finally:
        if started:
            _as_server_user(
                [str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                folder,
            )
        shutil.rmtree(folder, ignore_errors=True)
