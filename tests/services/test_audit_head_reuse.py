"""A use case's pre-read chain head (recording.ReadAtStart) is never used once the
transaction has appended an audit entry, even when that entry's object is no longer held
anywhere (the session's identity map keeps objects only weakly): the next entry would link
to a stale head and fork the chain."""

from __future__ import annotations

import gc

from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.recording import AuditRecord, ReadAtStart, _Account, audit_change
from kapdesk.storage import audit
from kapdesk.storage.orm import AuditEntry


def _record(n: int) -> AuditRecord:
    return AuditRecord("settings.update", "setting", f"probe_{n}", before=None, after={"n": n})


def test_a_pre_read_head_is_not_reused_after_an_entry_was_appended(
    ctx: ServiceContext, admin: Actor
) -> None:
    with ctx.db.write() as s:
        stale = ReadAtStart(
            _Account(True, admin.role.value, None), audit.chain_head(s)
        )  # read at the start, as a use case's first statement does
        audit_change(s, ctx, admin, _record(1), read=stale)
        gc.collect()  # the first entry's object is gone from the identity map
        assert not any(isinstance(o, AuditEntry) for o in s.identity_map.values())
        audit_change(s, ctx, admin, _record(2), read=stale)
    with ctx.db.read() as s:
        report = audit.verify_chain(s)
    assert report.ok, report.problem
