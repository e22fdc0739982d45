"""Clinic-wide settings: typed, validated rows in the ``settings`` table.

Each key in :data:`SETTINGS` has a type, a default (used while the row is
absent or unreadable) and an allowed range. Use inside ``db.read()`` /
``db.write()``::

    settings = load_settings(s)              # ClinicSettings with every value
    old = set_setting(s, "idle_lock_minutes", 15)   # ValidationError if out of range

``set_setting`` returns the previous value so the caller can audit the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from kapdesk.domain.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str  # the name the user sees in messages
    kind: type[str] | type[int]
    default: str | int
    minimum: int  # for int: the value; for str: the length after stripping
    maximum: int
    unit: str = ""

    def validate(self, value: object) -> str | int:
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(
                    self.label, value, f"{self.label} must be a whole number of {self.unit}."
                )
            if not self.minimum <= value <= self.maximum:
                raise ValidationError(
                    self.label,
                    value,
                    f"{self.label} {value} {self.unit} is outside the allowed range "
                    f"{self.minimum}-{self.maximum} {self.unit}.",
                )
            return value
        if not isinstance(value, str):
            raise ValidationError(self.label, value, f"{self.label} must be text.")
        stripped = value.strip()
        if not self.minimum <= len(stripped) <= self.maximum:
            raise ValidationError(
                self.label,
                value,
                f"{self.label} '{value}' must be {self.minimum}-{self.maximum} characters long.",
            )
        return stripped


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("clinic_name", "Clinic name", str, "kapdesk clinic", 1, 200),
        SettingSpec("idle_lock_minutes", "Idle lock", int, 5, 1, 240, "minutes"),
        SettingSpec("backups_to_keep", "Backups to keep", int, 30, 1, 1000, "backups"),
    )
}


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str
    idle_lock_minutes: int
    backups_to_keep: int


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise KeyError(f"unknown setting {key!r} (known: {', '.join(sorted(SETTINGS))})") from None


def read_setting(conn: Connection, key: str) -> Any:
    """:func:`get_setting` over a Core connection: start-up reads the clinic name before
    the ORM (and the models, imported below only when needed) is loaded."""
    spec = _spec(key)
    raw = conn.execute(text("SELECT value FROM settings WHERE key = :key"), {"key": key}).scalar()
    if raw is None:
        return spec.default
    try:
        return spec.validate(json.loads(raw))
    except (ValidationError, ValueError, TypeError):
        return spec.default


def get_setting(session: Session, key: str) -> Any:
    """The stored value, or the default if it is absent or no longer valid."""
    from kapdesk.storage.orm import Setting

    spec = _spec(key)
    row = session.get(Setting, key)
    if row is None:
        return spec.default
    try:
        return spec.validate(row.value)
    except ValidationError:
        return spec.default


def set_setting(session: Session, key: str, value: object) -> Any:
    """Validate and store ``value``; returns the previous value (the default if unset)."""
    spec = _spec(key)
    clean = spec.validate(value)
    from kapdesk.storage.orm import Setting

    previous = get_setting(session, key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=clean))
    else:
        row.value = clean
    session.flush()
    return previous


def load_settings(session: Session) -> ClinicSettings:
    return ClinicSettings(
        clinic_name=get_setting(session, "clinic_name"),
        idle_lock_minutes=get_setting(session, "idle_lock_minutes"),
        backups_to_keep=get_setting(session, "backups_to_keep"),
    )
