"""Moving a whole clinic between a kapdesk file and a PostgreSQL server (``kapdesk migrate``,
``kapdesk backup`` of a server).

:func:`move_clinic` copies every row (:mod:`kapdesk.storage.clinic_copy`) and verifies
the destination before it counts as done:

* refused before anything is written: the same store twice, a missing source, a source
  not at the head revision (open it with kapdesk first) or failing its check (a file:
  the whole ``kapdesk check``; a server: the audit chain re-hashed), a destination that
  is not empty (an existing file; a server database with any kapdesk row or any table
  that is not kapdesk's);
* verified at the destination: every table's row count and the content of every row
  (:mod:`kapdesk.storage.clinic_verify`: the same canonical rendering on both dialects)
  equal to what was read from the source, the audit chain re-hashed; a file destination
  also passes the whole ``kapdesk check`` (chain, row replay, every signature); at a
  server destination every signature is recomputed from the copied records, as
  ``kapdesk check --db URL`` does, before the copy commits;
* a file is written as ``<name>.partial`` and renamed only once verified, else removed;
  a server database is filled and verified in one transaction, committed only once
  verified (else rolled back: the schema stays, empty). Ctrl-C leaves the same.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect

from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import N_, _
from kapdesk.services.wording import count
from kapdesk.storage.clinic_copy import (
    CopyRefused,
    copy_clinic,
    destination_problems,
    nul_text_problems,
    privilege_problems,
    tables,
)
from kapdesk.storage.clinic_copy import source_problems as schema_problems
from kapdesk.storage.clinic_verify import (
    TableDigest,
    digest_differences,
    first_difference,
    recompute_chain,
    table_digests,
)
from kapdesk.storage.migrate import head_revision

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from kapdesk.storage.server_url import ServerURL

Say = Callable[[str], object]
PARTIAL_SUFFIX = ".partial"
SQLITE_COMMIT_ROWS = 50_000


class VerificationFailed(KapdeskError):
    """The copy was made but does not match its source; it was removed / rolled back."""


@dataclass(frozen=True)
class Store:
    """One side of a move: a kapdesk file (``path``, ``key`` if encrypted) or a server."""

    path: Path | None = None
    server: ServerURL | None = None
    key: str | None = None

    @property
    def shown(self) -> str:
        return str(self.path) if self.path is not None else str(self.server)

    def same_as(self, other: Store) -> bool:
        if self.path is not None and other.path is not None:
            a, b = self.path.absolute(), other.path.absolute()
            return a == b or (a.exists() and b.exists() and os.path.samefile(a, b))
        if self.server is not None and other.server is not None:
            x, y = self.server, other.server
            return (x.host, x.port, x.database) == (y.host, y.port, y.database)
        return False


def server_store(text: str) -> Store:
    """The server of a ``postgresql://`` URL; :class:`BadServerURL` says what is wrong."""
    from kapdesk.storage.server_url import parse_server_url

    return Store(server=parse_server_url(text))


def shown_url(text: str) -> str:
    """A URL as given, fit for a message: its password (and secret parameters) hidden."""
    from kapdesk.storage.server_url import hide_secrets

    return hide_secrets(text)


@dataclass
class MoveResult:
    rows: dict[str, int]
    audit_entries: int
    checks: list[str] = field(default_factory=list)  # what was verified, one line each
    seconds: float = 0.0


# What a progress line says, by its verb: ("<table>: N rows", "<table>: N of M rows").
_PROGRESS = {
    "copied": (N_("copied {table}: {total} rows"), N_("copied {table}: {done} of {total} rows")),
    "verifying": (
        N_("verifying {table}: {total} rows"),
        N_("verifying {table}: {done} of {total} rows"),
    ),
}


class _Progress:
    """Lines for stderr: each table when done, a long one also every ~5 s on the way."""

    def __init__(self, say: Say | None, verb: str) -> None:
        self.say, self.verb, self._last = say, verb, 0.0

    def __call__(self, table: str, done: int, total: int) -> None:
        if self.say is None:
            return
        now = time.monotonic()
        finished, so_far = _PROGRESS[self.verb]
        if done == total:
            self.say(_(finished, table=table, total=count(total)))
        elif done and now - self._last >= 5:
            self.say(_(so_far, table=table, done=count(done), total=count(total)))
        else:
            return
        self._last = now


def move_clinic(source: Store, dest: Store, *, say: Say | None = None) -> MoveResult:
    """Copy the clinic at ``source`` into the empty ``dest`` and verify it (module doc)."""
    started = time.monotonic()
    _refuse_pair(source, dest)
    if dest.server is not None:  # before a long source check: unreachable, not empty
        _server_must_be_empty(dest)
    with _source_connection(source) as src:
        checks = _check_source(source, src, say)
        if dest.server is not None and source.path is not None:
            problems = nul_text_problems(src, source.shown)
            if problems:
                raise CopyRefused(_("{problem}; nothing was written.", problem=problems[0]))
        if dest.path is not None:
            result = _to_file(src, dest, dest.path, say)
        else:
            result = _to_server(src, dest, say)
    result.checks[:0] = checks
    result.seconds = time.monotonic() - started
    return result


