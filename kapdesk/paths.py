"""Where kapdesk keeps its database.

The default is the platform's per-user data folder (platformdirs), e.g.
``~/.local/share/kapdesk/kapdesk.sqlite`` on Linux,
``%LOCALAPPDATA%\\kapdesk\\kapdesk.sqlite`` on Windows and
``~/Library/Application Support/kapdesk/kapdesk.sqlite`` on macOS.

:func:`resolve_db_path` picks the file for a run: ``--db`` beats the
``KAPDESK_DB`` environment variable, which beats the default. ``--demo`` uses
``demo.sqlite`` in the same folder and deliberately ignores ``KAPDESK_DB``:
that variable names the clinic's real database, which a demo must never touch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "kapdesk"
ENV_VAR = "KAPDESK_DB"


def data_dir() -> Path:
    from platformdirs import user_data_path  # only when no --db is given (start-up time)

    return user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "kapdesk.sqlite"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite"


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
    """
    if cli_db:
        path = Path(cli_db)
    elif demo:
        path = demo_db_path()
    elif environ.get(ENV_VAR):
        path = Path(environ[ENV_VAR])
    else:
        path = default_db_path()
    path = path.expanduser().absolute()
    if create_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
