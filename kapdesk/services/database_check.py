"""``kapdesk check``: every check of a database file, one line per finding.

For a file at the current schema, read-only:

* SQLite's ``integrity_check`` and ``foreign_key_check``;
* the audit chain (:func:`kapdesk.storage.audit_chain.verify_chain`): by default re-hashed
  from the newest *verified* anchor it still matches (and every id from 1 present),
  with ``full`` from the first entry;
* the anchors outside the file (:mod:`kapdesk.storage.anchor`) and printed record seals;
* the schema objects and triggers against the migration head
  (:mod:`kapdesk.storage.schema_check`);
* every audited row against its audit trail (:mod:`kapdesk.storage.audit_replay`);
* every signature (:mod:`kapdesk.services.integrity`) and pinned protocol version: by
  default only those the newest verified anchor does not vouch for are rebuilt, all of
  them when anything else is found (:mod:`kapdesk.services.check_vouch`); with ``full``
  every one.

The work runs in a small thread pool: SQLite runs without Python's lock, so
``integrity_check`` and the pieces of the row replay (each on its own read-only
connection: a piece compares a table's rows with their own entries, so it needs
no snapshot shared with the others) share the processors with the chain checks on
the main connection. On a big file the SQL passes of the row replay and of the
signatures, and ``foreign_key_check``, run in worker processes instead
(:mod:`kapdesk.storage.replay_processes`), and this process judges in Python only what they
could not match. An unencrypted file is read through plain sqlite3 connections
(:class:`kapdesk.storage.raw_read.RawConnection`): a check that finds nothing never imports
SQLAlchemy (~0.13 s of processor time); what it finds is judged through SQLAlchemy and the
ORM on the same read transaction. A file at another schema, or not a kapdesk file, gets the
storage checks only (:func:`kapdesk.storage.backup.verify_database`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kapdesk.i18n import N_, _
from kapdesk.services.check_threads import open_worker_connection, replay_in_threads
from kapdesk.services.check_vouch import (
    Vouching,
    anchor_files,
    once,
    read_all,
    rebuilt_at,
    signed_note,
    vouching,
)
from kapdesk.services.integrity import check_lines, verify_signatures
from kapdesk.services.pinned_check import version_problems
from kapdesk.storage import anchor as anchors_mod
from kapdesk.storage.audit_chain import ChainReport, verify_chain
from kapdesk.storage.audit_replay import (
    ReplayReport,
    finish_part,
    merged,
    parts,
    pass_query,
    replay,
)
from kapdesk.storage.backup import (
    FOREIGN_KEY_PRAGMA,
    Problem,
    _sqlite_checks,
    foreign_key_problems,
    integrity_problems,
    verify_database,
)
from kapdesk.storage.early_integrity import EarlyIntegrity
from kapdesk.storage.errors import DatabaseMissing, NotAKapdeskDatabase
from kapdesk.storage.raw_read import RawConnection, reading
from kapdesk.storage.replay_processes import (
    PROCESS_MIN_BYTES,
    PROCESS_WORKERS,
    ReplayProcesses,
)
from kapdesk.storage.revisions import head_revision
from kapdesk.storage.schema_check import expected_objects, schema_problems
from kapdesk.storage.settings_store import settings_check_lines
from kapdesk.storage.signed_sql import (
    SignaturePiece,
    entry_tables,
    pieces_holding,
    signature_kinds,
    signature_pieces,
    signature_queries,
    signatures_covering,
)
from kapdesk.storage.sqlite_file import FileKind, inspect_file

if TYPE_CHECKING:
    from kapdesk.storage.raw_read import Readable

T = TypeVar("T")
WORKERS = 3
ROWS_CHECK = N_(
    "rows against the audit trail"
)  # integrity_check, and two for the row replay beside the chain


@dataclass
class _Findings:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the "ok (...)" details

    def guarded(self, what: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except Exception as exc:  # unreadable is itself a finding
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.problems.append(
                _("{what} could not be checked: {problem}", what=_(what), problem=first)
            )
            return None


def ids_continuous(conn: Readable) -> bool:
    """Every id from 1 to the newest present, none twice (reads the smallest index only)."""
    count, top = conn.exec_driver_sql("SELECT count(*), max(id) FROM audit_log").one()
    return bool(count == (top or 0))


def _chain(
    conn: Readable, found: _Findings, anchors: Sequence[anchors_mod.Anchor], full: bool
) -> ChainReport:
    start = None if full else anchors_mod.newest_verified(anchors)
    if start is not None:
        stored = conn.exec_driver_sql(
            "SELECT hash FROM audit_log WHERE id = ?", (start.entry_id,)
        ).scalar()
        if stored != start.hash or not ids_continuous(conn):
            start = None  # the anchor finding says why; re-hash everything to locate it
    report = verify_chain(conn, start=(start.entry_id, start.hash) if start else None)
    if not report.ok:
        found.problems.append(_("audit trail broken: {problem}", problem=report.problem))
    elif start is not None:
        found.notes.append(
            _(
                "entries 1-{last} as verified and anchored on {when}, none missing; {n} later "
                "entries re-hashed (check --full re-hashes every entry)",
                last=start.entry_id,
                when=anchors_mod._when(start.at),
                n=report.entries_checked,
            )
        )
    return report


def _anchors(
    conn: Readable, path: Path, found: _Findings, extra: Iterable[Path]
) -> list[anchors_mod.Anchor]:
    anchors, unreadable = read_all(anchor_files(conn, path, extra))
    found.problems.extend(unreadable)
    found.problems.extend(anchors_mod.anchor_problems(conn, anchors))
    live = anchors_mod.current(anchors)
    if live:
        newest = max(live, key=lambda a: a.entry_id)
        found.notes.append(
            _(
                "the chain matches its {n} anchors outside the file, newest entry {entry} of "
                "{when} ({reason})",
                n=len(live),
                entry=newest.entry_id,
                when=anchors_mod._when(newest.at),
                reason=newest.reason,
            )
        )
    else:
        found.notes.append(
            _(
                "no anchor outside the file yet (written at every backup): the chain is "
                "checked against itself only"
            )
        )
    return anchors


Clean = Callable[[], bool]  # the check found nothing wrong but in signatures (waits for it)


@dataclass
class _Started:
    """Work handed to workers: wait for it with these."""

    replay: Callable[[], list[ReplayReport]]
    # the signatures SQL already matched, given whether the rest of the check was clean;
    # None: verify_signatures runs that pass itself
    signatures: Callable[[Clean], frozenset[int]] | None = None
    vouching: Vouching | None = None  # the anchor's vouch the signatures rely on


def _vouched_threads(
    path: Path, replay: Callable[[], list[ReplayReport]], vouch: Vouching
) -> _Started:
    """A small file's signatures beside an anchor's vouch: the others rebuilt here."""

    def matched(clean: Clean) -> frozenset[int]:
        return rebuilt_at(path, vouch.plan.verify) | vouch.settle(
            clean, lambda ids: rebuilt_at(path, ids)
        )

    return _Started(replay, matched, vouch)


def _in_processes(
    path: Path,
    pool: ThreadPoolExecutor,
    conn: Readable,
    early: ReplayProcesses | None,
    vouch: Vouching | None,
) -> _Started:
    """A big file's SQL passes in worker processes (``early``: already started; the
    signatures' first, which the main thread waits for sooner); what they leave to judge,
    and the small tables judged whole, in this process. ``vouch``: only the signatures
    the anchor does not vouch for are rebuilt (the others when the check is not clean)."""
    processes = early or ReplayProcesses(path, PROCESS_WORKERS)
    try:
        pieces = parts(conn)
        # every row of these is compared as text with its newest entry in SQL
        texts = entry_tables({p.spec.table for p in pieces if p.low is not None}) - {
            p.spec.table for p in pieces if p.low is None and not p.vanished
        }
        kinds, sig_pieces = signature_kinds(conn), signature_pieces(conn)
        need = None if vouch is None else vouch.plan.verify
        if need is not None:
            sig_pieces = pieces_holding(sig_pieces, need) if need else []
        matches = [
            processes.matched(signature_queries(kinds, piece, texts)) for piece in sig_pieces
        ]
        passes, whole = [], []
        for part in pieces:
            query = pass_query(conn, part)
            if query is None:
                whole.append(part)
            else:
                passes.append((part, processes.rows(query)))
    except BaseException:
        processes.close()
        raise
    in_threads = replay_in_threads(path, pool, whole, 1)

    def collect() -> list[ReplayReport]:
        try:
            found = [(part, future.result()) for part, future in passes]
        finally:
            processes.close()
        reports = in_threads()
        judge = open_worker_connection(path)
        try:  # finish_part reads nothing more for a piece whose rows all matched
            reports += [finish_part(judge, part, rows) for part, rows in found]
        finally:
            judge.close()
        return reports

    def matched(clean: Clean) -> frozenset[int]:
        """The signatures matched taking rows of ``texts`` from their entries, where the row
        replay found each such row to be exactly its entry's text. The signatures of a row
        found differing (a print audited on a session, a row changed behind the app) run
        again with every row printed; every piece does when the replay could not print a
        piece. Then those the anchor vouches for (:meth:`Vouching.settle`)."""
        first = [f.result() for f in matches]
        ranges = [(p, f.result()) for p, f in passes if p.spec.table in texts and not p.vanished]
        redo = sig_pieces
        if all(rows is not None for _part, rows in ranges):
            differing: dict[str, set[int]] = {}
            for part, rows in ranges:
                differing.setdefault(part.spec.table, set()).update(int(r[0]) for r in rows or ())
            redo = _pieces_to_print(path, sig_pieces, differing, need)
        again = [processes.matched(signature_queries(kinds, piece)) for piece in redo]
        printed = [range(p.low, p.high + 1) for p in redo]
        kept = frozenset().union(*first).difference(*printed)
        now = kept.union(*(f.result() for f in again))
        if vouch is None:
            return now
        return now | vouch.settle(clean, lambda ids: rebuilt_at(path, ids))

    return _Started(collect, matched, vouch)


def _pieces_to_print(
    path: Path,
    pieces: list[SignaturePiece],
    differing: dict[str, set[int]],
    only: frozenset[int] | None = None,
) -> list[SignaturePiece]:
    """Pieces covering the signatures of the ``differing`` rows (:func:`pieces_holding`),
    of ``only`` those if given."""
    if not any(differing.values()):
        return []
    conn = open_worker_connection(path)
    try:
        covering = signatures_covering(conn, differing)
        return pieces_holding(pieces, covering if only is None else covering & only)
    finally:
        conn.close()


def _replay_parts(
    path: Path,
    pool: ThreadPoolExecutor,
    early: ReplayProcesses | None = None,
    vouch_of: Callable[[Readable], Vouching | None] = lambda conn: None,
) -> _Started:
    """Start the row replay in pieces; wait for them with what is returned.

    A big file's SQL passes run in worker processes (:mod:`kapdesk.storage.replay_processes`:
    replay threads of one process contend inside SQLite); a small file is replayed by
    worker threads in ``pool``, each on one connection, beside integrity_check and the
    chain. (An encrypted file is replayed on the main connection: each new connection
    derives the key again.)"""
    try:
        with RawConnection(path) as conn:
            vouch = vouch_of(conn)
            if path.stat().st_size >= PROCESS_MIN_BYTES:
                used, early = early, None  # _in_processes closes it
                return _in_processes(path, pool, conn, used, vouch)
            pieces = parts(conn)
    finally:
        if early is not None:
            early.close()
    replay = replay_in_threads(path, pool, pieces, WORKERS)
    return _Started(replay) if vouch is None else _vouched_threads(path, replay, vouch)


def _content(
    path: Path,
    key: str | None,
    full: bool,
    seals: Sequence[str],
    extra: Iterable[Path],
    pool: ThreadPoolExecutor,
    early: ReplayProcesses | None,
) -> tuple[_Findings, ChainReport | None]:
    found, extra = _Findings(), list(extra)
    started = (
        found.guarded(
            ROWS_CHECK,
            lambda: _replay_parts(path, pool, early, lambda c: vouching(c, path, extra, full)),
        )
        if key is None
        else None
    )
    replayed = once(started.replay) if started is not None else None
    held: list[str] = []  # found, listed after the signatures' findings

    def clean() -> bool:
        """Nothing found so far, and every row agrees with its audit trail."""
        if found.problems or held or replayed is None:
            return False
        try:
            return not merged(replayed()).findings
        except Exception:  # reported where the replay is collected below
            return False

    matched = partial(started.signatures, clean) if started and started.signatures else None
    vouch = started.vouching if started else None
    trusted = vouch.trusted if vouch else None
    rows: ReplayReport | None = None
    chain: ChainReport | None = None
    with reading(path, key) as conn:
        anchors = found.guarded(N_("anchors"), lambda: _anchors(conn, path, found, extra)) or []
        chain = found.guarded(N_("audit trail"), lambda: _chain(conn, found, anchors, full))
        found.problems.extend(anchors_mod.seal_problems(conn, seals))
        schema = found.guarded(N_("schema"), lambda: schema_problems(conn))
        found.problems.extend(schema or [])
        # read before waiting for the workers' signature matches
        protocols = found.guarded(N_("protocol versions"), lambda: _protocols(conn)) or []
        held += protocols
        held += found.guarded(N_("clinic settings"), lambda: settings_check_lines(conn)) or []
        sigs = found.guarded(
            N_("signatures"),
            lambda: verify_signatures(conn, matched=matched, vouched=trusted),
        )
        if sigs is not None:
            found.problems.extend(sigs.messages())
        found.problems.extend(held)
        if key is not None:
            rows = found.guarded(ROWS_CHECK, lambda: replay(conn))
    if replayed is not None:
        rows = found.guarded(ROWS_CHECK, lambda: merged(replayed()))
    if rows is not None:
        found.problems.extend(rows.messages())
    if rows is not None and sigs is not None and schema is not None:
        triggers = sum(1 for k, _t, _s in expected_objects().values() if k == "trigger")
        found.notes.insert(0, signed_note(sigs.checked, started.vouching if started else None))
        found.notes.insert(
            1,
            _(
                "{n} rows agree with their audit trail; tables, indexes and {triggers} "
                "triggers as schema {revision} defines",
                n=rows.rows_checked,
                triggers=triggers,
                revision=head_revision(),
            ),
        )
    return found, chain


def _protocols(conn: Readable) -> list[str]:
    from kapdesk.domain.protocol import builtin_protocols

    return version_problems(conn, builtin_protocols())


def run_check(
    path: Path,
    *,
    key: str | None = None,
    full: bool = False,
    seals: Sequence[str] = (),
    anchor_files: Iterable[Path] = (),
    processes: ReplayProcesses | None = None,
    integrity: EarlyIntegrity | None = None,
) -> tuple[list[str], bool]:
    """What ``kapdesk check`` prints, and whether all is well (see the module doc).

    ``processes``: replay workers already started for ``path``
    (:meth:`ReplayProcesses.early`); used if the file is replayed in processes, and
    closed in any case. ``integrity``: ``path``'s integrity_check already started
    (unencrypted files only); used for a kapdesk file at the current schema, else stopped."""
    try:
        return _run_check(Path(path), key, full, seals, anchor_files, processes, integrity)
    finally:
        if processes is not None:
            processes.close()
        if integrity is not None:
            integrity.cancel()  # nothing left to stop once it has been used


def _foreign_keys(
    found: Future[list[tuple[Any, ...]] | None] | None, path: Path, key: str | None
) -> list[Problem]:
    """``foreign_key_check``'s findings: as a replay worker found them (``found``), else
    (no worker, or it could not run it, or it died) read here."""
    try:
        rows = None if found is None else found.result()
    except (CancelledError, BrokenExecutor):
        rows = None
    if rows is None:
        return _sqlite_checks(path, key, integrity=False)
    return foreign_key_problems(rows)


def _run_check(
    path: Path,
    key: str | None,
    full: bool,
    seals: Sequence[str],
    anchor_files: Iterable[Path],
    early: ReplayProcesses | None,
    integrity: EarlyIntegrity | None = None,
) -> tuple[list[str], bool]:
    if not path.is_file() and not path.is_dir():
        raise DatabaseMissing(path)
    try:
        info = inspect_file(path, key=key)
    except NotAKapdeskDatabase:
        info = None
    if info is None or info.kind is not FileKind.KAPDESK or info.revision != head_revision():
        if integrity is not None:
            integrity.cancel()  # verify_database runs its own: not two reading the file
        report = verify_database(path, key=key)
        return check_lines(path, report, key=key)

    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="check") as pool:
        # integrity_check is the longest task: first (if not started already), beside
        # foreign_key_check (on a big file in a replay worker: memory-mapped there)
        fk = None if early is None else early.rows((FOREIGN_KEY_PRAGMA, ()))
        storage = [pool.submit(_foreign_keys, fk, path, key)]
        if integrity is None or key is not None:
            storage.insert(0, pool.submit(_sqlite_checks, path, key, foreign_keys=False))
        else:
            integrity.opened()  # as _sqlite_checks: a file SQLite cannot open raises
        found, chain = _content(path, key, full, seals, anchor_files, pool, early)
        sqlite_problems = [p.message for task in storage for p in task.result()]
        if integrity is not None and key is None:
            sqlite_problems[:0] = [p.message for p in integrity_problems(integrity.rows)]
    problems = [*sqlite_problems, *found.problems]
    if problems:
        return [f"{path}: {m}" for m in problems], False
    entries = chain.head[0] if chain and chain.head else 0
    lines = [
        _(
            "{path}: ok (integrity, foreign keys, schema {revision} is current, audit trail "
            "of {n} entries intact)",
            path=path,
            revision=info.revision,
            n=entries,
        ),
        *(_("{path}: ok ({note})", path=path, note=note) for note in found.notes),
    ]
    return lines, True