def _refuse_pair(source: Store, dest: Store) -> None:
    if source.same_as(dest):
        raise CopyRefused(
            _("--from and --to are the same database ({database}).", database=source.shown)
        )
    if source.path is not None and not source.path.is_file():
        raise CopyRefused(_("--from {path}: no such file.", path=source.path))
    if dest.path is not None:
        if dest.path.is_dir():
            raise CopyRefused(
                _("--to {path} is a folder; give the name of a new file.", path=dest.path)
            )
        if dest.path.exists():
            raise CopyRefused(
                _(
                    "--to {path} already exists: migrate writes only into a new file or an "
                    "empty server database; nothing was written.",
                    path=dest.path,
                )
            )
        if not dest.path.parent.is_dir():
            raise CopyRefused(
                _(
                    "--to {path}: the folder {folder} does not exist.",
                    path=dest.path,
                    folder=dest.path.parent,
                )
            )


@contextmanager
def _engine(store: Store, *, readonly: bool) -> Iterator[Engine]:
    if store.server is not None:
        from kapdesk.storage.pg_engine import create_server_engine

        engine = create_server_engine(store.server, pool_size=2)
    else:
        assert store.path is not None
        from kapdesk.storage.engine import create_readonly_engine, create_sqlite_engine

        factory = create_readonly_engine if readonly else create_sqlite_engine
        engine = factory(store.path, key=store.key)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _source_connection(source: Store) -> Iterator[Connection]:
    """One read-only snapshot of the source for the whole copy."""
    if source.path is not None:
        from kapdesk.storage.sqlite_file import inspect_file

        inspect_file(source.path, key=source.key)  # not kapdesk / wrong key: refused here
    with _engine(source, readonly=True) as engine:
        from kapdesk.storage.engine import with_tx_mode

        with _reachable(source), with_tx_mode(engine, "read").connect() as conn, conn.begin():
            yield conn


