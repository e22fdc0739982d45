"""The composition root: build_context opens (creates, migrates) the database and hands
back the context the services run on, with the clock and protocols it was given."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kapdesk.composition import build_context
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.services.settings import SettingsService
from kapdesk.storage.errors import DatabaseMissing
from kapdesk.storage.migrate import head_revision

FIXTURES = Path(__file__).parent / "storage" / "fixtures"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_new_clinic_is_created_at_the_head_revision(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    ctx = build_context(tmp_path / "new" / "clinic.sqlite", clock=clock)
    try:
        assert ctx.db.schema_revision() == head_revision()
        assert ctx.now() == T0
        assert "kap-default" in ctx.protocols
        assert SettingsService(ctx).current().clinic_name  # the settings are readable
    finally:
        ctx.db.close()


def test_a_missing_file_is_refused_without_create(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing):
        build_context(tmp_path / "typo.sqlite", create=False)
    assert not (tmp_path / "typo.sqlite").exists()


def test_an_older_file_is_upgraded_unless_migrate_is_false(tmp_path: Path) -> None:
    kept = tmp_path / "kept.sqlite"
    shutil.copyfile(FIXTURES / "r0003.sqlite", kept)
    ctx = build_context(kept, create=False, migrate=False)
    try:
        assert ctx.db.schema_revision() == "0003"
    finally:
        ctx.db.close()
    ctx = build_context(kept, create=False)
    try:
        assert ctx.db.schema_revision() == head_revision()
        assert ctx.db.upgrade_backup is not None  # the copy taken before the upgrade
    finally:
        ctx.db.close()


def test_the_protocols_can_be_replaced(tmp_path: Path) -> None:
    only = {"kap-default": builtin_protocols()["kap-default"]}
    ctx = build_context(tmp_path / "clinic.sqlite", protocols=only)
    try:
        assert dict(ctx.protocols) == only
    finally:
        ctx.db.close()
