"""Where kapdesk keeps its database.

The default is the platform's per-user data folder (platformdirs), e.g.
``~/.local/share/kapdesk/kapdesk.sqlite`` on Linux,
``%LOCALAPPDATA%\\kapdesk\\kapdesk.sqlite`` on Windows and
``~/Library/Application Support/kapdesk/kapdesk.sqlite`` on macOS.

:func:`resolve_db_path` picks the file for a run: ``--db`` beats the
``KAPDESK_DB`` environment variable, which beats the default. ``--demo`` uses
``demo.sqlite`` in the same folder and deliberately ignores ``KAPDESK_DB``:
that variable names the clinic's real database, which a demo must never touch.

``--db`` and ``KAPDESK_DB`` may also name a clinic's PostgreSQL server
(``postgresql://USER:PASSWORD@HOST:PORT/DATABASE``): :func:`resolve_db` hands such a
value (anything of the form ``scheme://...``) back as the text given, untouched and
without creating a folder, for the composition root to check and open
(``kapdesk.storage.server_url``; this module stays below storage and imports nothing
of kapdesk). :func:`resolve_db_path` is for what only a file can be.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "kapdesk"
ENV_VAR = "KAPDESK_DB"
# scheme:// (RFC 3986 scheme): a URL, never a file name. A Windows path (C:\\x) has no "//".
_URL = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*://")


def data_dir() -> Path:
    from platformdirs import user_data_path  # only when no --db is given (start-up time)

    return user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "kapdesk.sqlite"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite"


def looks_like_url(text: str) -> bool:
    """Whether ``text`` is a URL (``scheme://...``) rather than a file path."""
    return bool(_URL.match(text))


def chosen_db(cli_db: str | None, *, demo: bool, environ: Mapping[str, str] = os.environ) -> str:
    """Where ``--db``/``KAPDESK_DB`` say the database is, as given ("" for the default):
    ``--db`` beats ``KAPDESK_DB``, which ``--demo`` ignores."""
    if cli_db:
        return cli_db
    if demo:
        return ""
    return environ.get(ENV_VAR) or ""


def resolve_db(
    cli_db: str | None,
    *,
    demo: bool,
    environ: Mapping[str, str] = os.environ,
    create_folder: bool = True,
) -> Path | str:
    """The database of this run: a file (absolute :class:`Path`, see :func:`resolve_db_path`)
    or, when ``--db``/``KAPDESK_DB`` is a URL, that URL's text (stripped), for the caller
    to check: nothing is created for it."""
    chosen = chosen_db(cli_db, demo=demo, environ=environ)
    if looks_like_url(chosen):
        return chosen.strip()
    return resolve_db_path(cli_db, demo=demo, environ=environ, create_folder=create_folder)


def resolve_db_path(
    cli_db: str | None,
    *,
    demo: bool,
    environ: Mapping[str, str] = os.environ,
    create_folder: bool = True,
) -> Path:
    """The database file for this run (absolute), creating its folder if needed.

    An empty ``--db`` or ``KAPDESK_DB`` counts as not given. ``~`` is expanded.
    ``create_folder=False`` (commands that need an existing database: check, list,
    report, backup, ...) leaves the file system untouched, so a typo creates nothing.
    A URL is not a file: :class:`ValueError` (callers that may get one use
    :func:`resolve_db`).
    """
    chosen = chosen_db(cli_db, demo=demo, environ=environ)
    if looks_like_url(chosen):
        raise ValueError(f"{ENV_VAR if not cli_db else '--db'} names a URL, not a file")
    if chosen:
        path = Path(chosen)
    elif demo:
        path = demo_db_path()
    else:
        path = default_db_path()
    path = path.expanduser().absolute()
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
