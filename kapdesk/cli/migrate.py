"""``kapdesk migrate --from A --to B`` (a kapdesk file <-> a clinic's PostgreSQL server) and
``kapdesk backup`` when the database is a server: a verified kapdesk file.

Progress goes to stderr; exit 0 when the copy is verified, 1 when refused or when the
verification failed (the copy is then removed or rolled back), 130 when interrupted
(likewise cleaned up). See :mod:`kapdesk.services.clinic_move`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.options import grouped
from kapdesk.cli.parser import EXIT_OK, EXIT_USAGE, CliError
from kapdesk.i18n import _
from kapdesk.i18n.formats import decimal

if TYPE_CHECKING:
    from kapdesk.cli.parser import _Commands
    from kapdesk.services.clinic_move import MoveResult, Store

EXIT_INTERRUPTED = 130
_URL = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*://")


def add_migrate_parser(sub: _Commands) -> None:
    migrate = sub.add_parser(
        "migrate",
        help=_("copy a whole clinic between a kapdesk file and a PostgreSQL server, verified"),
        description=_(
            "Copy every record of a clinic from a kapdesk file to an empty database "
            "on the clinic's PostgreSQL server, or back into a new file; the copy is verified "
            "(row counts, every row, the audit chain; a file also by kapdesk check) before it "
            "counts as done."
        ),
    )
    migrate.add_argument(
        "--from", dest="source", required=True, metavar="FILE|URL", help=_("the clinic to copy")
    )
    migrate.add_argument(
        "--to",
        dest="dest",
        required=True,
        metavar="URL|FILE",
        help=_("a new file, or an empty database on the server (postgresql://USER@HOST/DB)"),
    )
    migrate.add_argument(
        "--encrypted",
        action="store_true",
        help=_(
            "the file (either side) is encrypted (SQLCipher): passphrase from "
            "KAPDESK_DB_KEY, else asked"
        ),
    )


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def store_for(option: str, value: str, *, encrypted: bool, new: bool) -> Store:
    """``value`` as one side of a move; a URL must be a PostgreSQL one."""
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.services.clinic_move import Store, server_store

    if not value.strip():
        raise CliError(
            _("{option}: give a file path or a postgresql:// URL.", option=option), EXIT_USAGE
        )
    if is_url(value):
        try:
            return server_store(value)
        except KapdeskError as exc:  # not a usable postgresql:// URL
            raise CliError(f"{option}: {exc}", EXIT_USAGE) from None
    path = Path(value).expanduser().absolute()
    key = None
    if encrypted:
        from kapdesk.cli.options import _obtain_key

        key = _obtain_key(path.name, new=new)
    return Store(path=path, key=key)


def run_move(
    source: Store,
    dest: Store,
    *,
    say_prefix: str = "migrate",
    move: Callable[[Callable[[str], None]], MoveResult] | None = None,
) -> MoveResult:
    """The move with its exit semantics: KeyboardInterrupt -> CliError 130, after cleanup."""
    from kapdesk.services.clinic_move import move_clinic

    def say(line: str) -> None:
        print(f"kapdesk {say_prefix}: {line}", file=sys.stderr, flush=True)

    try:
        if move is not None:
            return move(say)
        return move_clinic(source, dest, say=say)
    except KeyboardInterrupt:
        message = (
            _("interrupted; {path} was not created.", path=dest.path)
            if dest.path is not None
            else _("interrupted; nothing was committed to {server}.", server=dest.shown)
        )
        raise CliError(message, EXIT_INTERRUPTED) from None


def cmd_migrate(args: argparse.Namespace) -> int:
    if is_url(args.source) == is_url(args.dest):
        kinds = _("two server URLs") if is_url(args.source) else _("two files")
        raise CliError(
            _(
                "--from {source} and --to {dest} are {kinds}: migrate copies between a kapdesk "
                "file and a postgresql:// server (kapdesk backup copies a file).",
                source=_shown(args.source),
                dest=_shown(args.dest),
                kinds=kinds,
            ),
            EXIT_USAGE,
        )
    encrypted = bool(args.encrypted)
    source = store_for("--from", args.source, encrypted=encrypted, new=False)
    dest = store_for("--to", args.dest, encrypted=encrypted, new=True)
    result = run_move(source, dest)
    _report(source, dest, result)
    return EXIT_OK


def cmd_backup_server(args: argparse.Namespace, url: str) -> int:
    """`kapdesk backup --db URL -o FILE`: the server's clinic as a new, verified kapdesk file
    (the format a workstation's backup has; it opens and restores anywhere)."""
    from kapdesk.services.clinic_move import back_up_server

    source = store_for("--db", url, encrypted=False, new=False)
    if bool(getattr(args, "encrypted", False)):
        raise CliError(
            _(
                "--encrypted: a backup of a clinic server is a plain kapdesk file; encrypt it "
                "afterwards with kapdesk encrypt --db FILE."
            ),
            EXIT_USAGE,
        )
    dest = store_for("-o", args.output, encrypted=False, new=True)
    server, path = source.server, dest.path
    if path is None:
        raise CliError(
            _(
                "-o {out}: a backup is a file; to copy the clinic into another server "
                "database, back it up to a file, then kapdesk migrate --from FILE --to URL.",
                out=_shown(args.output),
            ),
            EXIT_USAGE,
        )
    assert server is not None  # a URL (server_db)
    result = run_move(
        source, dest, say_prefix="backup", move=lambda say: back_up_server(server, path, say=say)
    )
    for line in result.checks:
        print(f"  {line}")
    print(
        _(
            "Backed up {source} to {dest} ({rows}).",
            source=source.shown,
            dest=dest.shown,
            rows=_rows(result),
        )
    )
    return EXIT_OK


def server_db(args: argparse.Namespace) -> str | None:
    """The server URL of ``--db`` (else KAPDESK_DB) when it is one, else None."""
    chosen = getattr(args, "db", None) or os.environ.get("KAPDESK_DB") or ""
    return chosen.strip() if is_url(chosen) else None


def _rows(result: MoveResult) -> str:
    rows, entries = sum(result.rows.values()), result.audit_entries
    return _("{rows} rows, {entries} audit entries", rows=grouped(rows), entries=grouped(entries))


def _report(source: Store, dest: Store, result: MoveResult) -> None:
    for line in result.checks:
        print(f"  {line}")
    print(
        _(
            "Copied the clinic from {source} to {dest} ({rows}) in {seconds} s; verified.",
            source=source.shown,
            dest=dest.shown,
            rows=_rows(result),
            seconds=decimal(f"{result.seconds:.1f}"),
        )
    )


def _shown(value: str) -> str:
    if not is_url(value):
        return value
    from kapdesk.services.clinic_move import shown_url

    return shown_url(value)
