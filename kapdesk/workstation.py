"""Where this workstation keeps the clinic's records, remembered between starts.

The first time the desktop app starts on a workstation with no ``--db``, no ``KAPDESK_DB``
and no database file in the default place, it asks: *this workstation only* (the default
SQLite file) or *the clinic's server* (kapdesk.ui.store_choice). The answer is kept in the
platform's per-user config folder (platformdirs ``user_config_path``, e.g.
``~/.config/kapdesk/`` on Linux):

* ``workstation.json``: ``{"store": "this-workstation"}`` or
  ``{"store": "server", "url": "postgresql://USER@HOST:PORT/DATABASE?sslmode=..."}``:
  the URL never holds a password;
* ``server.pgpass`` (mode 0600, only when a password was typed): one libpq password-file
  line ``HOST:PORT:DATABASE:USER:PASSWORD``. The remembered server is opened with
  ``passfile=`` that file, so libpq reads the password itself; it is never in the URL, a
  command line, a message or the log (a shown URL says ``passfile=***``).

Why a password file rather than asking at each start: a workstation's server password is
the workstation's, not a person's (each person signs in to kapdesk with their own account);
asking at each start would hand it to every member of staff. libpq's password file is the
standard place for it (the README already recommends ``~/.pgpass``), readable by the
workstation's operating-system user only, like the SQLite file of a single workstation.

Precedence (:func:`pick_store`): ``--db`` > ``KAPDESK_DB`` > the remembered choice > an
existing default file (remembered as "this workstation", silently: an existing clinic) >
the dialog. ``--demo`` ignores all of it. ``kapdesk workstation show|forget`` shows or
forgets the choice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import quote, urlencode

from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import N_, _
from kapdesk.paths import APP_NAME, chosen_db

if TYPE_CHECKING:
    from kapdesk.storage.server_url import ServerURL

CHOICE_FILE: Final = "workstation.json"
PASSFILE: Final = "server.pgpass"
THIS_WORKSTATION: Final = "this-workstation"
SERVER: Final = "server"
SSL_CHOICES: Final = ("verify-full", "require", "disable")

Pick = Literal["given", "remembered", "adopt-default", "ask"]


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


class WorkstationChoiceError(KapdeskError):
    """The remembered choice cannot be read, or a field of the dialog is wrong."""


class BadStoreField(WorkstationChoiceError):
    """A field of the server form with a value that cannot be used."""

    def __init__(self, field: str, value: str, allowed: str) -> None:
        """``field``: the form's English name (marked N_, what the form matches);
        ``allowed``: in the active language already."""
        self.field = field
        if value:
            said = _(
                "{field} {value}: {allowed}.", field=_(field), value=repr(value), allowed=allowed
            )
        else:
            said = _("{field}: {allowed}.", field=_(field), allowed=allowed)
        super().__init__(said)


@dataclass(frozen=True)
class Remembered:
    """The remembered choice: ``store`` is ``this-workstation`` or ``server`` (with ``url``,
    never holding a password)."""

    store: str
    url: str = ""


def pick_store(
    cli_db: str | None,
    *,
    demo: bool,
    environ: Mapping[str, str],
    remembered: Remembered | None,
    default_exists: bool,
) -> Pick:
    """Which rule decides this start's database (pure): ``given`` (``--db``, ``KAPDESK_DB``
    or ``--demo``), ``remembered``, ``adopt-default`` (an existing default file, to be
    remembered as this workstation) or ``ask`` (the first-run dialog)."""
    if demo or chosen_db(cli_db, demo=demo, environ=environ):
        return "given"
    if remembered is not None:
        return "remembered"
    return "adopt-default" if default_exists else "ask"


def read_choice(folder: Path | None = None) -> Remembered | None:
    """The remembered choice, None when there is none; a damaged file is refused, named."""
    path = (folder or config_dir()) / CHOICE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise WorkstationChoiceError(
            _(
                "The workstation's remembered choice {path} cannot be read ({problem}); "
                "run `kapdesk workstation forget` and start kapdesk again to choose anew.",
                path=path,
                problem=exc,
            )
        ) from None
    store = data.get("store") if isinstance(data, dict) else None
    url = data.get("url", "") if isinstance(data, dict) else ""
    if store == THIS_WORKSTATION or (store == SERVER and isinstance(url, str) and url):
        return Remembered(store, url if store == SERVER else "")
    raise WorkstationChoiceError(
        _(
            "The workstation's remembered choice {path} holds {store}, expected {this} or "
            "{server} with a url; run `kapdesk workstation forget` and start kapdesk again to "
            "choose anew.",
            path=path,
            store=repr(store),
            this=repr(THIS_WORKSTATION),
            server=repr(SERVER),
        )
    )


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only (0600), replacing it whole."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def remember_this_workstation(folder: Path | None = None) -> Path:
    """Remember "this workstation only" (the default file); a saved password is removed."""
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PASSFILE).unlink(missing_ok=True)
    _write_private(folder / CHOICE_FILE, json.dumps({"store": THIS_WORKSTATION}) + "\n")
    return folder / CHOICE_FILE


def _check_password(password: str) -> None:
    """The password file holds one entry per line: a line break (or another control
    character) would cut the password short and the workstation could never sign in."""
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise BadStoreField(
            N_("Password"), "", _("a password without line breaks or other control characters")
        )


def _pgpass_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def remember_server(server: ServerURL, password: str, folder: Path | None = None) -> Path:
    """Remember the clinic's ``server`` (its URL without a password) and, when ``password``
    is not empty, keep it in the 0600 password file; an old password file is removed."""
    _check_password(password)
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # URL.set(password=None) would keep the password (None means "unchanged" there).
    url = server.url._replace(drivername="postgresql", password=None)
    passfile = folder / PASSFILE
    if password:
        fields = (server.host, str(server.port), server.database, server.username or "")
        line = ":".join(_pgpass_field(f) for f in (*fields, password))
        _write_private(passfile, line + "\n")
    else:
        passfile.unlink(missing_ok=True)
    text = url.render_as_string(hide_password=False)
    _write_private(folder / CHOICE_FILE, json.dumps({"store": SERVER, "url": text}) + "\n")
    return folder / CHOICE_FILE


def forget(folder: Path | None = None) -> list[Path]:
    """Forget the choice (and a kept password); the files removed."""
    folder = folder or config_dir()
    removed = []
    for name in (CHOICE_FILE, PASSFILE):
        path = folder / name
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def forget_hint(folder: Path) -> str:
    """How to choose again, for a message about a remembered server that cannot be used."""
    return _(
        "This workstation remembers this server (in {file}). To use another server, or this "
        "workstation only, run \u201ckapdesk workstation forget\u201d in a terminal, then "
        "start kapdesk again: it asks where the records are.",
        file=folder / CHOICE_FILE,
    )


def console_hint(folder: Path, exc: BaseException) -> str:
    """Appended to a console command's storage error on the server this workstation
    remembers (kept in ``folder``): which one it was and how to use another."""
    from kapdesk.storage.errors import StorageError

    if not isinstance(exc, StorageError):
        return ""
    return " " + _(
        "(this workstation's remembered server, kept in {folder}: give --db or KAPDESK_DB "
        "for another, or run `kapdesk workstation forget`)",
        folder=folder,
    )


def remembered_server(choice: Remembered, folder: Path | None = None) -> ServerURL:
    """The remembered server, opened with the kept password file when there is one."""
    from kapdesk.storage.server_url import ServerURL, parse_server_url

    path = (folder or config_dir()) / CHOICE_FILE
    server = parse_server_url(choice.url)
    if server.url.password is not None:
        raise WorkstationChoiceError(
            _(
                "The workstation's remembered choice {path} holds a password in its URL; "
                "kapdesk never stores one there: run `kapdesk workstation forget`.",
                path=path,
            )
        )
    passfile = (folder or config_dir()) / PASSFILE
    if passfile.is_file():
        return ServerURL(server.url.update_query_dict({"passfile": str(passfile)}))
    return server


def remembered_server_in(server: ServerURL) -> Path | None:
    """The config folder when ``server`` is the one this workstation remembers (as opened,
    with its password file), else None; a damaged choice counts as none here."""
    from kapdesk.storage.server_url import BadServerURL

    folder = config_dir()
    try:
        choice = read_choice(folder)
        if choice is None or choice.store != SERVER:
            return None
        return folder if remembered_server(choice, folder) == server else None
    except (WorkstationChoiceError, BadServerURL):
        return None


def _ipv6(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ServerFields:
    """What the dialog's server form holds, as typed."""

    host: str
    port: str
    database: str
    user: str
    sslmode: str
    ca_file: str


