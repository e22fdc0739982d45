"""Backups the app makes by itself (on clean exit and daily), "Back up now" and "Restore...".

Decisions a caller must know:

* Files go to the clinic setting ``backup_folder`` when set (never created by
  kapdesk: a missing one, e.g. a USB drive not connected, is a ValidationError),
  else to the folder ``backups`` beside the database (or, if that cannot
  be written, ``backups`` in the user data folder), named
  ``<db stem>-<UTC YYYYmmddTHHMMSSZ>[-n]-<reason>.bak``; the time in the name
  is the clock's, so listing and "daily due" do not depend on file times.
* Every copy is made with SQLite's online backup API (safe while the app
  runs); a copy of an encrypted database is encrypted with the same key.
* Rolling backups (``exit``, ``daily``) are pruned after each one by age and total
  size (kapdesk.domain.backup_retention; the clinic settings Daily backups kept,
  Weekly backups kept and Backup size cap, read by ``retention_policy``, which also
  reads an old database's ``backups_to_keep``); ``manual`` backups ("Back up now")
  are never deleted by kapdesk. Days are the computer's local calendar days.
* Every copy is written under a temporary name (``.partial``) and renamed when
  complete; a ``.partial`` left by a run that was stopped (the machine shut down
  during the exit backup) is removed before the next backup of this database.
* A daily backup is due when the newest backup of any kind is 24 hours old
  or older (or there is none): the GUI asks :meth:`daily_backup_due` from a
  timer and calls ``rolling_backup("daily")``, and calls
  ``rolling_backup("exit")`` on a clean exit before closing the database.
* :meth:`restore` verifies the backup (integrity, foreign keys, schema,
  audit chain) before touching anything, keeps the replaced database beside
  it as ``<name>.replaced-<UTC>``, upgrades a backup with an older schema
  (after its own upgrade backup), and records ``backup.restore`` in the
  restored database's audit trail. The content under the open ``Database``
  changes: the front end should sign the user out and reload every view.
* ``back_up_now`` and ``restore`` need ``Action.BACKUP_RESTORE``; refusals are
  audited (``@audit_denials``). Rolling backups are the app's own and are not
  audited.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from glob import escape as glob_escape
from pathlib import Path
from typing import Literal

from kapdesk.domain.backup_retention import Candidate, kept_backups
from kapdesk.domain.clock import Clock, ensure_utc, local_time
from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.i18n import _
from kapdesk.paths import data_dir
from kapdesk.services.console import audit_console
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import AuditRecord, audit_change, require_valid_sign_in
from kapdesk.services.screen_dtos import BackupInfo, RestoreInfo
from kapdesk.storage.anchor import RESTORE, anchor_file, write_anchor
from kapdesk.storage.backup import backup_database, restore_database
from kapdesk.storage.db import Database
from kapdesk.storage.filesystems import ensure_local_disk
from kapdesk.storage.migrate import current_revision, head_revision, upgrade_to_head
from kapdesk.storage.settings_store import get_setting, retention_policy

BACKUP_FOLDER = "backups"
DAILY_INTERVAL = timedelta(hours=24)
ROLLING_REASONS = ("exit", "daily")
CONSOLE_REASON = "console"  # `kapdesk backup -o FILE`
RollingReason = Literal["exit", "daily"]
_STAMP = "%Y%m%dT%H%M%SZ"
Progress = Callable[[int, int], object]  # (pages copied, pages in all)


def default_backup_folder(db_path: Path) -> Path:
    """``backups`` beside the database, else in the user data folder if that is not writable."""
    beside = db_path.parent / BACKUP_FOLDER
    try:
        beside.mkdir(parents=True, exist_ok=True)
        if os.access(beside, os.W_OK):
            return beside
    except OSError:
        pass
    return data_dir() / BACKUP_FOLDER


@audit_denials
class BackupService:
    def __init__(self, ctx: ServiceContext, folder: Path | None = None) -> None:
        self.ctx = ctx
        self._folder = folder
        self._configured = False  # the folder is the clinic setting (it must exist already)

    @property
    def folder(self) -> Path:
        """The given folder, else the clinic setting ``backup_folder``, else the default."""
        if self._folder is None:
            with self.ctx.db.read() as s:
                chosen = str(get_setting(s, "backup_folder"))
            self._folder = Path(chosen) if chosen else default_backup_folder(self.ctx.db.path)
            self._configured = bool(chosen)
        return self._folder

    # ------------------------------------------------------------------ naming

    def _pattern(self) -> re.Pattern[str]:
        stem = re.escape(self.ctx.db.path.stem)
        return re.compile(rf"^{stem}-(\d{{8}}T\d{{6}}Z)(?:-(\d+))?-(exit|daily|manual)\.bak$")

    def _new_path(self, reason: str, now: datetime) -> Path:
        stamp = ensure_utc(now).strftime(_STAMP)
        base = f"{self.ctx.db.path.stem}-{stamp}"
        n = 1
        candidate = self.folder / f"{base}-{reason}.bak"
        while candidate.exists():
            n += 1
            candidate = self.folder / f"{base}-{n}-{reason}.bak"
        return candidate

    def _info(self, path: Path) -> BackupInfo | None:
        match = self._pattern().match(path.name)
        if match is None or not path.is_file():
            return None
        taken = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
        return BackupInfo(path, taken, match[3], path.stat().st_size)

    # ------------------------------------------------------------------ use cases

    def list_backups(self) -> list[BackupInfo]:
        """This database's backups in the folder, newest first."""
        if not self.folder.is_dir():
            return []
        found = [info for p in self.folder.iterdir() if (info := self._info(p)) is not None]
        return sorted(found, key=_order, reverse=True)

    def daily_backup_due(self) -> bool:
        backups = self.list_backups()
        return not backups or self.ctx.now() - backups[0].taken_at >= DAILY_INTERVAL

    def back_up_now(self, actor: Actor) -> BackupInfo:
        """A manual backup into the backups folder (kept until someone deletes it)."""
        actor.require(Action.BACKUP_RESTORE)
        require_valid_sign_in(self.ctx, actor, "backup.create")  # before the file is made
        info = self._write("manual")
        with self.ctx.db.write() as s:
            after = {"file": str(info.path), "reason": "manual", "bytes": info.size_bytes}
            audit_change(s, self.ctx, actor, AuditRecord("backup.create", "database", after=after))
        return info

    def rolling_backup(self, reason: RollingReason, progress: Progress | None = None) -> BackupInfo:
        """An automatic backup (``"exit"`` or ``"daily"``), then prune by age and size.

        ``progress(copied_pages, total_pages)`` is called as the copy proceeds (it is
        then made in steps); an exception it raises abandons the copy, nothing pruned.
        """
        if reason not in ROLLING_REASONS:
            raise ValidationError(
                "Backup reason",
                reason,
                _("Backup reason {reason} must be exit or daily.", reason=repr(reason)),
            )
        info = self._write(reason, progress)
        self._prune(info.path)
        return info

    def restore(self, actor: Actor, backup_path: Path) -> RestoreInfo:
        """Replace the open database's content with the verified backup ``backup_path``."""
        actor.require(Action.BACKUP_RESTORE)
        require_valid_sign_in(self.ctx, actor, "backup.restore")  # before anything is replaced
        db = self.ctx.db
        source = Path(backup_path).expanduser().absolute()
        db.engine.dispose()  # no pooled connection may hold a snapshot of the old content
        result = restore_database(source, db.path, clock=self.ctx.clock, key=db.key)
        db.engine.dispose()
        return self._finish_restore(source, result.replaced_kept_at, actor)

    def back_up_to_file(self, dest: Path) -> Path:
        """`kapdesk backup -o FILE`: a copy at ``dest`` (never overwritten), anchored like
        every backup and beside the copy too, audited with the console user as the actor."""
        dest = Path(dest).expanduser().absolute()
        backup_database(self.ctx.db.path, dest, key=self.ctx.db.key)
        write_anchor(
            dest,
            self._anchor_files(also_in=dest.parent),
            reason=CONSOLE_REASON,
            now=self.ctx.now(),
            key=self.ctx.db.key,
        )
        after = {"file": str(dest), "reason": CONSOLE_REASON, "bytes": dest.stat().st_size}
        audit_console(self.ctx, "backup.create_console", after=after)
        return dest

    def _finish_restore(self, source: Path, kept: Path | None, actor: Actor | None) -> RestoreInfo:
        """After the file was replaced: upgrade an older schema (after its own upgrade
        backup), audit the restore in the restored database, anchor its chain afresh."""
        db = self.ctx.db
        restored_revision = current_revision(db.engine)
        upgraded_from = None
        if restored_revision != head_revision():
            upgrade_to_head(db.engine, db.path, clock=self.ctx.clock, key=db.key)
            upgraded_from = restored_revision or "(none)"
        after = {
            "restored_from": str(source),
            "replaced_kept_at": str(kept) if kept else None,
            "upgraded_from": upgraded_from,
        }
        if actor is None:
            audit_console(self.ctx, "backup.restore_console", after=after)
        else:
            with db.write() as s:
                record = AuditRecord("backup.restore", "database", after=after)
                # Checked before; the restored file may predate the user.
                audit_change(s, self.ctx, actor, record, recheck_actor=False)
        # Anchors before this one describe the replaced content (see storage.anchor).
        write_anchor(db.path, self._anchor_files(), reason=RESTORE, now=self.ctx.now(), key=db.key)
        return RestoreInfo(db.path, source, kept, upgraded_from)

    # ------------------------------------------------------------------ helpers

    def _anchor_files(self, also_in: Path | None = None) -> list[Path]:
        """The anchor file in this service's folder (unless it is a chosen folder that is
        not connected), the one ``kapdesk check`` reads beside the database when the
        folder is elsewhere, and the one in ``also_in`` (beside a console backup)."""
        db_path = self.ctx.db.path
        folders = [] if self._configured_folder_missing() else [self.folder]
        beside = db_path.absolute().parent / BACKUP_FOLDER
        if beside.is_dir() or not folders:
            folders.append(beside)
        if also_in is not None:
            folders.append(also_in)
        files: list[Path] = []
        for folder in folders:
            file = anchor_file(folder, db_path)
            if all(file.absolute() != f.absolute() for f in files):
                files.append(file)
        return files

    def _write(self, reason: str, progress: Progress | None = None) -> BackupInfo:
        if self._configured_folder_missing():
            raise ValidationError(
                "Backup folder",
                str(self.folder),
                _(
                    "The backup folder {folder} (a clinic setting) does not exist: connect the "
                    "drive, or choose another folder in Admin > Clinic settings.",
                    folder=self.folder,
                ),
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_stale_partials()
        dest = self._new_path(reason, self.ctx.now())
        steps = None
        if progress is not None:
            report = progress

            def steps(_status: int, remaining: int, total: int) -> None:
                report(total - remaining, total)

        backup_database(self.ctx.db.path, dest, key=self.ctx.db.key, progress=steps)
        # The chain head of the copy, outside the database file (see storage.anchor).
        write_anchor(
            dest, self._anchor_files(), reason=reason, now=self.ctx.now(), key=self.ctx.db.key
        )
        info = self._info(dest)
        assert info is not None, dest
        return info

    def _configured_folder_missing(self) -> bool:
        """A chosen folder (a USB drive) is never created: absent means not connected."""
        folder = self.folder
        return self._configured and not folder.is_dir()

    def _remove_stale_partials(self) -> None:
        """A copy that never finished (its run was stopped) holds nothing of value."""
        stem = self.ctx.db.path.stem
        for stale in self.folder.glob(f"{glob_escape(stem)}-*.bak.partial"):
            stale.unlink(missing_ok=True)

    def _prune(self, just_made: Path) -> list[Path]:
        """Delete the rolling backups the retention rule does not keep (never ``just_made``)."""
        with self.ctx.db.read() as s:
            policy = retention_policy(s)
        backups = self.list_backups()
        candidates = [
            Candidate(b.path, b.taken_at, b.size_bytes, manual=b.reason not in ROLLING_REASONS)
            for b in backups
        ]
        keep = kept_backups(candidates, self.ctx.now(), policy, _local_day, just_made=just_made)
        doomed = [b.path for b in backups if b.path not in keep]
        for path in doomed:
            path.unlink(missing_ok=True)
        return doomed


def restore_from_console(
    backup_path: Path, target: Path, *, key: str | None, clock: Clock
) -> RestoreInfo:
    """`kapdesk restore`: replace the database file ``target`` with the verified backup,
    then exactly what :meth:`BackupService.restore` does after the swap (upgrade an
    older schema, audit, anchor), with the console user as the actor.

    ``target`` is not opened first: it may be missing, or damaged (the reason to
    restore); the restored file is opened once it is in place.
    """
    source = Path(backup_path).expanduser().absolute()
    ensure_local_disk(target)  # SQLite locking is not safe on a network share
    result = restore_database(source, target, clock=clock, key=key)
    with Database.open(target, create=False, migrate=False, clock=clock, key=key) as db:
        service = BackupService(ServiceContext(db=db, clock=clock))
        return service._finish_restore(source, result.replaced_kept_at, actor=None)


def _local_day(moment: datetime) -> date:
    return local_time(moment).date()


def _order(info: BackupInfo) -> tuple[datetime, int]:
    match = re.search(r"Z-(\d+)-[a-z]+\.bak$", info.path.name)
    return info.taken_at, int(match[1]) if match else 1
