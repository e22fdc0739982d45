"""The migration revisions kapdesk knows, and Alembic's configuration for them, without
SQLAlchemy (``kapdesk check`` compares a file's revision with the head before it reads it);
:mod:`kapdesk.storage.migrate` runs the migrations and re-exports these names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPT_LOCATION = "kapdesk.storage:migrations"
# The revisions in migrations/versions, oldest first; the last is the head.
KNOWN_REVISIONS: Final = ("0001", "0002", "0003", "0004", "0005", "0006")


def alembic_config(script_location: str = SCRIPT_LOCATION) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location)
    config.set_main_option("path_separator", "os")
    return config


def _scripts(script_location: str) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(script_location))


def head_revision(script_location: str = SCRIPT_LOCATION) -> str:
    if script_location == SCRIPT_LOCATION:
        return KNOWN_REVISIONS[-1]
    head = _scripts(script_location).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {script_location}")
    return head


def known_revisions(script_location: str = SCRIPT_LOCATION) -> frozenset[str]:
    if script_location == SCRIPT_LOCATION:
        return frozenset(KNOWN_REVISIONS)
    return frozenset(s.revision for s in _scripts(script_location).walk_revisions())
