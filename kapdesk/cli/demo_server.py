"""``kapdesk demo --years N --db URL``: the big demo clinic onto a clinic server.

The big clinic's bulk writer writes a SQLite file (about 100,000 sessions in minutes), so
the clinic is built in a temporary file, then moved to the server by the same verified
copy as ``kapdesk migrate`` (row counts, a digest of every row, the chain re-hashed, every
signature re-computed at the destination, all in one transaction). The server's database
is checked first (empty, or only set up by ``kapdesk server init``), so a refusal costs no
build; the temporary file is removed whatever happens.

The file is built in a new folder inside ``--work-dir``, else the user data folder (where
kapdesk's own files live; the system temp folder is often a small RAM disk, and the big
clinic is ~3 GB for 5,000 patients over 5 years). The free space there is checked before
anything is built, and a disk that fills up anyway is said plainly, naming the folder.
"""

from __future__ import annotations

import argparse
import errno
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.parser import EXIT_OK, EXIT_USAGE, CliError
from kapdesk.i18n import _
from kapdesk.i18n.formats import decimal

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL

# Bytes of the built file per patient-year: the benchmark clinics measure ~116 KB
# (2.97 GB for 5,000 patients x 5 years, 290 MB for 500 x 5); the journal and the
# indexes built at the end need room beyond the final size.
BYTES_PER_PATIENT_YEAR = 180_000
MIN_BYTES = 50_000_000


def space_needed(patients: int, years: int) -> int:
    return max(MIN_BYTES, patients * years * BYTES_PER_PATIENT_YEAR)


def _gb(size: int) -> str:
    return decimal(f"{size / 1e9:.1f} GB") if size >= 1e8 else f"{size / 1e6:.0f} MB"


def work_folder(args: argparse.Namespace) -> Path:
    """The folder the build's own folder goes in, refused (naming it) when it is not a
    folder or lacks the room the clinic needs."""
    from kapdesk import paths

    given = getattr(args, "work_dir", None)
    base = Path(given).expanduser() if given else paths.data_dir()
    if given and not base.is_dir():
        raise CliError(
            _("--work-dir {folder}: no such folder; give an existing folder.", folder=base),
            EXIT_USAGE,
        )
    base.mkdir(parents=True, exist_ok=True)  # the data folder on a first use
    free, needed = shutil.disk_usage(base).free, space_needed(args.patients, args.years)
    if free < needed:
        raise CliError(
            _(
                "not enough disk space in {folder} to build the big clinic first: it needs "
                "about {needed} there ({patients} patients over {years} years; removed once "
                "moved to the server) and {free} are free. Free some space, or give "
                "--work-dir DIR on a disk with room. Nothing was written.",
                folder=base,
                needed=_gb(needed),
                patients=args.patients,
                years=args.years,
                free=_gb(free),
            )
        )
    return base


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


def big_demo_on_server(args: argparse.Namespace, server: ServerURL) -> int:
    from kapdesk.cli.migrate import run_move
    from kapdesk.demo import build_big_clinic
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.services.clinic_move import Store, server_must_be_empty

    dest = Store(server=server)
    base = work_folder(args)
    try:
        server_must_be_empty(dest)
    except KapdeskError as exc:
        raise CliError(str(exc)) from None

    def progress(line: str) -> None:
        print(f"kapdesk demo: {line}", file=sys.stderr, flush=True)

    folder = Path(tempfile.mkdtemp(prefix="kapdesk-demo-", dir=base))
    try:
        path = folder / "big-demo.sqlite"
        progress(
            _(
                "building the clinic in {path} first, then moving it to {server}",
                path=path,
                server=dest.shown,
            )
        )
        try:
            built = build_big_clinic(
                path, seed=args.seed, patients=args.patients, years=args.years, progress=progress
            )
        except (OSError, sqlite3.OperationalError) as exc:
            if not _disk_full(exc):
                raise
            raise CliError(
                _(
                    "the disk holding {folder} filled up while the big clinic was built there; "
                    "nothing was written to the server. Free some space, or give --work-dir DIR "
                    "on a disk with room.",
                    folder=base,
                )
            ) from None
        result = run_move(Store(path=path), dest, say_prefix="demo")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for line in result.checks:  # what the move verified (as kapdesk migrate prints it)
        print(f"  {line}")
    print(built.summary(where=dest.shown))
    return EXIT_OK
