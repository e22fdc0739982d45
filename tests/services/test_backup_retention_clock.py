"""Automatic backups when the computer's clock is wrong, or an old retention setting is read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kapdesk.domain.backup_retention import RetentionPolicy
from kapdesk.domain.clock import FakeClock
from kapdesk.services import backups as backups_module
from kapdesk.services.backups import BackupService
from kapdesk.services.context import ServiceContext
from kapdesk.storage.settings_store import set_setting


def test_new_backups_survive_a_backup_made_while_the_clock_was_a_year_ahead(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    service = BackupService(ctx)
    real_now = clock.now()
    clock.set(real_now + timedelta(days=400))
    ahead = service.rolling_backup("exit").path
    clock.set(real_now)  # the date fixed the next morning
    made = []
    for _ in range(3):
        clock.advance(timedelta(days=1))
        made.append(service.rolling_backup("exit").path)
        assert made[-1].exists()
    names = [b.path.name for b in service.list_backups()]
    # Listed newest date first; well under the 20 GB cap, so the odd one stays too.
    assert names == [ahead.name, *(p.name for p in reversed(made))]


def test_the_backup_just_made_is_kept_when_the_clock_is_put_back_during_it(
    ctx: ServiceContext, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = BackupService(ctx)
    yesterday = service.rolling_backup("daily")
    # Room for one copy: a test clinic is a few hundred KB.
    cap = yesterday.size_bytes * 3 // 2
    monkeypatch.setattr(
        backups_module, "retention_policy", lambda s: RetentionPolicy(7, 4, size_cap_bytes=cap)
    )
    clock.advance(timedelta(days=1, hours=2))

    def corrected(copied: int, total: int) -> None:
        if copied == total:  # the time service puts a fast clock back while the copy runs
            clock.set(clock.now().replace(hour=clock.now().hour - 2))

    exit_copy = service.rolling_backup("exit", progress=corrected)
    assert exit_copy.taken_at > clock.now()
    assert [b.path for b in service.list_backups()] == [exit_copy.path]


def test_an_old_backups_to_keep_of_one_keeps_one_backup(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    with ctx.db.write() as s:
        set_setting(s, "backups_to_keep", 1)  # as the former settings dialog stored it
    service = BackupService(ctx)
    for _ in range(28):
        clock.advance(timedelta(days=1))
        last = service.rolling_backup("exit").path
    assert [b.path for b in service.list_backups()] == [last]
