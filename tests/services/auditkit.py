"""Test clinics built partly behind the services (fixture rows inserted directly, cheap
password hashes) get the audit entries the services would have written, so that
``kapdesk check``'s row replay sees an untouched clinic as untouched."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kapdesk.storage import audit
from kapdesk.storage.audit_replay import AUDITED, replay
from kapdesk.storage.db import Database
from kapdesk.storage.orm import Base

_MODELS = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}


def record_unaudited(db: Database) -> int:
    """Append a ``test.fixture`` entry with the row's snapshot for every row the replay
    finds unrecorded or changed; returns how many."""
    with db.read() as s:
        findings = replay(s.connection()).findings
    entity_table = {spec.entity: spec.table for spec in AUDITED}
    with db.write() as s:
        for finding in findings:
            model = _MODELS[entity_table[finding.entity]]
            key: int | str = int(finding.key) if finding.key.isdigit() else finding.key
            row = Session.get(s, model, key)
            if row is None:
                continue
            audit.append(
                s, at=db.clock.now(), user_id=None,
                action="test.fixture", entity=finding.entity, entity_id=finding.key,
                before=None, after=audit.row_snapshot(row),
            )  # fmt: skip
    return len(findings)
