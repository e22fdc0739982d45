"""The command line: the desktop app by default, plus demo/check/list/user/backup/restore/
encrypt/report/import/export (kapdesk.cli.commands; arguments in kapdesk.cli.parser).

Every error a user can cause is one clear line on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from argparse import Namespace
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import NoReturn

from kapdesk.cli.commands import HANDLERS
from kapdesk.cli.options import remembered_hint
from kapdesk.cli.parser import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, build_parser
from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import _

__all__ = ["main", "run"]

CONSOLE_GC = (50_000, 20, 100)  # gc thresholds of a console command (default 700, 10, 10)
NO_COLLECTION_GC = (2_000_000, 20, 100)  # ... of `report` and `check` (see run())
UNCOLLECTED = ("report", "check")


def run() -> NoReturn:
    """The process entry point (``python -m kapdesk``, the ``kapdesk`` command): main(),
    then the exit.

    A console command leaves without the interpreter's teardown: freeing every object
    of SQLAlchemy, reportlab and the ORM one by one took ~0.15-0.3 s after the work
    was done (a third of ``kapdesk report``). The exit handlers still run (logging
    flushes its files) and stdout is flushed first. Not when Qt is loaded (the
    desktop app: Qt's own clean-up matters) nor while another thread runs.

    A console command also collects garbage less often (``CONSOLE_GC``): a report leaves
    ~115,000 objects the collector tracks, nearly all of them living until the exit (the
    imports), and at the default threshold (700) it ran ~300 times over them for ~1,400
    pieces of garbage (~0.1 s of CPU of a ``kapdesk report``). Even so, the three
    collections left in a report of the largest course cost ~50 ms (each walks the
    ~30,000 objects the imports made since the last one) and freed ~400 objects: a
    report, whose memory is one document's, does not collect at all
    (``NO_COLLECTION_GC``); nor does a check, whose main thread shares two processors
    with integrity_check and the replay's workers (importing SQLAlchemy brought one
    collection, ~17 ms, freeing ~480 objects; what it keeps is one file's findings)."""
    if sys.argv[1:2] and sys.argv[1] in HANDLERS:  # a console command, not the desktop app
        uncollected = sys.argv[1] in UNCOLLECTED
        gc.set_threshold(*(NO_COLLECTION_GC if uncollected else CONSOLE_GC))
    code = main()
    if "PySide6.QtCore" in sys.modules or threading.active_count() > 1:
        raise SystemExit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the interpreter report it as usual
        raise SystemExit(code) from None
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    _speak_early(given)  # before the parser: its help speaks the language too
    parser = build_parser()
    args: Namespace | None = None
    try:
        try:
            args = parser.parse_args(given)
        except SystemExit as exc:  # --help / --version: argparse has printed and wants out
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        _speak(args)
        return HANDLERS[args.command](args)
    except CliError as exc:
        _fail(str(exc))
        return exc.code
    except KapdeskError as exc:
        # A one-shot command does not reconnect: ServerUnreachable words it for a command.
        in_a_command = getattr(exc, "in_a_command", None)
        message = in_a_command() if callable(in_a_command) else str(exc)
        _fail(message + remembered_hint(args, exc))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        _fail(_("interrupted"))
        return 130
    except BrokenPipeError:  # `kapdesk list ... | head`: the reader has gone, nothing to say
        _silence_stdout()
        return EXIT_PROBLEMS
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}")
        return EXIT_PROBLEMS
    except Exception as exc:  # a bug or an unforeseen environment problem: still one line
        if os.environ.get("KAPDESK_DEBUG"):
            raise
        failure = _storage_failure(argv, exc)
        if failure is not None:  # a full disk, an I/O error, a read-only file
            _fail(str(failure))
            return EXIT_PROBLEMS
        _fail(
            _(
                "unexpected {error}: {message} ({where})",
                error=type(exc).__name__,
                message=exc,
                where=_logged(exc),
            )
        )
        return EXIT_PROBLEMS


def _speak_early(argv: Sequence[str]) -> None:
    """The language of ``--lang`` (as the parser will read it), else KAPDESK_LANG, else the
    computer's, set before the parser is built so that ``--help`` speaks it; a language
    kapdesk lacks is left for :func:`_speak` to refuse, after the arguments are read."""
    from kapdesk.i18n import UnknownLanguage, choose, set_language

    flag = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            flag = argv[i + 1]
        elif arg.startswith("--lang="):
            flag = arg.partition("=")[2]
    with suppress(UnknownLanguage):
        set_language(choose(flag=flag))


def _speak(args: Namespace) -> None:
    """The language of this run (kapdesk.i18n.choose): --lang, else KAPDESK_LANG, else the
    computer's; the desktop app chooses again at each sign-in (the user's setting)."""
    from kapdesk.i18n import UnknownLanguage, choose, pin, set_language

    flag = getattr(args, "lang", None)
    try:
        set_language(choose(flag=flag))
        pin(flag)
    except UnknownLanguage as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _storage_failure(argv: Sequence[str] | None, exc: BaseException) -> KapdeskError | None:
    """The plain StorageFailed for a raw SQLite error that escaped a transaction, or None."""
    from kapdesk.composition import storage_failure_in
    from kapdesk.paths import resolve_db

    args = list(sys.argv[1:] if argv is None else argv)
    where = args[args.index("--db") + 1] if "--db" in args[:-1] else None
    path = resolve_db(where, demo="--demo" in args, create_folder=False)
    if not isinstance(path, Path):  # a clinic server: its errors are named by storage
        return None
    return storage_failure_in(path, exc)


def _logged(exc: BaseException) -> str:
    """Write ``exc`` to the log (no patient data: kapdesk.logs); say where, or how to see it."""
    try:
        from kapdesk.logs import log_unexpected, setup_logging

        path = setup_logging()
        log_unexpected(exc, "the command line")
    except Exception:  # the log itself cannot be written: the line must still be printed
        return _("set KAPDESK_DEBUG=1 for details")
    return _("details in the log: {path}; or set KAPDESK_DEBUG=1", path=path)


def _silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's final flush does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _fail(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    line = " ".join(message.split())
    print(f"kapdesk: {line}", file=sys.stderr)
