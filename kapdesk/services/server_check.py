"""``kapdesk check --db postgresql://...``: the checks of a database file, on a clinic server.

Read-only, in one REPEATABLE READ READ ONLY transaction (one snapshot; each step in a
savepoint, so a step the server refuses is a finding and the others still run), never
migrating the database. The same findings, in the same words, as on a file
(:mod:`kapdesk.services.database_check`) for:

* the audit chain, re-hashed from the first entry (:func:`kapdesk.storage.audit.verify_chain`:
  hashes, links, gaps);
* the schema objects against the head (:mod:`kapdesk.storage.schema_check`: tables,
  columns, indexes, sequences, the append-only triggers and whether they are enabled,
  functions, views, rules);
* every audited row against its audit trail (:mod:`kapdesk.storage.server_replay`);
* every signature against its record and its ``sign.signed`` entry
  (:func:`kapdesk.services.integrity.verify_signatures`; records read in bulk first,
  :mod:`kapdesk.storage.server_signed`, only a signature that does not match there is
  rebuilt from ORM objects), the pinned protocol versions and the clinic settings;
* foreign keys (:mod:`kapdesk.storage.server_check`).

Where a file has SQLite's ``integrity_check`` and the audit id counter, a server has
amcheck (run when available to this role, else the output says it was not run) and its
statistics of rows updated or deleted in the append-only tables
(:mod:`kapdesk.storage.server_check`). Anchors and printed seals are read for database
files only: a server's chain is always re-hashed in full.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from kapdesk.i18n import N_, _
from kapdesk.services.integrity import verify_signatures
from kapdesk.services.pinned_check import version_problems
from kapdesk.storage.audit import ChainReport, verify_chain
from kapdesk.storage.audit_replay import ReplayReport
from kapdesk.storage.db import Database
from kapdesk.storage.migrate import current_revision, head_revision
from kapdesk.storage.schema_check import expected_objects, schema_problems
from kapdesk.storage.server_check import (
    IndexCheck,
    append_only_problems,
    foreign_key_problems,
    index_check,
)
from kapdesk.storage.server_replay import replay_server
from kapdesk.storage.server_signed import bulk_matched
from kapdesk.storage.server_url import ServerURL
from kapdesk.storage.settings_store import settings_check_lines

T = TypeVar("T")


@dataclass
class _Findings:
    conn: Connection
    problems: list[str] = field(default_factory=list)

    def guarded(self, what: str, fn: Callable[[], T]) -> T | None:
        """``fn()`` in a savepoint; a failure is the finding '<what> could not be checked'."""
        try:
            with self.conn.begin_nested():
                return fn()
        except Exception as exc:  # unreadable is itself a finding
            cause = getattr(exc, "orig", None) or exc
            first = (str(cause).strip().splitlines() or [type(exc).__name__])[0]
            self.problems.append(
                _("{what} could not be checked: {problem}", what=_(what), problem=first)
            )
            return None


def _chain(found: _Findings) -> ChainReport | None:
    report = found.guarded(N_("audit trail"), lambda: verify_chain(found.conn))
    if report is not None and not report.ok:
        found.problems.append(_("audit trail broken: {problem}", problem=report.problem))
    return report


def _protocols(conn: Connection) -> list[str]:
    from kapdesk.domain.protocol import builtin_protocols

    with Session(bind=conn) as s:
        return version_problems(s, builtin_protocols())


@dataclass(frozen=True)
class _Done:
    chain: ChainReport | None
    signatures: int | None
    rows: ReplayReport | None
    indexes: IndexCheck | None


def _content(found: _Findings) -> _Done:
    conn = found.conn
    chain = _chain(found)
    found.problems.extend(
        found.guarded(N_("append-only tables"), lambda: append_only_problems(conn)) or []
    )
    schema = found.guarded(N_("schema"), lambda: schema_problems(conn))
    found.problems.extend(schema or [])
    found.problems.extend(
        found.guarded(N_("foreign keys"), lambda: foreign_key_problems(conn)) or []
    )
    indexes = found.guarded(N_("index structure"), lambda: index_check(conn))
    if indexes is not None:
        found.problems.extend(indexes.problems)
    sigs = found.guarded(
        N_("signatures"), lambda: verify_signatures(conn, matched=bulk_matched(conn))
    )
    if sigs is not None:
        found.problems.extend(sigs.messages())
    found.problems.extend(found.guarded(N_("protocol versions"), lambda: _protocols(conn)) or [])
    found.problems.extend(
        found.guarded(N_("clinic settings"), lambda: settings_check_lines(conn)) or []
    )
    rows = found.guarded(N_("rows against the audit trail"), lambda: replay_server(conn))
    if rows is not None:
        found.problems.extend(rows.messages())
    complete = schema is not None and sigs is not None and rows is not None
    return _Done(chain, sigs.checked if complete and sigs else None, rows, indexes)


def _ok_lines(shown: str, revision: str, done: _Done) -> list[str]:
    entries = done.chain.head[0] if done.chain and done.chain.head else 0
    triggers = sum(1 for k, _t, _s in expected_objects("postgresql").values() if k == "trigger")
    lines = [
        _(
            "{server}: ok (catalog, foreign keys, schema {revision} is current, audit trail of "
            "{n} entries intact)",
            server=shown,
            revision=revision,
            n=entries,
        )
    ]
    if done.signatures is not None and done.rows is not None:
        lines += [
            _(
                "{path}: ok ({n} signed records match their signatures)",
                path=shown,
                n=done.signatures,
            ),
            _(
                "{server}: ok ({n} rows agree with their audit trail; tables, indexes and "
                "{triggers} triggers as schema {revision} defines)",
                server=shown,
                n=done.rows.rows_checked,
                triggers=triggers,
                revision=revision,
            ),
        ]
    lines.append(
        _(
            "{server}: ok (every entry re-hashed; no anchor outside the server is read for a "
            "clinic server: the chain is checked against itself only)",
            server=shown,
        )
    )
    if done.indexes is not None:
        lines.append(
            _("{path}: ok ({note})", path=shown, note=done.indexes.note)
            if done.indexes.ran
            else f"{shown}: {done.indexes.note}"
        )
    return lines


def run_server_check(server: ServerURL) -> tuple[list[str], bool]:
    """What ``kapdesk check`` prints for a clinic server, and whether all is well."""
    shown = server.redacted()
    db = Database.open(server, create=False, migrate=False)
    try:
        with db.connect_read() as conn, conn.begin():
            found = _Findings(conn)
            revision = current_revision(conn)
            if revision != head_revision():
                found.problems.append(
                    _(
                        "schema {revision} is not the current one ({head}): open it with "
                        "kapdesk once to upgrade it, then check again",
                        revision=revision,
                        head=head_revision(),
                    )
                )
                _chain(found)
                return [f"{shown}: {m}" for m in found.problems], False
            done = _content(found)
    finally:
        db.close()
    if found.problems:
        return [f"{shown}: {m}" for m in found.problems], False
    return _ok_lines(shown, revision, done), True
