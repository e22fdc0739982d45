"""Typed clinic settings: defaults, validation with clear messages, previous values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.backup_retention import GB, RetentionPolicy
from kapdesk.domain.errors import ValidationError
from kapdesk.storage.db import Database
from kapdesk.storage.orm import Setting
from kapdesk.storage.settings_store import (
    SETTINGS,
    ClinicSettings,
    get_setting,
    load_settings,
    old_keep_setting,
    retention_policy,
    set_setting,
    settings_problems,
)


def test_defaults_before_anything_is_stored(db: Database) -> None:
    with db.read() as s:
        assert load_settings(s) == ClinicSettings("kapdesk clinic", 5, 30, "", "kap-default")


def test_set_returns_the_previous_value_and_persists(db: Database) -> None:
    with db.write() as s:
        assert set_setting(s, "clinic_name", "  Harbour Clinic ") == "kapdesk clinic"
        assert set_setting(s, "idle_lock_minutes", 15) == 5
    with db.write() as s:
        assert set_setting(s, "idle_lock_minutes", 20) == 15
    with db.read() as s:
        assert load_settings(s) == ClinicSettings("Harbour Clinic", 20, 30)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("idle_lock_minutes", 0, "Idle lock 0 minutes is outside the allowed range 1-240 minutes."),
        ("idle_lock_minutes", 241, "Idle lock 241 minutes is outside the allowed range 1-240"),
        ("idle_lock_minutes", "5", "Idle lock must be a whole number of minutes."),
        ("idle_lock_minutes", True, "whole number"),
        ("backups_to_keep", 0, "Backups to keep 0 backups is outside the allowed range 1-1000"),
        ("clinic_name", "   ", "Clinic name '   ' must be 1-200 characters long."),
        ("clinic_name", "x" * 201, "must be 1-200 characters"),
        ("clinic_name", 7, "Clinic name must be text."),
        ("backup_folder", "backups", "Backup folder 'backups' must be a full path"),
        ("backup_folder", 3, "Backup folder must be text."),
        ("default_protocol", "", "Default protocol '' must be 1-64 characters long."),
        ("clinic_name", "Clinic \ud800", "Clinic name contains a character that cannot be"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_stored(
    db: Database, key: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught, db.write() as s:
        set_setting(s, key, value)
    assert message in caught.value.message
    assert caught.value.field == SETTINGS[key].label
    assert caught.value.value == value
    with db.read() as s:
        assert s.get(Setting, key) is None


@given(minutes=st.integers(-1000, 1000))
def test_idle_lock_accepts_exactly_one_to_240(minutes: int) -> None:
    spec = SETTINGS["idle_lock_minutes"]
    if 1 <= minutes <= 240:
        assert spec.validate(minutes) == minutes
    else:
        with pytest.raises(ValidationError):
            spec.validate(minutes)


def test_an_unreadable_stored_value_falls_back_to_the_default(db: Database) -> None:
    with db.write() as s:
        s.add(Setting(key="backups_to_keep", value="lots"))
    with db.read() as s:
        assert get_setting(s, "backups_to_keep") == 30


def test_unknown_keys_are_a_programming_error(db: Database) -> None:
    with pytest.raises(KeyError, match="unknown setting 'colour'"), db.read() as s:
        get_setting(s, "colour")


def test_an_unreadable_stored_value_is_reported_with_what_is_allowed(db: Database) -> None:
    with db.write() as s:
        s.add(Setting(key="backups_to_keep", value="lots"))
        s.add(Setting(key="backup_folder", value="relative/path"))
        s.add(Setting(key="clinic_name", value="Harbour Clinic"))
    with db.read() as s:
        problems = settings_problems(s.connection())
    assert [(p.key, p.stored, p.used) for p in problems] == [
        ("backup_folder", '"relative/path"', ""),
        ("backups_to_keep", '"lots"', 30),
    ]
    assert problems[1].message == (
        'clinic setting Backups to keep: the stored value "lots" is not valid (a whole number '
        "of backups from 1 to 1000); kapdesk uses 30 backups until an administrator sets it "
        "(Admin > Clinic settings)"
    )
    assert "a full path" in problems[0].message
    assert "kapdesk uses the folder 'backups' beside the database" in problems[0].message


def test_a_default_protocol_that_is_not_loaded_is_a_problem(db: Database) -> None:
    with db.write() as s:
        set_setting(s, "default_protocol", "retired")
    with db.read() as s:
        assert settings_problems(s.connection()) == []  # protocols not given: not checked
        [problem] = settings_problems(s.connection(), ["kap-default", "iv-infusion"])
    assert "is not a loaded protocol (loaded: iv-infusion, kap-default)" in problem.message


def test_an_old_backups_to_keep_is_that_many_days_and_no_weekly_ones(db: Database) -> None:
    # "Backups to keep = 1" (a small disk) must not become 1 daily + 4 weekly copies.
    with db.write() as s:
        set_setting(s, "backups_to_keep", 1)
    with db.read() as s:
        assert retention_policy(s) == RetentionPolicy(1, 0, 20 * GB)
        assert old_keep_setting(s) == 1
        current = load_settings(s)
    assert (current.backup_keep_days, current.backup_keep_weeks) == (1, 0)
    assert current.keep_days_read_from == 1
    with db.write() as s:
        set_setting(s, "backup_keep_weeks", 2)  # a weekly count stored since is used
    with db.read() as s:
        assert retention_policy(s) == RetentionPolicy(1, 2, 20 * GB)
    with db.write() as s:
        set_setting(s, "backup_keep_days", 3)  # once stored, the old setting is ignored
    with db.read() as s:
        assert retention_policy(s) == RetentionPolicy(3, 2, 20 * GB)
        assert old_keep_setting(s) is None


def test_without_any_stored_backup_setting_the_defaults_apply(db: Database) -> None:
    with db.read() as s:
        assert retention_policy(s) == RetentionPolicy(7, 4, 20 * GB)
        assert old_keep_setting(s) is None
