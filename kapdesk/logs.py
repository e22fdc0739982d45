"""kapdesk's log file: rotating, in the user data folder, with no patient data in it.

``setup_logging()`` attaches a rotating file handler (1 MB x 5 files) writing
``<user data folder>/logs/kapdesk.log`` (``KAPDESK_LOG_DIR`` overrides the folder) to
the root logger, once per process; it returns the file's path.

No patient data: log calls in kapdesk pass ids, never names, MRNs or clinical text.
Exceptions are where such text hides (a ValidationError quoting a name, a SQL error
quoting its parameters), so every traceback written here goes through
:func:`safe_exception_text`: the frames (file, line, function, the code line) and the
exception's *type*; the message only for errors whose text comes from the operating
system or SQLite (never their parameters or file names, which can carry a name).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from logging.handlers import RotatingFileHandler

LOG_ENV: Final = "KAPDESK_LOG_DIR"
LOG_NAME: Final = "kapdesk.log"
MAX_BYTES: Final = 1_000_000
BACKUPS: Final = 5
_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_dir() -> Path:
    configured = os.environ.get(LOG_ENV)
    if configured:
        return Path(configured).expanduser()
    from kapdesk.paths import data_dir

    return data_dir() / "logs"


def log_path() -> Path:
    return log_dir() / LOG_NAME


def _safe_message(exc: BaseException) -> str:
    """The part of an exception's text that cannot hold patient data."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy: the driver's error, without SQL/params
    if isinstance(orig, BaseException) and orig is not exc:
        return f"{type(orig).__name__}: {_safe_message(orig)}"
    if isinstance(exc, sqlite3.Error):
        return str(exc)[:200]  # SQLite's own words: no parameter values
    if isinstance(exc, OSError):
        import errno

        code = errno.errorcode.get(exc.errno or -1, "")
        return " ".join(p for p in (code, exc.strerror or "") if p)  # no file names
    kind = getattr(exc, "kind", None)  # StorageFailed
    return f"kind={kind}" if isinstance(kind, str) else ""


def safe_exception_text(exc: BaseException, tb: TracebackType | None = None) -> str:
    """A traceback without exception messages (see the module docstring), causes included."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    first = True
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(tb if first else current.__traceback__)
        if not first:
            lines.append("caused by / during handling of:")
        lines.append("Traceback (most recent call last):")
        for frame in frames:
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        detail = _safe_message(current)
        name = f"{type(current).__module__}.{type(current).__qualname__}"
        lines.append(f"{name}: {detail}" if detail else name)
        current = current.__cause__ or current.__context__
        first = False
    return "\n".join(lines)


class SafeFormatter(logging.Formatter):
    """Formats records as usual, but tracebacks through :func:`safe_exception_text`."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback (with messages) on the record.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: object) -> str:
        if isinstance(ei, tuple) and len(ei) == 3 and isinstance(ei[1], BaseException):
            return safe_exception_text(ei[1], ei[2])
        return "(exception not shown)"


_handler: RotatingFileHandler | None = None


def setup_logging(path: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Log to ``path`` (default :func:`log_path`), rotating; once per process (a second
    call with another path moves the log there). Returns the file's path."""
    from logging.handlers import RotatingFileHandler  # ~15 ms: not before the first paint

    global _handler
    target = (path or log_path()).absolute()
    if _handler is not None and Path(_handler.baseFilename) == target:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        target,
        maxBytes=MAX_BYTES,
        backupCount=BACKUPS,
        encoding="utf-8",
        errors="backslashreplace",
        delay=False,
    )
    handler.setFormatter(SafeFormatter(_FORMAT))
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)  # its INFO lines quote SQL
    _handler = handler
    return target


def start_logging() -> Path:
    """:func:`setup_logging` in the user data folder, else in the temporary folder (an
    unwritable home must not stop the app); the file's path."""
    import tempfile

    try:
        return setup_logging()
    except OSError:
        return setup_logging(Path(tempfile.gettempdir()) / "kapdesk" / LOG_NAME)


def current_log_path() -> Path | None:
    """The file being logged to, or None before :func:`setup_logging`."""
    return Path(_handler.baseFilename) if _handler is not None else None


def stop_logging() -> None:
    """Detach the file handler (tests; the end of a run)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


def log_unexpected(exc: BaseException, where: str = "", tb: TracebackType | None = None) -> None:
    """Write an unexpected exception (safely) to the log."""
    logging.getLogger("kapdesk").error(
        "unexpected error%s",
        f" in {where}" if where else "",
        exc_info=(type(exc), exc, tb or exc.__traceback__),
    )