def server_from_fields(fields: ServerFields, password: str = "") -> ServerURL:
    """The server URL of the form (with ``password`` in memory only, for a test connection),
    or :class:`BadStoreField` naming the field, the value and what is allowed."""
    from kapdesk.storage.server_url import BadServerURL, parse_server_url

    host = fields.host.strip()
    if not host or any(c in host for c in "/@?#[] \t") or (":" in host and not _ipv6(host)):
        raise BadStoreField(
            N_("Host"), host, _("give the server's name or address only, e.g. db.clinic.lan")
        )
    port = fields.port.strip()
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise BadStoreField(N_("Port"), port, _("a number from 1 to 65535 (PostgreSQL's is 5432)"))
    if not fields.database.strip():
        raise BadStoreField(N_("Database"), "", _("give the database name, e.g. kapdesk"))
    if not fields.user.strip():
        raise BadStoreField(
            N_("User"), "", _("give the user kapdesk signs in with, e.g. kapdesk_app")
        )
    if fields.sslmode not in SSL_CHOICES:
        raise BadStoreField(
            N_("TLS"), fields.sslmode, _("one of {choices}", choices=", ".join(SSL_CHOICES))
        )
    query = {"sslmode": fields.sslmode}
    if fields.sslmode == "verify-full":
        ca = Path(fields.ca_file.strip()).expanduser()
        if not fields.ca_file.strip():
            raise BadStoreField(
                N_("CA file"), "", _("choose the clinic's CA certificate (a .pem file)")
            )
        if not ca.is_file():
            raise BadStoreField(
                N_("CA file"), str(ca), _("no such file: choose the clinic's CA file")
            )
        query["sslrootcert"] = str(ca.absolute())
    _check_password(password)
    netloc = f"{quote(fields.user.strip(), safe='')}"
    if password:
        netloc += f":{quote(password, safe='')}"
    host_part = f"[{host}]" if ":" in host else host
    text = (
        f"postgresql://{netloc}@{host_part}:{port}/{quote(fields.database.strip(), safe='')}"
        f"?{urlencode(query, quote_via=quote)}"
    )
    try:
        return parse_server_url(text)
    except BadServerURL as exc:
        raise BadStoreField(N_("Server"), "", exc.reason) from None


def test_server(server: ServerURL) -> str:
    """Connect to ``server`` once (nothing written) and say what was found; a kapdesk
    error naming what to fix when it cannot be used (see :func:`field_of`)."""
    from kapdesk.storage.server_probe import probe_server

    return probe_server(server).summary(server)


def field_of(exc: BaseException) -> str:
    """The form field a failed test connection points at: ``Host``, ``User`` (user or
    password), ``CA file`` or ``Database``; ``""`` when it names none."""
    from kapdesk.storage.errors import NotAKapdeskDatabase, SchemaTooNew, ServerLoginRefused
    from kapdesk.storage.server_errors import ServerTLSRefused
    from kapdesk.storage.server_probe import ServerNotSetUp

    if isinstance(exc, ServerTLSRefused):
        return "Host" if exc.about_host else "CA file"
    if isinstance(exc, ServerLoginRefused):
        return "User"
    if isinstance(exc, ServerNotSetUp | NotAKapdeskDatabase | SchemaTooNew):
        return "Database"
    from kapdesk.storage.errors import ServerUnreachable

    return "Host" if isinstance(exc, ServerUnreachable) else ""
