"""The protocol presets this kapdesk ships, as revision 0004 pinned them.

Upgrading a clinic from revision 0003 or earlier, migration 0004 stored the shipped text of
every protocol its courses used in ``protocol_versions`` without an audit entry (the audit
log had no action for it then). :func:`pinned_by_upgrade` tells the audit replay such a row
apart from one inserted behind the app: it is a shipped preset byte for byte, so nothing in
it can have been forged (an attacker who inserts a shipped preset adds nothing of theirs).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["pinned_by_upgrade", "shipped_protocols"]


@cache
def shipped_protocols() -> list[tuple[str, str, str, str, str]]:
    """(id, version, sha256, text, file name) of the presets shipped with this kapdesk."""
    import tomllib

    folder = resources.files("kapdesk.resources") / "protocols"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        text = entry.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        out.append((str(data["id"]), str(data["version"]), digest, text, entry.name))
    return out


def pinned_by_upgrade(row: dict[str, Any]) -> bool:
    """Whether a ``protocol_versions`` row is a shipped preset exactly, as migration 0004
    stored it (id, version, hash, text and file name all equal)."""
    found = (row.get("protocol_id"), row.get("version"), row.get("sha256"),
             row.get("source_text"), row.get("source_name"))  # fmt: skip
    return found in shipped_protocols()
