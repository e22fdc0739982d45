"""Clinic-wide settings: typed, validated rows in the ``settings`` table.

Each key in :data:`SETTINGS` has a type, a default (used while the row is
absent or unreadable) and an allowed range. Use inside ``db.read()`` /
``db.write()``::

    settings = load_settings(s)              # ClinicSettings with every value
    old = set_setting(s, "idle_lock_minutes", 15)   # ValidationError if out of range

``set_setting`` returns the previous value so the caller can audit the change;
changes made for a user go through :class:`kapdesk.services.settings.SettingsService`
(permission, audit entry with the whole row before and after).

A stored value that is no longer valid (edited behind the app, or written by a
version with other limits) is never overwritten here: readers get the default
while :func:`settings_problems` names the stored value and what is allowed, so
the GUI (for the administrator) and ``kapdesk check`` report it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from kapdesk.domain.errors import ValidationError
from kapdesk.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kapdesk.domain.backup_retention import RetentionPolicy
    from kapdesk.storage.raw_read import Readable

# The clinic's name until one is set (stored as it is; shown in the user's language).
DEFAULT_CLINIC_NAME = N_("kapdesk clinic")


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str  # the name the user sees in messages
    kind: type[str] | type[int]
    default: str | int
    minimum: int  # for int: the value; for str: the length after stripping
    maximum: int
    unit: str = ""
    allowed: str = ""  # what is allowed, in words, when the range alone does not say it

    def validate(self, value: object) -> str | int:
        """The clean value, or ValidationError: ``field`` the English label (what a form
        matches), the sentence in the active language."""
        name = _(self.label)
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(
                    self.label,
                    value,
                    _(
                        "{setting} must be a whole number of {unit}.",
                        setting=name,
                        unit=_(self.unit),
                    ),
                )
            if not self.minimum <= value <= self.maximum:
                raise ValidationError(
                    self.label,
                    value,
                    _(
                        "{setting} {value} {unit} is outside the allowed range "
                        "{minimum}-{maximum} {unit}.",
                        setting=name,
                        value=value,
                        unit=_(self.unit),
                        minimum=self.minimum,
                        maximum=self.maximum,
                    ),
                )
            return value
        if not isinstance(value, str):
            raise ValidationError(self.label, value, _("{setting} must be text.", setting=name))
        stripped = value.strip()
        if not self.minimum <= len(stripped) <= self.maximum:
            raise ValidationError(
                self.label,
                value,
                _(
                    "{setting} '{value}' must be {minimum}-{maximum} characters long.",
                    setting=name,
                    value=value,
                    minimum=self.minimum,
                    maximum=self.maximum,
                ),
            )
        if self.key == "backup_folder" and stripped and not _absolute(stripped):
            raise ValidationError(
                self.label,
                value,
                _(
                    "{setting} '{value}' must be {allowed}.",
                    setting=name,
                    value=value,
                    allowed=_(self.allowed),
                ),
            )
        if "\x00" in stripped or any(0xD800 <= ord(c) <= 0xDFFF for c in stripped):
            raise ValidationError(
                self.label,
                value,
                _("{setting} contains a character that cannot be stored.", setting=name),
            )
        return stripped

    def allowed_text(self) -> str:
        """What may be stored, in words (for reports of an invalid stored value)."""
        if self.kind is int:
            return _(
                "a whole number of {unit} from {minimum} to {maximum}",
                unit=_(self.unit),
                minimum=self.minimum,
                maximum=self.maximum,
            )
        if self.allowed:
            return _(self.allowed)
        return _(
            "text of {minimum}-{maximum} characters", minimum=self.minimum, maximum=self.maximum
        )


def _absolute(text: str) -> bool:
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute()


_FOLDER = N_(
    "a full path (such as /media/usb/kapdesk-backups), or empty for the folder "
    "'backups' beside the database"
)
_PROTOCOL = N_("the id of a loaded protocol")
SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("clinic_name", N_("Clinic name"), str, DEFAULT_CLINIC_NAME, 1, 200),
        SettingSpec("idle_lock_minutes", N_("Idle lock"), int, 5, 1, 240, N_("minutes")),
        # Before the keep-by-age rule: read only while Daily backups kept is not stored
        # (see retention_policy); no longer in the settings dialog.
        SettingSpec("backups_to_keep", N_("Backups to keep"), int, 30, 1, 1000, N_("backups")),
        SettingSpec("backup_keep_days", N_("Daily backups kept"), int, 7, 1, 366, N_("days")),
        SettingSpec("backup_keep_weeks", N_("Weekly backups kept"), int, 4, 0, 520, N_("weeks")),
        SettingSpec("backup_size_cap_gb", N_("Backup size cap"), int, 20, 1, 100_000, "GB"),
        SettingSpec("backup_folder", N_("Backup folder"), str, "", 0, 1000, allowed=_FOLDER),
        SettingSpec(
            "default_protocol", N_("Default protocol"), str, "kap-default", 1, 64, allowed=_PROTOCOL
        ),
    )
}

# Settings no one edits and no screen shows, whose value the audit log keeps only as its
# digest (kapdesk.storage.audit.secret_digest): the research export's HMAC key
# (kapdesk.services.research_key), made on the first de-identified export.
SECRET_SETTINGS = frozenset({"research_key"})


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str
    idle_lock_minutes: int
    backups_to_keep: int
    backup_folder: str = ""  # "": ``backups`` beside the database
    default_protocol: str = "kap-default"
    backup_keep_days: int = 7
    backup_keep_weeks: int = 4
    backup_size_cap_gb: int = 20
    # The old Backups to keep that Daily backups kept is read from (None: it is stored).
    keep_days_read_from: int | None = None


@dataclass(frozen=True)
class SettingProblem:
    """A stored value that is not valid: kapdesk uses ``used`` (the default) meanwhile."""

    key: str
    label: str
    stored: str  # the stored JSON text, as found
    used: str | int
    message: str


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise KeyError(f"unknown setting {key!r} (known: {', '.join(sorted(SETTINGS))})") from None


def _stored_text(conn: Readable) -> str:
    """The value column as its stored JSON text (PostgreSQL hands a json column over
    parsed: a text setting then arrived unquoted and read as not valid)."""
    return "CAST(value AS TEXT)" if conn.dialect.name == "postgresql" else "value"


def _select(conn: Readable, sql: str, params: dict[str, Any] | None = None) -> Any:
    """``sql`` (parameters as ``:name``) on SQLite as plain driver SQL (``kapdesk check``
    reads without SQLAlchemy), elsewhere through SQLAlchemy's ``text()``."""
    if conn.dialect.name == "sqlite":
        return conn.exec_driver_sql(sql, params or {})
    from sqlalchemy import text

    return conn.execute(text(sql), params or {})  # type: ignore[union-attr]


