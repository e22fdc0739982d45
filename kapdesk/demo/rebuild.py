"""A demo clinic's file: is it a demo, which day was it built around, and building or
rebuilding one in place (``kapdesk demo --db PATH --reset``, the app's ``--demo``).

Decisions a caller must know:

* A demo clinic is a kapdesk database whose audit log holds the demo generator's staff
  accounts (action ``user.add_demo``, written only by ``UserService._add_demo_user``,
  which only the demo builders call). Audit entries are never changed or deleted, so a
  real clinic cannot pass for a demo whatever its clinic name, and a renamed demo is
  still one. No schema change and no extra setting is needed.
* Its day is the local date of the builder's latest entry: the latest audit entry (by
  time: the bulk writer stores them in batches, not in time order) made by a user before
  anyone first signed in (``auth.*``). Both builders name the clinic at the build's end,
  so that entry falls on the day the demo was built for even when its "now" is just past
  midnight (its sessions reach back into the day before). Using the demo later (signing
  in, recording, ``kapdesk report``) never moves it.
* Someone may start using a demo file for real. A demo is then never rebuilt
  (:class:`DemoInRealUse`, the message says what was added and what to do instead). The
  rule, from the audit log: an account the builder did not make (``user.add``,
  ``user.add_console``, ``user.create_first_admin``: the builder only writes
  ``user.add_demo``), or a patient added after the first sign-in or by such an account
  (``patient.create``; the builder adds its patients before anyone signs in, and the app
  adds patients only once signed in). Trying the demo on its own patients and accounts
  (recording a session, editing a note) is what a demo is for and does not stop a
  rebuild; the kept copy below still holds it.
* Reading either never writes to the file: a read-only connection (``immutable`` when no
  ``-wal`` file exists, as :func:`~kapdesk.storage.sqlite_file.inspect_file` does).
* A rebuild checks first that the file is a demo and that no other program has it open
  (SQLite's shared-memory lock, on Linux; callers add their own check, such as the app's
  single-instance socket), builds into ``<name>.building<suffix>`` beside it, checks
  again, keeps the old file as ``<name>.before-reset<suffix>`` beside it (replacing an
  older copy of that name; its WAL copied with it), then replaces it in one rename. Until
  that rename the old demo is untouched: a failed or interrupted build leaves it as it was
  and removes the half-built file.
* Only this module's light imports are loaded to read a demo's day; the writers are
  imported by the ``build`` callables the callers pass in.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from kapdesk.domain.errors import KapdeskError
from kapdesk.storage.encryption import database_errors
from kapdesk.storage.errors import NotAKapdeskDatabase
from kapdesk.storage.sqlite_file import FileKind, connect_readonly, inspect_file, sidecars

DEMO_MARK: Final = "user.add_demo"  # the audit action of the demo generator's accounts
REAL_ACCOUNT_ACTIONS: Final = ("user.add", "user.add_console", "user.create_first_admin")
SHM_DMS_BYTE: Final = 128  # SQLite's "dead man switch": every open connection read-locks it

T = TypeVar("T")
InUseCheck = Callable[[Path], str | None]  # why the file cannot be replaced now, or None


class NotADemoClinic(KapdeskError):
    """The file is not a demo clinic: it is never rebuilt."""

    def __init__(self, path: Path, why: str) -> None:
        self.path = path
        super().__init__(
            f"{path} is not a demo clinic ({why}); only a demo clinic is ever rebuilt, "
            "so nothing was changed."
        )


class DemoInUse(KapdeskError):
    """Another program has the demo open: replacing it now would pull it from under it."""


class DemoInRealUse(KapdeskError):
    """Accounts or patients were added to the demo since it was built: it is not rebuilt."""


@dataclass(frozen=True)
class DemoFile:
    path: Path
    day: date  # the local day it was built around
    accounts_added: int = 0  # since the build (see the module's rule)
    patients_added: int = 0

    def added_since_built(self) -> str | None:
        """``"1 account and 2 patients"`` added since the build, or None."""
        counts = ((self.accounts_added, "account"), (self.patients_added, "patient"))
        parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n]
        return " and ".join(parts) or None

    def real_use_refusal(self) -> str | None:
        """Why this demo is not rebuilt (someone added accounts or patients), or None."""
        added = self.added_since_built()
        if added is None:
            return None
        return (
            f"{self.path} has {added} added since it was built ({self.day.isoformat()}): it "
            "is not reset, and nothing was changed. Copy what you need, or rebuild into a new "
            "file with kapdesk demo --db NEWPATH"
        )


def kept_path(path: Path) -> Path:
    """Where a rebuild keeps the demo it replaces."""
    return path.with_name(f"{path.stem}.before-reset{path.suffix}")


def building_path(path: Path) -> Path:
    """The file a demo is built into before it takes ``path``'s place."""
    return path.with_name(f"{path.stem}.building{path.suffix}")


