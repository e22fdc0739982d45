"""Clinic protocols as data.

A protocol is a TOML file (``resources/protocols/*.toml``) holding every number
a clinic may set: BP thresholds per phase, the reading schedule, the minimum
observation before discharge, discharge criteria, the pre-session checklist,
the side-effect catalogue and per-route dose maxima. Nothing clinical is a
constant in code; every alert names the protocol id and version that raised it.

``kapdesk.domain.protocol`` is the module to import: the data model lives in
``protocol_model``, the strict reader of a file's tables in ``protocol_reader``
and the checks of every section in ``protocol_parse``; this module loads the
files (text, a path, the shipped presets) and pins their content hash.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol_model import (
    COMPUTED_CRITERIA,
    SCHEDULE_CONDITIONS,
    Anchor,
    Band,
    ChecklistItem,
    DischargeCriterion,
    DoseLimit,
    Phase,
    Protocol,
    Route,
    ScheduledReading,
    SideEffectDef,
    VitalRule,
    band_word,
)
from kapdesk.domain.protocol_parse import parse_protocol
from kapdesk.i18n import _

__all__ = [
    "COMPUTED_CRITERIA",
    "SCHEDULE_CONDITIONS",
    "Anchor",
    "Band",
    "ChecklistItem",
    "DischargeCriterion",
    "DoseLimit",
    "Phase",
    "Protocol",
    "Route",
    "ScheduledReading",
    "SideEffectDef",
    "VitalRule",
    "band_word",
    "builtin_protocols",
    "load_protocol_file",
    "load_protocol_text",
    "parse_protocol",
    "protocol_hash",
]


def protocol_hash(text: str) -> str:
    """SHA-256 (hex) of a protocol file's exact text: what a course pins."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_protocol_text(text: str, source: str) -> Protocol:
    """The protocol a file's text describes (``source``: its name, for messages), parsed
    once per process: a Protocol is immutable and holds no translated text, and
    ``kapdesk check`` reads the same few texts three times (the shipped files twice, the
    versions the courses pin)."""
    return _parsed(text, source)


@lru_cache(maxsize=64)
def _parsed(text: str, source: str) -> Protocol:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = ""
        if re.search(r"^\s*label\.[A-Za-z]", text, re.MULTILINE):
            hint = _(' (a translated label is written with quotes: "label.pt-PT" = "...")')
        raise ProtocolError(
            source, "(file)", _("valid TOML: {error}{hint}", error=exc, hint=hint)
        ) from None
    return replace(parse_protocol(data, source), text=text, sha256=protocol_hash(text))


def load_protocol_file(path: Path) -> Protocol:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(path.name, "(file)", _("UTF-8 text: {error}", error=exc)) from None
    return load_protocol_text(text, path.name)


def builtin_protocols() -> dict[str, Protocol]:
    """The presets shipped in resources/protocols, keyed by id."""
    folder = resources.files("kapdesk.resources") / "protocols"
    out: dict[str, Protocol] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            proto = load_protocol_text(entry.read_text(encoding="utf-8"), entry.name)
            if proto.id in out:
                raise ProtocolError(
                    entry.name, "id", _("an id not already used ('{id}')", id=proto.id)
                )
            out[proto.id] = proto
    return out