def read_setting(conn: Readable, key: str) -> Any:
    """:func:`get_setting` over a Core connection: start-up reads the clinic name before
    the ORM (and the models, imported below only when needed) is loaded."""
    spec = _spec(key)
    raw = _select(
        conn, f"SELECT {_stored_text(conn)} FROM settings WHERE key = :key", {"key": key}
    ).scalar()
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
    """Every setting; Daily and Weekly backups kept as :func:`retention_policy` reads them."""
    values = {key: get_setting(session, key) for key in SETTINGS}
    days, weeks, old = _kept_counts(session)
    values["backup_keep_days"], values["backup_keep_weeks"] = days, weeks
    values["keep_days_read_from"] = old
    return ClinicSettings(**values)


def _kept_counts(session: Session) -> tuple[int, int, int | None]:
    """(Daily backups kept, Weekly backups kept, the old Backups to keep read, or None)."""
    weeks = int(get_setting(session, "backup_keep_weeks"))
    if stored_value(session, "backup_keep_days")[0]:
        return int(get_setting(session, "backup_keep_days")), weeks, None
    if stored_value(session, "backups_to_keep")[0]:
        old = int(get_setting(session, "backups_to_keep"))
        if not stored_value(session, "backup_keep_weeks")[0]:
            weeks = 0  # N copies meant N, not N plus the weekly default
        return min(old, SETTINGS["backup_keep_days"].maximum), weeks, old
    return int(SETTINGS["backup_keep_days"].default), weeks, None