def read_demo(path: Path, key: str | None = None) -> DemoFile:
    """The demo clinic at ``path``; NotADemoClinic (or a passphrase error) if it is not one."""
    path = Path(path)
    try:
        kind = inspect_file(path, key=key).kind
    except NotAKapdeskDatabase as exc:
        if exc.__class__ is not NotAKapdeskDatabase:  # PassphraseNeeded: say that instead
            raise
        raise NotADemoClinic(path, exc.reason) from None
    if kind is not FileKind.KAPDESK:
        raise NotADemoClinic(
            path, "there is no file" if kind is FileKind.MISSING else "it is empty"
        )
    wal_present = sidecars(path)[0].exists()
    try:
        conn = connect_readonly(path, immutable=not wal_present, key=key)
        try:
            if not _has_demo_mark(conn):  # refused before anything reads the whole log
                raise NotADemoClinic(
                    path, "it has no demo accounts: it is a real clinic's database"
                )
            built = _last_builder_entry(conn)
            accounts, patients = _added_since_built(conn)
        finally:
            conn.close()
    except database_errors() as exc:
        raise NotADemoClinic(path, f"SQLite cannot read it: {exc}") from None
    if built is None:
        raise NotADemoClinic(path, "its audit log is empty")
    stamp = datetime.fromisoformat(built)
    day = stamp.replace(tzinfo=stamp.tzinfo or UTC).astimezone().date()
    return DemoFile(path, day, accounts, patients)


def _has_demo_mark(conn: Any) -> bool:
    """Whether an account's creation entry (the first of the user entity for its id) is the
    demo mark: read by the (entity, entity_id) index, not by scanning the whole log."""
    row = conn.execute(
        "SELECT 1 FROM users WHERE (SELECT action FROM audit_log WHERE entity = 'user'"
        " AND entity_id = CAST(users.id AS TEXT) ORDER BY audit_log.id LIMIT 1) = ? LIMIT 1",
        (DEMO_MARK,),
    ).fetchone()
    return row is not None


def _added_since_built(conn: Any) -> tuple[int, int]:
    """Accounts and patients added after the build (the rule in the module's docstring)."""
    marks = ", ".join("?" * len(REAL_ACCOUNT_ACTIONS))
    (accounts,) = conn.execute(
        f"SELECT count(*) FROM audit_log WHERE action IN ({marks})", REAL_ACCOUNT_ACTIONS
    ).fetchone()
    (patients,) = conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'patient.create' AND ("
        " id > (SELECT coalesce(min(id), ?) FROM audit_log WHERE action LIKE 'auth.%')"
        " OR user_id IS NULL OR user_id NOT IN ("
        "  SELECT CAST(entity_id AS INTEGER) FROM audit_log"
        "  WHERE entity = 'user' AND action = ?))",
        (2**63 - 1, DEMO_MARK),
    ).fetchone()
    return int(accounts), int(patients)


