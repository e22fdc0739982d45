"""BackupService: rolling backups (kept by age and size), daily due, Back up now, Restore."""

from __future__ import annotations

import hashlib
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kapdesk.domain.backup_retention import GB, RetentionPolicy
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.services import backups as backups_module
from kapdesk.services.backups import BackupService, default_backup_folder
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.storage.audit import verify_chain
from kapdesk.storage.backup import verify_database
from kapdesk.storage.errors import BackupError
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.orm import AuditEntry, Patient
from kapdesk.storage.settings_store import old_keep_setting, retention_policy, set_setting

from .conftest import insert_patient_and_course, table_counts

FIXTURES = Path(__file__).parents[1] / "storage" / "fixtures"


def _keep(ctx: ServiceContext, n: int) -> None:
    with ctx.db.write() as s:
        set_setting(s, "backups_to_keep", n)


def _set(ctx: ServiceContext, **values: int) -> None:
    with ctx.db.write() as s:
        for key, value in values.items():
            set_setting(s, key, value)


def retention_of(ctx: ServiceContext) -> RetentionPolicy:
    with ctx.db.read() as s:
        return retention_policy(s)


def _mrns(ctx: ServiceContext) -> list[str]:
    with ctx.db.read() as s:
        return sorted(s.scalars(select(Patient.mrn)))


def _audit(ctx: ServiceContext, action: str) -> list[AuditEntry]:
    with ctx.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backups_go_beside_the_database_named_by_utc_time(ctx: ServiceContext) -> None:
    service = BackupService(ctx)
    info = service.rolling_backup("exit")
    assert service.folder == ctx.db.path.parent / "backups"
    assert info.path == service.folder / "clinic-20260302T090000Z-exit.bak"
    assert info.reason == "exit"
    assert info.taken_at == ctx.now()
    assert info.size_bytes == info.path.stat().st_size > 0
    assert verify_database(info.path).ok
    again = service.rolling_backup("exit")  # same second: never overwrites
    assert again.path.name == "clinic-20260302T090000Z-2-exit.bak"
    # Only the newest of a day is kept (kapdesk.domain.backup_retention).
    assert [b.path.name for b in service.list_backups()] == [again.path.name]


def test_a_backup_holds_committed_rows_still_in_the_wal(ctx: ServiceContext) -> None:
    # The database is open, so the last commits live only in the -wal file: a plain
    # copy of the main file would miss them; the backup API does not.
    insert_patient_and_course(ctx.db, mrn="MRN-IN-WAL")
    assert ctx.db.path.with_name("clinic.sqlite-wal").stat().st_size > 0
    info = BackupService(ctx).rolling_backup("daily")
    assert not info.path.with_name(info.path.name + "-wal").exists()
    copy = ServiceContext(db=type(ctx.db).open(info.path, create=False))
    try:
        assert _mrns(copy) == ["MRN-IN-WAL"]
    finally:
        copy.db.close()


def test_rolling_backups_keep_the_newest_of_each_day_and_never_prune_manual_ones(
    ctx: ServiceContext, clock: FakeClock, admin: Actor
) -> None:
    _set(ctx, backup_keep_days=3, backup_keep_weeks=0)
    service = BackupService(ctx)
    manual = service.back_up_now(admin)
    made = []
    for n in range(5):  # one a day, then a second one on the last day
        clock.advance(timedelta(days=1))
        made.append(service.rolling_backup("exit" if n % 2 else "daily").path)
    clock.advance(timedelta(minutes=5))
    last = service.rolling_backup("exit").path
    names = [b.path.name for b in service.list_backups()]
    assert names == [last.name, made[3].name, made[2].name, manual.path.name]
    assert not any(p.exists() for p in (made[0], made[1], made[4]))
    assert manual.path.exists()


