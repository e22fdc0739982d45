"""Errors the storage layer raises on purpose; each message is one sentence fit for a screen.

All subclass :class:`kapdesk.domain.errors.KapdeskError`, so a front end that
shows ``str(error)`` for every ``KapdeskError`` needs nothing storage-specific.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import N_, _

if TYPE_CHECKING:
    from kapdesk.storage.server_url import ServerURL


class StorageError(KapdeskError):
    """Base of the storage errors below."""


class DatabaseMissing(StorageError):
    def __init__(self, path: Path | ServerURL) -> None:
        self.path = path
        super().__init__(_("There is no kapdesk database at {path}.", path=path))


class NotAKapdeskDatabase(StorageError):
    """The file is not SQLite, is damaged, or is some other program's SQLite database."""

    def __init__(self, path: Path | ServerURL, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            _("{path} is not a kapdesk database ({reason}).", path=path, reason=reason)
        )


class SchemaTooNew(StorageError):
    """Written by a newer kapdesk (or an unknown schema revision); the file was not touched."""

    def __init__(self, path: Path | ServerURL, revision: str, head: str) -> None:
        self.path = path
        self.revision = revision
        self.head = head
        super().__init__(
            _(
                "{path} was written by a newer version of kapdesk (schema {revision}; this "
                "version knows up to {head}); it was left untouched, so please upgrade kapdesk.",
                path=path,
                revision=revision,
                head=head,
            )
        )


class DatabaseBusy(StorageError):
    """Another program held the write lock for longer than the busy timeout."""

    def __init__(self, path: Path | ServerURL) -> None:
        self.path = path
        super().__init__(
            _(
                "The database {path} is busy in another kapdesk window or program; "
                "nothing was saved, please try again.",
                path=path,
            )
        )


class NotForServer(StorageError):
    """A feature that works on a kapdesk file only, asked of a database on a server."""

    def __init__(self, server: ServerURL, what: str, instead: str = "") -> None:
        self.server = server
        self.what = what
        said = _(
            "{what} works on a kapdesk file, not on the clinic server {server}.",
            what=what,
            server=server,
        )
        super().__init__(f"{said} {instead}" if instead else said)


class ServerUnreachable(StorageError):
    """The clinic's PostgreSQL server could not be reached, or the connection was lost.

    ``unknown_outcome``: the connection broke while the COMMIT was under way, so the
    change may or may not be saved (the server commits all of it or none of it).
    """

    def __init__(
        self,
        server: ServerURL,
        detail: str,
        *,
        reading: bool = False,
        unknown_outcome: bool = False,
    ) -> None:
        self.server = server
        self.detail = detail
        self.reading = reading
        self.unknown_outcome = unknown_outcome
        if unknown_outcome:
            what = _(
                "the connection was lost while saving, so kapdesk cannot tell whether it was "
                "saved (it is all saved or not at all): look before entering it again"
            )
        elif reading:
            what = _("nothing could be read")
        else:
            what = _("nothing was saved")
        self.what = _(
            "The clinic server {server} cannot be reached ({detail}); {what}.",
            server=server,
            detail=detail,
            what=what,
        )
        # The app's next read or save opens a new connection (pre-ping) and its change feed
        # reconnects on its own; a one-shot command does not: see in_a_command().
        super().__init__(
            _(
                "{what} kapdesk reconnects by itself once the server answers again.",
                what=self.what,
            )
        )

    def in_a_command(self) -> str:
        """The wording for a one-shot command line run, which does not retry."""
        return _("{what} Run the command again once the server answers.", what=self.what)

    def at_start_up(self) -> str:
        """The wording for the app's start, which stops instead of reconnecting."""
        return _("{what} Start kapdesk again once the server answers.", what=self.what)


class ServerLoginRefused(StorageError):
    """The server refused the user name or password (or the client certificate)."""

    def __init__(self, server: ServerURL, detail: str) -> None:
        self.server = server
        self.detail = detail
        super().__init__(
            _(
                "The clinic server {server} refused the sign-in ({detail}); check the user "
                "name, password and TLS settings of the server connection.",
                server=server,
                detail=detail,
            )
        )


class BackupError(StorageError):
    """A backup or restore that was refused or failed; the message says why."""