def _last_builder_entry(conn: Any) -> str | None:
    """The time of the latest audit entry by a user before the first sign-in (``auth.*``)."""
    first_use = conn.execute(
        "SELECT id FROM audit_log WHERE action LIKE 'auth.%' ORDER BY id LIMIT 1"
    ).fetchone()
    before = first_use[0] if first_use is not None else 2**63 - 1
    row = conn.execute(
        "SELECT at FROM audit_log WHERE id < ? AND user_id IS NOT NULL ORDER BY at DESC LIMIT 1",
        (before,),
    ).fetchone()
    return None if row is None else str(row[0])


def open_in_another_program(path: Path) -> bool:
    """True when another process has the SQLite file open (Linux: the lock every open
    connection holds on its ``-shm`` file). Elsewhere False: callers' own checks remain."""
    shm = sidecars(Path(path))[1]
    if not sys.platform.startswith("linux") or not shm.exists():
        return False
    import fcntl

    try:
        fd = os.open(shm, os.O_RDONLY)
    except OSError:
        return False
    try:
        # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid
        asked = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, SHM_DMS_BYTE, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, asked)
    except OSError:
        return False
    finally:
        os.close(fd)
    return bool(struct.unpack("hhqqi", answer)[0] != fcntl.F_UNLCK)


def _refuse_if_in_use(path: Path, in_use: InUseCheck | None) -> None:
    reason = in_use(path) if in_use is not None else None
    if reason is None and open_in_another_program(path):
        reason = (
            f"{path} is open in another program (kapdesk or an SQLite tool); close it first, "
            "then rebuild again. Nothing was changed."
        )
    if reason is not None:
        raise DemoInUse(reason)


def _build_beside(path: Path, build: Callable[[Path], T]) -> tuple[Path, T]:
    partial = building_path(path)
    for leftover in (partial, *sidecars(partial), Path(f"{partial}-journal")):
        leftover.unlink(missing_ok=True)  # from a build that was killed
    try:
        result = build(partial)
    except BaseException:
        for leftover in (partial, *sidecars(partial)):
            leftover.unlink(missing_ok=True)
        raise
    return partial, result


def create_demo_file(path: Path, build: Callable[[Path], T]) -> T:
    """Build a new demo clinic for ``path`` (no file there yet) beside it, then rename it:
    a build killed mid-way never leaves a half-built demo clinic at ``path``."""
    path = Path(path)
    partial, result = _build_beside(path, build)
    partial.replace(path)
    return result


def _keep_previous(path: Path) -> Path:
    """A copy of the demo about to be replaced (and of its WAL), replacing an older one."""
    kept = kept_path(path)
    for older in (kept, *sidecars(kept)):
        older.unlink(missing_ok=True)
    wal, kept_wal = sidecars(path)[0], sidecars(kept)[0]
    if wal.exists():  # entries not yet written into the main file
        shutil.copyfile(wal, kept_wal)
    try:
        os.link(path, kept)  # the rename below gives ``path`` the new file
    except OSError:  # a file system without hard links
        shutil.copy2(path, kept)
    return kept


def rebuild_demo_file(
    path: Path,
    build: Callable[[Path], T],
    *,
    key: str | None = None,
    in_use: InUseCheck | None = None,
) -> tuple[DemoFile, T]:
    """Replace the demo clinic at ``path`` with the one ``build(new_file)`` writes.

    Returns the demo that was replaced (kept as :func:`kept_path`) and ``build``'s result.
    NotADemoClinic for any other file, DemoInRealUse when accounts or patients were added
    to it, DemoInUse while it is open elsewhere: all before anything is written.
    """
    path = Path(path)
    old = read_demo(path, key)
    refusal = old.real_use_refusal()
    if refusal is not None:
        raise DemoInRealUse(refusal)
    _refuse_if_in_use(path, in_use)
    partial, result = _build_beside(path, build)
    try:
        _refuse_if_in_use(path, in_use)  # opened while the new one was being built
    except DemoInUse:
        for leftover in (partial, *sidecars(partial)):
            leftover.unlink(missing_ok=True)
        raise
    _keep_previous(path)
    for stale in sidecars(path):  # the old file's WAL must never be replayed into the new one
        stale.unlink(missing_ok=True)
    os.replace(partial, path)
    return old, result