def test_the_size_cap_prunes_older_backups_but_keeps_the_newest(
    ctx: ServiceContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BackupService(ctx)
    first = service.rolling_backup("daily")
    clock.advance(timedelta(days=1))
    second = service.rolling_backup("daily")
    assert [b.path for b in service.list_backups()] == [second.path, first.path]
    # A test clinic is a few hundred KB: a cap of one and a half copies, in bytes.
    cap = second.size_bytes * 3 // 2
    monkeypatch.setattr(
        backups_module, "retention_policy", lambda s: RetentionPolicy(7, 4, size_cap_bytes=cap)
    )
    clock.advance(timedelta(days=1))
    third = service.rolling_backup("daily")
    assert [b.path for b in service.list_backups()] == [third.path]
    monkeypatch.setattr(
        backups_module, "retention_policy", lambda s: RetentionPolicy(7, 4, size_cap_bytes=1)
    )
    clock.advance(timedelta(days=1))
    fourth = service.rolling_backup("daily")  # over the cap alone: the newest is kept
    assert [b.path for b in service.list_backups()] == [fourth.path]


def test_an_old_backups_to_keep_is_read_as_that_many_days(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    _keep(ctx, 2)
    # N days and no weekly ones: "Backups to keep 2" never keeps more than 2 copies
    assert retention_of(ctx) == RetentionPolicy(keep_days=2, keep_weeks=0, size_cap_bytes=20 * GB)
    with ctx.db.read() as s:
        assert old_keep_setting(s) == 2
    service = BackupService(ctx)
    made = []
    for _ in range(4):
        clock.advance(timedelta(days=8))  # a week apart: only the newest is of the last 2 days
        made.append(service.rolling_backup("daily").path)
    assert [b.path for b in service.list_backups()] == [made[-1]]
    clock.advance(timedelta(days=1))
    made.append(service.rolling_backup("daily").path)
    assert [b.path for b in service.list_backups()] == [made[-1], made[-2]]
    _set(ctx, backup_keep_days=1, backup_keep_weeks=0)  # once set, the old one is ignored
    with ctx.db.read() as s:
        assert old_keep_setting(s) is None
    clock.advance(timedelta(days=1))
    last = service.rolling_backup("daily").path
    assert [b.path for b in service.list_backups()] == [last]


def test_a_partial_copy_left_by_a_stopped_run_is_removed(ctx: ServiceContext) -> None:
    service = BackupService(ctx)
    service.folder.mkdir(parents=True, exist_ok=True)
    stale = service.folder / "clinic-20260301T170000Z-exit.bak.partial"
    stale.write_bytes(b"half a copy")
    other = service.folder / "demo-20260301T170000Z-exit.bak.partial"
    other.write_bytes(b"another database's")
    service.rolling_backup("exit")
    assert not stale.exists()
    assert other.exists()


def test_a_backup_with_progress_is_made_in_steps_and_can_be_abandoned(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    seen: list[tuple[int, int]] = []
    info = BackupService(ctx).rolling_backup("exit", progress=lambda *p: seen.append(p))
    assert seen
    assert seen[-1][0] == seen[-1][1] > 0
    assert verify_database(info.path).ok

    def stop(_copied: int, _total: int) -> None:
        raise KeyboardInterrupt

    clock.advance(timedelta(days=1))
    with pytest.raises(KeyboardInterrupt):
        BackupService(ctx).rolling_backup("exit", progress=stop)
    folder = BackupService(ctx).folder
    assert sorted(p.name for p in folder.iterdir() if ".bak" in p.name) == [info.path.name]


def test_backups_of_other_databases_in_the_folder_are_left_alone(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    _keep(ctx, 1)
    service = BackupService(ctx)
    service.folder.mkdir(parents=True, exist_ok=True)
    other = service.folder / "demo-20200101T000000Z-exit.bak"
    other.write_bytes(b"not ours")
    stray = service.folder / "notes.txt"
    stray.write_text("keep me")
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        service.rolling_backup("exit")
    assert other.exists()
    assert stray.exists()
    assert len(service.list_backups()) == 1


def test_rolling_backup_reason_is_checked(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match="exit or daily"):
        BackupService(ctx).rolling_backup("manual")  # type: ignore[arg-type]


def test_daily_backup_is_due_after_24_hours(ctx: ServiceContext, clock: FakeClock) -> None:
    service = BackupService(ctx)
    assert service.daily_backup_due()  # none yet
    service.rolling_backup("daily")
    assert not service.daily_backup_due()
    clock.advance(timedelta(hours=23, minutes=59, seconds=59))
    assert not service.daily_backup_due()
    clock.advance(timedelta(seconds=1))
    assert service.daily_backup_due()
    service.rolling_backup("exit")  # any backup resets the day
    assert not service.daily_backup_due()


def test_back_up_now_needs_the_permission_and_is_audited(
    ctx: ServiceContext, admin: Actor, nurse: Actor, clinician: Actor
) -> None:
    service = BackupService(ctx)
    for actor in (nurse, clinician):
        before = table_counts(ctx.db)  # leaves out the audited refusals
        with pytest.raises(PermissionDenied, match="may not back up or restore"):
            service.back_up_now(actor)
        assert table_counts(ctx.db) == before
    assert service.list_backups() == []
    assert [e.user_id for e in _audit(ctx, "denied.backup_restore")] == [
        nurse.user_id,
        clinician.user_id,
    ]

    info = service.back_up_now(admin)
    assert info.reason == "manual"
    [entry] = _audit(ctx, "backup.create")
    assert entry.user_id == admin.user_id
    assert str(info.path) in (entry.after or "")


def test_restore_brings_back_the_backup_and_keeps_the_replaced_file(
    ctx: ServiceContext, clock: FakeClock, admin: Actor
) -> None:
    insert_patient_and_course(ctx.db, mrn="MRN-OLD")
    service = BackupService(ctx)
    backup = service.back_up_now(admin)
    clock.advance(timedelta(hours=2))
    insert_patient_and_course(ctx.db, mrn="MRN-NEW")

    result = service.restore(admin, backup.path)

    assert _mrns(ctx) == ["MRN-OLD"]  # the open Database now reads the restored content
    assert result.restored_from == backup.path
    assert result.upgraded_from is None
    kept = result.replaced_kept_at
    assert kept == ctx.db.path.with_name("clinic.sqlite.replaced-20260302T110000Z")
    kept_ctx = ServiceContext(db=type(ctx.db).open(kept, create=False))
    try:
        assert _mrns(kept_ctx) == ["MRN-NEW", "MRN-OLD"]
    finally:
        kept_ctx.db.close()
    [entry] = _audit(ctx, "backup.restore")
    assert entry.user_id == admin.user_id
    with ctx.db.read() as s:
        assert verify_chain(s).ok
    insert_patient_and_course(ctx.db, mrn="MRN-AFTER")  # and it takes writes again
    assert verify_database(ctx.db.path).ok


def test_restore_refuses_a_corrupt_backup_and_changes_nothing(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    insert_patient_and_course(ctx.db, mrn="MRN-1")
    service = BackupService(ctx)
    good = service.back_up_now(admin)
    corrupt = tmp_path / "corrupt.bak"
    data = bytearray(good.path.read_bytes())
    for start in range(2 * 4096, len(data) - 4096, 3 * 4096):
        data[start + 8 : start + 300] = b"\xa5" * 292
    corrupt.write_bytes(bytes(data))
    before_counts = table_counts(ctx.db)
    siblings = sorted(p.name for p in ctx.db.path.parent.iterdir())

    with pytest.raises(BackupError, match=r"cannot be restored.*nothing was changed"):
        service.restore(admin, corrupt)

    assert table_counts(ctx.db) == before_counts
    assert sorted(p.name for p in ctx.db.path.parent.iterdir()) == siblings  # nothing set aside
    assert _mrns(ctx) == ["MRN-1"]


def test_restore_refuses_a_broken_audit_trail(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    import sqlite3

    service = BackupService(ctx)
    tampered = service.back_up_now(admin).path
    conn = sqlite3.connect(tampered)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET action = 'user.nothing' WHERE id = 1")
    conn.commit()
    conn.close()
    before = table_counts(ctx.db)
    with pytest.raises(BackupError, match="audit trail broken"):
        service.restore(admin, tampered)
    assert table_counts(ctx.db) == before


def test_restore_needs_the_permission(ctx: ServiceContext, admin: Actor, therapist: Actor) -> None:
    service = BackupService(ctx)
    backup = service.back_up_now(admin)
    digest = _digest(backup.path)
    with pytest.raises(PermissionDenied):
        service.restore(therapist, backup.path)
    assert _audit(ctx, "backup.restore") == []
    assert _digest(backup.path) == digest


def test_restoring_an_older_schema_upgrades_it(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    old = tmp_path / "r0001.bak"
    shutil.copyfile(FIXTURES / "r0001.sqlite", old)
    result = BackupService(ctx).restore(admin, old)
    assert result.upgraded_from == "0001"
    assert ctx.db.schema_revision() == head_revision()
    with ctx.db.read() as s:
        assert verify_chain(s).ok
        assert s.scalar(select(func.count()).select_from(Patient)) > 0
    assert verify_database(ctx.db.path).ok


def test_default_folder_falls_back_to_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "readonly"
    blocked.mkdir()
    (blocked / "backups").write_text("a file where the folder should be")
    monkeypatch.setattr("kapdesk.services.backups.data_dir", lambda: tmp_path / "userdata")
    assert default_backup_folder(blocked / "kapdesk.sqlite") == tmp_path / "userdata" / "backups"
    assert default_backup_folder(tmp_path / "kapdesk.sqlite") == tmp_path / "backups"
