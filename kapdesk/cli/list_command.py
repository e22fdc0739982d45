"""`kapdesk list patients|sessions [--json]`: the clinic's patients or sessions as a table,
or as one JSON array streamed as it is read (kapdesk.services.listing)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from kapdesk.cli.options import open_context
from kapdesk.cli.parser import EXIT_OK, EXIT_PROBLEMS, CliError
from kapdesk.i18n import N_, _

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL


def cmd_list(args: argparse.Namespace) -> int:
    """A listing that stops part-way (a page that cannot be read, a bug, Ctrl-C) after its
    JSON array began leaves the rows written so far as a closed array when stdout can
    still be written, and fails with one line saying the list is incomplete, how many
    rows were written of the snapshot's, and where the log is. The export's audit entry,
    written before the first row, is not amended: it counts the rows of the snapshot to
    be listed, the most that may have left; the stop is written to the log."""
    from kapdesk.services.listing import export_list

    ctx = open_context(args)
    out = _JsonOutput()
    total = 0
    try:
        with export_list(ctx, args.what, fmt="json" if args.json else "table") as rows:
            total = rows.total
            if args.json:
                _print_json_array(rows, output=out)
            else:
                _print_table(args.what, list(rows))  # column widths need every row
    except BrokenPipeError:  # `| head`: the reader has gone (kapdesk.cli.main)
        raise
    except (Exception, KeyboardInterrupt) as exc:
        if not out.started:
            raise
        raise CliError(*_incomplete(exc, args.what, out, total, ctx.db.location)) from exc
    finally:
        ctx.db.close()
    return EXIT_OK


@dataclass
class _JsonOutput:
    started: bool = False  # "[" written
    rows: int = 0  # rows written
    closed: bool = False  # "]" written: stdout holds one whole JSON array


def _print_json_array(
    rows: Iterator[dict[str, object]], chunk: int = 1000, *, output: _JsonOutput | None = None
) -> None:
    """The bytes of ``print(json.dumps(list(rows)))``, written a chunk of rows at a time.

    If taking or encoding rows fails, the array is closed first (the rows written stay
    valid JSON) and the error raised; ``output`` says what was written."""
    out = output or _JsonOutput()
    # Plain UTF-8 where stdout takes it; \u escapes (still the same JSON) where not.
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    encode = json.JSONEncoder(ensure_ascii=encoding != "utf8").encode
    sys.stdout.write("[")
    out.started = True
    separator = ""
    while True:
        try:
            batch = list(islice(rows, chunk))
            # a list encodes as "[" + ", ".join(its items) + "]": the items without the brackets
            items = encode(batch)[1:-1]
        except BaseException:
            sys.stdout.write("]\n")
            out.closed = True
            raise
        if not batch:
            break
        sys.stdout.write(separator + items)
        out.rows += len(batch)
        separator = ", "
    sys.stdout.write("]\n")
    out.closed = True


def _incomplete(
    exc: BaseException, what: str, out: _JsonOutput, total: int, db: Path | ServerURL
) -> tuple[str, int]:
    """The one error line (and exit code) of a listing that stopped after its JSON began."""
    from kapdesk.composition import storage_failure_in
    from kapdesk.domain.errors import KapdeskError

    code = EXIT_PROBLEMS
    if isinstance(exc, KeyboardInterrupt):
        reason, code = _("interrupted"), 130
    elif isinstance(exc, KapdeskError):
        reason = str(exc)
    elif isinstance(db, Path) and (failure := storage_failure_in(db, exc)) is not None:
        reason = str(failure)
    elif isinstance(exc, OSError):
        reason = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    elif os.environ.get("KAPDESK_DEBUG"):
        raise exc
    else:
        reason = _("unexpected {error}: {message}", error=type(exc).__name__, message=exc)
    state = _("as a closed JSON array") if out.closed else _("and the JSON on stdout is cut off")
    stop = f"kapdesk list {what} --json stopped after {out.rows} of {total} rows"  # the log's
    return (
        _(
            "{reason}; the list is incomplete: {rows} of {total} {what} were written, "
            "{state}; {log}",
            reason=reason.rstrip("."),
            rows=out.rows,
            total=total,
            what=_(_LISTED[what]) if what in _LISTED else what,
            state=state,
            log=_log_stop(stop, exc),
        ),
        code,
    )


_LISTED = {"patients": N_("patients"), "sessions": N_("sessions")}


def _log_stop(message: str, exc: BaseException) -> str:
    """Log ``message`` with ``exc`` (no patient data: kapdesk.logs); say where."""
    try:
        import logging

        from kapdesk.logs import setup_logging

        path = setup_logging()
        logging.getLogger("kapdesk").error(message, exc_info=exc)
    except Exception:  # the log itself cannot be written: the line must still be printed
        return _("set KAPDESK_DEBUG=1 for details")
    return _("details in the log: {path}", path=path)


def _print_table(what: str, rows: list[dict[str, object]]) -> None:
    if not rows:
        print(_("No patients.") if what == "patients" else _("No sessions."))
        return
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # a console that cannot show 'Nguyễn' gets escapes, not a crash
        reconfigure(errors="backslashreplace")
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in columns))
