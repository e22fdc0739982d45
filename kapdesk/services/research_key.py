"""The clinic's research key: the secret behind the pseudonyms and date shifts of a
de-identified export (kapdesk.domain.research.Pseudonymizer).

It lives in the clinic's own database, as the setting ``research_key`` (64 hex digits,
256 random bits), so every workstation of a clinic server and every later export give
the same pseudonyms, and a backup or a move to a server keeps them. It is made on the
first de-identified export (one audit entry ``research_key.create``, by the console user,
holding only its SHA-256 digest, as for password hashes), never changed, never shown on
a screen, never written into an export. Anyone who can read the database can read it,
as they can the names it hides: it protects the exported files, not the database.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy.exc import IntegrityError

from kapdesk.domain.errors import KapdeskError
from kapdesk.domain.research import KEY_BYTES
from kapdesk.i18n import _
from kapdesk.services.console import console_actor
from kapdesk.services.context import ServiceContext
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.storage.audit import secret_digest
from kapdesk.storage.orm import Setting

RESEARCH_KEY = "research_key"
_HEX = re.compile(f"[0-9a-f]{{{2 * KEY_BYTES}}}")


class ResearchKeyDamaged(KapdeskError):
    """The stored key is not 64 hex digits (edited behind the app)."""


def _decoded(value: object) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ResearchKeyDamaged(
            _(
                "the clinic's research key (setting research_key) is damaged; kapdesk check "
                "names the change. A de-identified export needs it unchanged."
            )
        )
    return bytes.fromhex(value)


def stored_research_key(ctx: ServiceContext) -> bytes | None:
    """The key, or None before the first de-identified export."""
    with ctx.db.read() as s:
        row = s.get(Setting, RESEARCH_KEY)
        return None if row is None else _decoded(row.value)


def research_key(ctx: ServiceContext) -> tuple[bytes, bool]:
    """(the clinic's key, whether it was made now). Made once, audited; a key made at the
    same moment by another workstation of the clinic server wins and is used."""
    found = stored_research_key(ctx)
    if found is not None:
        return found, False
    value = secrets.token_hex(KEY_BYTES)
    after = {"key": RESEARCH_KEY, "value": secret_digest(value), "actor": console_actor()}
    try:
        with ctx.db.write() as s:
            row = s.get(Setting, RESEARCH_KEY)
            if row is not None:  # made meanwhile by another workstation
                return _decoded(row.value), False
            s.add(Setting(key=RESEARCH_KEY, value=value))
            record = AuditRecord("research_key.create", "setting", RESEARCH_KEY, after=after)
            audit_change(s, ctx, None, record)
    except IntegrityError:  # inserted by another workstation after this one looked
        made = stored_research_key(ctx)
        if made is None:
            raise
        return made, False
    return bytes.fromhex(value), True
