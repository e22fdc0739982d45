"""The clinic's settings: read by everyone, changed by an administrator, every change audited.

Decisions a caller must know:

* ``current()`` needs no sign-in (the login window shows the clinic name). A stored
  value that is not valid reads as its default; ``problems()`` says which, and what
  was stored: nothing here ever overwrites it (only an administrator's ``update``).
* ``update(actor, **values)`` needs ``Action.MANAGE_SETTINGS`` (admins). Every value is
  validated before anything is written (ValidationError naming the setting, the value
  and what is allowed): the ranges of :data:`~kapdesk.storage.settings_store.SETTINGS`,
  a default protocol that is loaded now, a backup folder that exists and can be
  written. One transaction; one audit entry ``settings.update`` per setting whose
  stored value changes, on entity ``setting`` / its key, with the whole row before
  (None when it was never stored) and after (``kapdesk check`` compares the table with
  them). Values equal to what is stored write nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.i18n import _
from kapdesk.services.context import Actor, Service
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.storage.settings_store import (
    SETTINGS,
    ClinicSettings,
    SettingProblem,
    load_settings,
    set_setting,
    settings_problems,
    stored_value,
)

__all__ = ["SETTINGS", "ClinicSettings", "SettingProblem", "SettingsService"]

AUDIT_ACTION = "settings.update"


@audit_denials
class SettingsService(Service):
    def current(self) -> ClinicSettings:
        with self.ctx.db.read() as s:
            return load_settings(s)

    def problems(self) -> list[SettingProblem]:
        """Stored values that are not valid (each used as its default meanwhile)."""
        with self.ctx.db.read() as s:
            return settings_problems(s.connection(), self.ctx.protocols)

    def protocol_choices(self) -> list[tuple[str, str]]:
        """(id, "title (id vversion)") of every protocol a new course may start on."""
        found = [self.ctx.protocols[pid] for pid in sorted(self.ctx.protocols)]
        return [(p.id, f"{_(p.title)} ({p.id} v{p.version})") for p in found]

    def validate(self, key: str, value: object) -> Any:
        """The clean value to store, or ValidationError (also checks what only the service
        knows: the loaded protocols and the file system)."""
        spec = SETTINGS.get(key)
        if spec is None:
            known = ", ".join(SETTINGS)
            raise ValidationError(
                "Setting",
                key,
                _("Setting {key} is not known ({known}).", key=repr(key), known=known),
            )
        clean = spec.validate(value)
        if key == "default_protocol" and clean not in self.ctx.protocols:
            loaded = ", ".join(sorted(self.ctx.protocols))
            raise ValidationError(
                spec.label,
                value,
                _(
                    "{setting} '{value}' is not a loaded protocol ({loaded}).",
                    setting=_(spec.label),
                    value=clean,
                    loaded=loaded,
                ),
            )
        if key == "backup_folder" and clean:
            folder = Path(str(clean))
            if not folder.is_dir():
                raise ValidationError(
                    spec.label,
                    value,
                    _(
                        "{setting} '{value}' does not exist; connect the drive or create the "
                        "folder first.",
                        setting=_(spec.label),
                        value=clean,
                    ),
                )
            if not os.access(folder, os.W_OK | os.X_OK):
                raise ValidationError(
                    spec.label,
                    value,
                    _(
                        "{setting} '{value}' cannot be written by kapdesk.",
                        setting=_(spec.label),
                        value=clean,
                    ),
                )
        return clean

    def update(self, actor: Actor, **values: object) -> ClinicSettings:
        """Store the given settings (keyword = setting key); returns every setting after."""
        actor.require(Action.MANAGE_SETTINGS)
        clean = {key: self.validate(key, value) for key, value in values.items()}
        with self.ctx.db.write() as s:
            for key, value in clean.items():
                existed, stored = stored_value(s, key)
                if existed and stored == value and type(stored) is type(value):
                    continue
                set_setting(s, key, value)
                before = {"key": key, "value": stored} if existed else None
                after = {"key": key, "value": value}
                record = AuditRecord(AUDIT_ACTION, "setting", key, before=before, after=after)
                audit_change(s, self.ctx, actor, record)
            return load_settings(s)
