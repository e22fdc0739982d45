"""SettingsService: the admin changes the clinic settings; typed, validated, audited, reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.services.backups import BackupService
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.database_check import run_check
from kapdesk.services.settings import SettingsService
from kapdesk.services.workstation import WorkstationService
from kapdesk.storage.orm import AuditEntry, Setting
from kapdesk.storage.settings_store import ClinicSettings

from .conftest import table_counts


def _entries(ctx: ServiceContext, action: str) -> list[AuditEntry]:
    with ctx.db.read() as s:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(s.scalars(query))


def _raw(ctx: ServiceContext, key: str, value: str) -> None:
    """A value written behind the app (or by another version)."""
    with ctx.db.write() as s:
        s.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
        )


def test_defaults_before_anything_is_stored(ctx: ServiceContext) -> None:
    assert SettingsService(ctx).current() == ClinicSettings(
        "kapdesk clinic", 5, 30, "", "kap-default"
    )
    assert SettingsService(ctx).problems() == []


def test_the_admin_changes_every_setting_each_change_one_audit_entry(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    service = SettingsService(ctx)
    after = service.update(
        admin,
        clinic_name=" Harbour Clinic ",
        idle_lock_minutes=15,
        backup_keep_days=12,
        backup_folder=str(tmp_path),
        default_protocol="iv-infusion",
    )
    assert after == ClinicSettings(
        "Harbour Clinic", 15, 30, str(tmp_path), "iv-infusion", backup_keep_days=12
    )
    assert service.current() == after
    entries = _entries(ctx, "settings.update")
    assert [(e.entity, e.entity_id, e.user_id) for e in entries] == [
        ("setting", key, admin.user_id)
        for key in (
            "clinic_name", "idle_lock_minutes", "backup_keep_days", "backup_folder",
            "default_protocol",
        )
    ]  # fmt: skip
    assert entries[0].before is None  # never stored before
    assert entries[0].after_data == {"key": "clinic_name", "value": "Harbour Clinic"}

    service.update(admin, idle_lock_minutes=20, clinic_name="Harbour Clinic")  # name unchanged
    [change] = _entries(ctx, "settings.update")[5:]
    assert change.entity_id == "idle_lock_minutes"
    assert change.before_data == {"key": "idle_lock_minutes", "value": 15}
    assert change.after_data == {"key": "idle_lock_minutes", "value": 20}


def test_a_settings_change_leaves_kapdesk_check_clean(ctx: ServiceContext, admin: Actor) -> None:
    SettingsService(ctx).update(admin, clinic_name="Harbour Clinic", idle_lock_minutes=9)
    SettingsService(ctx).update(admin, idle_lock_minutes=10)
    lines, ok = run_check(ctx.db.path)
    assert ok, lines


@pytest.mark.parametrize("role", ["nurse", "therapist", "clinician"])
def test_only_an_admin_may_change_settings_and_refusals_are_audited(
    ctx: ServiceContext, role: str, request: pytest.FixtureRequest
) -> None:
    actor: Actor = request.getfixturevalue(role)
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied, match=f"A {role} may not change the clinic settings"):
        SettingsService(ctx).update(actor, clinic_name="Mine now")
    assert table_counts(ctx.db) == before
    assert [(d.user_id, d.entity) for d in _denials(ctx)] == [(actor.user_id, "setting")] or [
        d.user_id for d in _denials(ctx)
    ] == [actor.user_id]


def _denials(ctx: ServiceContext) -> list[AuditEntry]:
    with ctx.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("denied.%"))))


@pytest.mark.parametrize(
    ("key", "value", "field", "message"),
    [
        ("idle_lock_minutes", 0, "Idle lock", "Idle lock 0 minutes is outside the allowed range"),
        ("backups_to_keep", 1001, "Backups to keep", "outside the allowed range 1-1000"),
        ("backup_keep_days", 0, "Daily backups kept",
         "Daily backups kept 0 days is outside the allowed range 1-366 days."),
        ("backup_keep_weeks", -1, "Weekly backups kept", "allowed range 0-520 weeks"),
        ("backup_size_cap_gb", "lots", "Backup size cap", "must be a whole number of GB"),
        ("clinic_name", " ", "Clinic name", "Clinic name ' ' must be 1-200 characters long."),
        ("default_protocol", "ketamine-2019", "Default protocol",
         "Default protocol 'ketamine-2019' is not a loaded protocol (iv-infusion, kap-default"),
        ("backup_folder", "usb/backups", "Backup folder", "a full path"),
        ("backup_folder", "/no/such/drive", "Backup folder",
         "Backup folder '/no/such/drive' does not exist; connect the drive"),
    ],
)  # fmt: skip
def test_invalid_values_name_field_value_and_what_is_allowed_and_store_nothing(
    ctx: ServiceContext, admin: Actor, key: str, value: object, field: str, message: str
) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError) as caught:
        # a valid change in the same call is not stored either
        SettingsService(ctx).update(admin, **{"backups_to_keep": 7, key: value})
    assert caught.value.field == field
    assert caught.value.value == value
    assert message in caught.value.message
    assert table_counts(ctx.db) == before


def test_invalid_stored_values_are_reported_never_replaced(
    ctx: ServiceContext, admin: Actor
) -> None:
    _raw(ctx, "idle_lock_minutes", "0")
    _raw(ctx, "default_protocol", json.dumps("retired-protocol"))
    _raw(ctx, "colour", json.dumps("teal"))
    service = SettingsService(ctx)
    assert service.current().idle_lock_minutes == 5  # the default is used meanwhile...
    assert WorkstationService(ctx).idle_lock_after().total_seconds() == 300
    problems = {p.key: p for p in service.problems()}
    assert set(problems) == {"idle_lock_minutes", "default_protocol", "colour"}
    assert problems["idle_lock_minutes"].message == (
        "clinic setting Idle lock: the stored value 0 is not valid (a whole number of minutes "
        "from 1 to 240); kapdesk uses 5 minutes until an administrator sets it "
        "(Admin > Clinic settings)"
    )
    assert "'retired-protocol'" not in problems["default_protocol"].message
    assert '"retired-protocol" is not a loaded protocol' in problems["default_protocol"].message
    with ctx.db.read() as s:  # ...but what was stored stays
        assert s.get(Setting, "idle_lock_minutes").value == 0  # type: ignore[union-attr]
    # kapdesk check names them too (the rows were also written behind the app)
    lines, ok = run_check(ctx.db.path)
    assert not ok
    assert any("clinic setting Idle lock: the stored value 0 is not valid" in li for li in lines)

    service.update(admin, idle_lock_minutes=5)  # the admin sets it: reported no more
    assert "idle_lock_minutes" not in {p.key for p in service.problems()}


def test_backups_use_the_chosen_folder_and_keep_the_newest_of_the_day(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    SettingsService(ctx).update(admin, backup_folder=str(usb), backup_keep_days=2)
    service = BackupService(ctx)
    for _ in range(3):
        service.rolling_backup("daily")
    assert service.folder == usb
    assert len(list(usb.glob("*-daily.bak"))) == 1  # three the same day: the newest
    assert not (ctx.db.path.parent / "backups").exists() or not list(
        (ctx.db.path.parent / "backups").glob("*.bak")
    )


def test_a_chosen_backup_folder_that_is_gone_is_a_clear_error_not_created(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    SettingsService(ctx).update(admin, backup_folder=str(usb))
    usb.rmdir()  # the drive was unplugged
    with pytest.raises(ValidationError, match="does not exist: connect the drive"):
        BackupService(ctx).back_up_now(admin)
    assert not usb.exists()


def test_idle_lock_uses_the_minutes(ctx: ServiceContext, admin: Actor) -> None:
    SettingsService(ctx).update(admin, idle_lock_minutes=12)
    assert WorkstationService(ctx).idle_lock_after().total_seconds() == 12 * 60


def test_kapdesk_check_reads_the_anchors_in_the_chosen_backup_folder(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    SettingsService(ctx).update(admin, backup_folder=str(usb))
    BackupService(ctx).back_up_now(admin)
    assert list(usb.glob("*.anchors"))
    assert not (ctx.db.path.parent / "backups").exists()  # nothing beside the database
    lines, ok = run_check(ctx.db.path)
    assert ok, lines
    assert any("the chain matches its 1 anchors outside the file" in line for line in lines)
