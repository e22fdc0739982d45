"""``kapdesk demo --years N --db URL``: the big demo clinic onto a clinic server.

The big clinic's bulk writer writes a SQLite file (about 100,000 sessions in minutes), so
the clinic is built in a temporary file, then moved to the server by the same verified
copy as ``kapdesk migrate`` (row counts, a digest of every row, the chain re-hashed, every
signature re-computed at the destination, all in one transaction). The server's database
is checked first (empty, or only set up by ``kapdesk server init``), so a refusal costs no
build; the temporary file is removed whatever happens.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.parser import EXIT_OK, CliError

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL


def big_demo_on_server(args: argparse.Namespace, server: ServerURL) -> int:
    from kapdesk.cli.migrate import run_move
    from kapdesk.demo import build_big_clinic
    from kapdesk.domain.errors import KapdeskError
    from kapdesk.services.clinic_move import Store, server_must_be_empty

    dest = Store(server=server)
    try:
        server_must_be_empty(dest)
    except KapdeskError as exc:
        raise CliError(str(exc)) from None

    def progress(line: str) -> None:
        print(f"kapdesk demo: {line}", file=sys.stderr, flush=True)

    folder = Path(tempfile.mkdtemp(prefix="kapdesk-demo-"))
    try:
        path = folder / "big-demo.sqlite"
        progress(f"building the clinic in {path} first, then moving it to {dest.shown}")
        built = build_big_clinic(
            path, seed=args.seed, patients=args.patients, years=args.years, progress=progress
        )
        result = run_move(Store(path=path), dest, say_prefix="demo")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for line in result.checks:  # what the move verified (as kapdesk migrate prints it)
        print(f"  {line}")
    print(built.summary().replace(f"written to {path}", f"written to {dest.shown}", 1))
    return EXIT_OK