@contextmanager
def _reachable(store: Store) -> Iterator[None]:
    """A server that cannot be reached (or refuses the login) is one clear message."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        if store.server is None:
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CopyRefused(
            _(
                "cannot reach the clinic server {server}: {reason}",
                server=store.shown,
                reason=reason,
            )
        ) from None


def _check_source(source: Store, conn: Connection, say: Say | None) -> list[str]:
    problems = schema_problems(conn, head_revision(), source.shown)
    if problems:
        raise CopyRefused(_("{problem}; nothing was written.", problem=problems[0]))
    if source.path is not None:
        from kapdesk.services.database_check import run_check

        if say:
            say(_("checking {source} (kapdesk check) before copying it", source=source.shown))
        lines, ok = run_check(source.path, key=source.key, full=True)
        if not ok:
            raise CopyRefused(
                _(
                    "the source fails its check ({problems}); fix it before moving the "
                    "clinic; nothing was written.",
                    problems="; ".join(lines[:3]),
                )
            )
        return [_("source {source}: kapdesk check passed", source=source.shown)]
    if say:
        say(_("re-hashing the audit chain of {source} before copying it", source=source.shown))
    chain = recompute_chain(conn)
    if not chain.ok:
        raise CopyRefused(
            _(
                "the source's audit trail is broken ({problem}); nothing was written.",
                problem=chain.problem,
            )
        )
    return [
        _(
            "source {source}: audit chain of {n} entries intact",
            source=source.shown,
            n=chain.entries,
        )
    ]


def _verify(
    src: Connection, dest: Connection, read: dict[str, TableDigest], say: Say | None
) -> list[str]:
    """Row counts, row content and the audit chain at ``dest``; raises VerificationFailed."""
    written = table_digests(dest, _Progress(say, "verifying"))
    differing = digest_differences(read, written)
    if differing:
        named = {t.name: t for t in tables()}
        detail = [
            first_difference(src, dest, named[name]) if "content" in line else line
            for line in differing
            for name in [line.split()[1].rstrip(":")]
        ]
        raise VerificationFailed(
            _("the copy does not match its source: {detail}", detail="; ".join(detail[:5]))
        )
    chain = recompute_chain(dest)
    if not chain.ok:
        raise VerificationFailed(
            _("the copy's audit trail does not check out: {problem}", problem=chain.problem)
        )
    rows = sum(d.rows for d in written.values())
    return [
        _(
            "{tables} tables, {rows} rows: counts and content equal to the source",
            tables=len(written),
            rows=count(rows),
        ),
        _(
            "audit chain of {n} entries re-hashed at the destination: intact",
            n=count(chain.entries),
        ),
    ]


def _to_file(src: Connection, dest: Store, path: Path, say: Say | None) -> MoveResult:
    from kapdesk.services.database_check import run_check
    from kapdesk.storage.db import Database
    from kapdesk.storage.sqlite_file import sidecars

    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    for stale in (partial, *sidecars(partial)):
        stale.unlink(missing_ok=True)
    try:
        with Database.open(partial, key=dest.key) as db, db.engine.connect() as conn:
            # Destination checks as for a server: a new file is empty by construction.
            problems = destination_problems(conn, dest.shown)
            if problems:
                raise CopyRefused(problems[0])
            conn.commit()
            copied = copy_clinic(
                src, conn, progress=_Progress(say, "copied"), commit_every=SQLITE_COMMIT_ROWS
            )
            conn.commit()
            checks = _verify(src, conn, copied.digests, say)
            conn.commit()
        if say:
            say(_("checking {file} (kapdesk check)", file=path.name))
        lines, ok = run_check(partial, key=dest.key, full=True)
        if not ok:
            raise VerificationFailed(
                _(
                    "the copy, equal to its source row for row, fails kapdesk check, so the "
                    "source has the same problem: {problems}; the file was removed",
                    problems="; ".join(lines[:3]),
                )
            )
        checks.append(
            _("destination {path}: kapdesk check passed (every signature verified)", path=path)
        )
        if path.exists():
            raise CopyRefused(
                _("--to {path} appeared while copying; the copy was removed.", path=path)
            )
        os.replace(partial, path)
    except BaseException:
        for leftover in (partial, *sidecars(partial)):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise
    counts = {name: d.rows for name, d in copied.digests.items()}
    return MoveResult(counts, copied.audit_counter, checks)


def server_must_be_empty(dest: Store) -> None:
    """:class:`CopyRefused` unless a move could fill ``dest`` (a server): asked before long
    work whose result would be moved there (``kapdesk demo --years N --db URL``)."""
    _server_must_be_empty(dest)


def _server_must_be_empty(dest: Store) -> None:
    """Reachable, and no kapdesk row nor other table: checked before anything is created."""
    with _engine(dest, readonly=False) as engine, _reachable(dest), engine.connect() as conn:
        problems = destination_problems(conn, dest.shown)
        if inspect(conn).has_table("alembic_version"):  # a schema already: may we fill it?
            problems = problems or privilege_problems(conn, dest.shown)
        conn.rollback()
    if problems:
        raise CopyRefused(_("{problem}; nothing was written.", problem=problems[0]))


def _to_server(src: Connection, dest: Store, say: Say | None) -> MoveResult:
    assert dest.server is not None
    from kapdesk.storage.db import Database

    _server_must_be_empty(dest)
    # Creates the schema (Alembic, stamped at head) when the database has none yet.
    with _reachable(dest), Database.open(dest.server) as db, db.engine.connect() as conn:
        refusals = schema_problems(conn, head_revision(), dest.shown) or privilege_problems(
            conn, dest.shown
        )
        if refusals:
            raise CopyRefused(_("{problem}; nothing was written.", problem=refusals[0]))
        conn.rollback()
        with conn.begin():
            problems = destination_problems(conn, dest.shown)  # nobody filled it meanwhile
            if problems:
                raise CopyRefused(_("{problem}; nothing was written.", problem=problems[0]))
            copied = copy_clinic(src, conn, progress=_Progress(say, "copied"))
            checks = _verify(src, conn, copied.digests, say)  # before COMMIT: else rolled back
            checks.append(_signatures_at(conn, dest, say))
    counts = {name: d.rows for name, d in copied.digests.items()}
    checks.append(_("destination {server}: committed only after verification", server=dest.shown))
    return MoveResult(counts, copied.audit_counter, checks)


def _signatures_at(conn: Connection, dest: Store, say: Say | None) -> str:
    """Every signature re-verified at a server destination, as ``kapdesk check --db URL``
    verifies them (in the copying transaction: it sees the uncommitted copy); raises
    VerificationFailed naming the first few that do not check out."""
    from kapdesk.services.integrity import verify_signatures
    from kapdesk.storage.server_signed import bulk_matched

    if say:
        say(_("verifying every signature at {server}", server=dest.shown))
    report = verify_signatures(conn, matched=bulk_matched(conn))
    if not report.ok:
        messages = report.messages()
        more = _(" (and {n} more)", n=len(messages) - 5) if len(messages) > 5 else ""
        raise VerificationFailed(
            _(
                "the copy's signatures do not check out at the destination: "
                "{problems}{more}; nothing was kept",
                problems="; ".join(messages[:5]),
                more=more,
            )
        )
    return _(
        "{n} signatures verified at the destination: every one matches",
        n=count(report.checked),
    )


def back_up_server(server: ServerURL, dest: Path, *, say: Say | None = None) -> MoveResult:
    """`kapdesk backup --db URL -o FILE`: the server's clinic as a new, verified kapdesk file,
    then ``backup.create_console`` in the server's audit trail (as a file's console backup:
    the copy holds the trail up to the entry before it)."""
    from kapdesk.services.console import audit_console
    from kapdesk.services.context import ServiceContext
    from kapdesk.storage.db import Database

    result = move_clinic(Store(server=server), Store(path=dest), say=say)
    with Database.open(server, create=False, migrate=False) as db:
        after = {"file": str(dest), "reason": "console", "bytes": dest.stat().st_size}
        audit_console(ServiceContext(db=db), "backup.create_console", after=after)
    return result