def retention_policy(session: Session) -> RetentionPolicy:
    """Which automatic backups are kept (kapdesk.domain.backup_retention).

    A database from before this rule has only ``backups_to_keep`` (the newest N
    automatic backups): while Daily backups kept is not stored, N is read as that many
    days (the newest backup of each of the last N days, at most 366) and no weekly ones
    (unless Weekly backups kept is stored), under the size-cap default;
    :func:`old_keep_setting` says so to the administrator.
    """
    # Only backups ask for it: a report or a check reads settings without the rule.
    from kapdesk.domain.backup_retention import GB, RetentionPolicy

    days, weeks, _old = _kept_counts(session)
    return RetentionPolicy(
        keep_days=days,
        keep_weeks=weeks,
        size_cap_bytes=int(get_setting(session, "backup_size_cap_gb")) * GB,
    )


def old_keep_setting(session: Session) -> int | None:
    """The old Backups to keep that Daily backups kept is read from (None: not so)."""
    return _kept_counts(session)[2]


def stored_value(session: Session, key: str) -> tuple[bool, Any]:
    """(whether a row exists, its value as stored): what an audit entry's ``before`` holds."""
    from kapdesk.storage.orm import Setting

    _spec(key)
    row = session.get(Setting, key)
    return (False, None) if row is None else (True, row.value)


def _shown(raw: str, limit: int = 80) -> str:
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def settings_problems(
    conn: Readable, protocol_ids: Iterable[str] | None = None
) -> list[SettingProblem]:
    """Every stored setting that is not valid (read-only, over a Core connection).

    ``protocol_ids``: the protocols loaded now; a default protocol that is not one of
    them is a problem too (None: not checked). Unknown keys are reported as well.
    """
    found: list[SettingProblem] = []
    known = None if protocol_ids is None else sorted(protocol_ids)
    for key, raw in _select(conn, f"SELECT key, {_stored_text(conn)} FROM settings ORDER BY key"):
        shown = _shown(str(raw))
        spec = SETTINGS.get(key)
        if key in SECRET_SETTINGS:
            continue  # checked by its own use (never shown)
        if spec is None:
            found.append(SettingProblem(key, key, str(raw), "", _(
                "clinic setting {key} is not one kapdesk knows (stored {stored}); it is ignored",
                key=repr(key),
                stored=shown,
            )))  # fmt: skip
            continue
        used = f"{spec.default} {_(spec.unit) if spec.unit else ''}".strip()
        if key == "backup_folder":
            used = _("the folder 'backups' beside the database")
        problem = None
        try:
            value = spec.validate(json.loads(raw) if isinstance(raw, str | bytes) else raw)
        except (ValidationError, ValueError, TypeError):
            problem = _(
                "the stored value {stored} is not valid ({allowed})",
                stored=shown,
                allowed=spec.allowed_text(),
            )
        else:
            if key == "default_protocol" and known is not None and value not in known:
                problem = _(
                    "the stored value {stored} is not a loaded protocol (loaded: {loaded})",
                    stored=shown,
                    loaded=", ".join(known),
                )
        if problem is not None:
            found.append(SettingProblem(key, spec.label, str(raw), spec.default, _(
                "clinic setting {setting}: {problem}; kapdesk uses {used} until an "
                "administrator sets it (Admin > Clinic settings)",
                setting=_(spec.label),
                problem=problem,
                used=used,
            )))  # fmt: skip
    return found


def settings_check_lines(conn: Readable) -> list[str]:
    """``kapdesk check``'s findings: each invalid stored setting, against the shipped
    protocols (read-only)."""
    from kapdesk.domain.protocol import builtin_protocols

    return [p.message for p in settings_problems(conn, builtin_protocols())]


def configured_backup_folder(conn: Readable) -> Path | None:
    """The backup folder an admin chose (None: the default beside the database): where
    backups, and so the chain's anchors, are written (``kapdesk check`` reads them there)."""
    chosen = str(read_setting(conn, "backup_folder"))
    return Path(chosen) if chosen else None