class MigrationFailed(StorageError):
    """An upgrade that failed and was rolled back; the database is as it was before."""

    def __init__(
        self, path: Path | ServerURL, target: str, reason: str, backup: Path | None
    ) -> None:
        self.path = path
        self.target = target
        self.reason = reason
        self.backup = backup
        if backup:
            said = _(
                "Upgrading {path} to schema {target} failed and was undone ({reason}); a copy "
                "taken before the attempt is at {backup}.",
                path=path,
                target=target,
                reason=reason,
                backup=backup,
            )
        else:
            said = _(
                "Upgrading {path} to schema {target} failed and was undone ({reason}).",
                path=path,
                target=target,
                reason=reason,
            )
        super().__init__(said)


class StorageFailed(StorageError):
    """The disk refused: full, an I/O error, or the file is read-only. Nothing was saved.

    ``kind`` is ``"full"``, ``"io"``, ``"read_only"`` or ``"damaged"``. Raised by
    :class:`~kapdesk.storage.db.Database` in place of the driver's error (see
    :func:`storage_failure`), so front ends show it like any KapdeskError.
    """

    MESSAGES: ClassVar[dict[str, str]] = {
        "full": N_(
            "The disk holding {path} is full, so nothing was saved. Free some space "
            "(or ask whoever looks after this computer), then try again."
        ),
        "io": N_(
            "The database {path} could not be read or written (a disk I/O error), so "
            "nothing was saved. Check the disk or drive it is on, try again, and run "
            "'kapdesk check' once it works."
        ),
        "read_only": N_(
            "The database {path} is read-only (file or folder permissions, or a "
            "read-only disk), so nothing was saved. Ask whoever looks after this computer to "
            "make it writable."
        ),
        "damaged": N_(
            "The database {path} looks damaged (SQLite: {detail}); nothing was saved. "
            "Run 'kapdesk check' and restore the newest good backup if it reports problems."
        ),
    }

    READ_MESSAGES: ClassVar[dict[str, str]] = {
        "io": N_(
            "The database {path} could not be read (a disk I/O error). Check the disk or "
            "drive it is on, try again, and run 'kapdesk check' once it works."
        ),
        "damaged": N_(
            "The database {path} looks damaged (SQLite: {detail}). Run 'kapdesk check' "
            "and restore the newest good backup if it reports problems."
        ),
    }

    def __init__(
        self, path: Path | ServerURL, kind: str, detail: str = "", *, reading: bool = False
    ) -> None:
        self.path = path
        self.kind = kind
        self.detail = detail
        self.reading = reading  # a read failed: nothing was being saved
        text = (self.READ_MESSAGES if reading else {}).get(kind) or self.MESSAGES[kind]
        super().__init__(_(text, path=path, detail=detail))


# SQLite primary result codes (the low byte of an extended code).
_SQLITE_KINDS = {13: "full", 10: "io", 8: "read_only", 11: "damaged", 26: "damaged"}
_TEXT_KINDS = (
    ("disk is full", "full"),
    ("disk i/o error", "io"),
    ("readonly database", "read_only"),
    ("read-only", "read_only"),
    ("disk image is malformed", "damaged"),
    ("file is not a database", "damaged"),
)


def storage_failure(
    path: Path, exc: BaseException, *, reading: bool = False
) -> StorageFailed | None:
    """The StorageFailed that ``exc`` (a sqlite3 or SQLAlchemy error) stands for, or None."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    code = getattr(orig, "sqlite_errorcode", None)
    kind = _SQLITE_KINDS.get(code & 0xFF) if isinstance(code, int) else None
    if kind is None:
        kind = next((k for needle, k in _TEXT_KINDS if needle in text), None)
    if kind is None:
        return None
    return StorageFailed(path, kind, str(orig)[:200], reading=reading)


def storage_failure_in(path: Path, exc: BaseException) -> StorageFailed | None:
    """:func:`storage_failure` for the first SQLite error in ``exc`` or its causes (a raw
    driver error that escaped a transaction, e.g. while opening or migrating a file)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, StorageFailed):
            return cause
        if type(cause).__module__.split(".")[0] in ("sqlite3", "sqlalchemy", "sqlcipher3"):
            found = storage_failure(path, cause)
            if found is not None:
                return found
        cause = cause.__cause__ or cause.__context__
    return None
