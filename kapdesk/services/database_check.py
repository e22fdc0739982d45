"""``kapdesk check``: every check of a database file, one line per finding.

For a file at the current schema, read-only:

* SQLite's ``integrity_check`` and ``foreign_key_check``;
* the audit chain (:func:`kapdesk.storage.audit.verify_chain`): by default re-hashed
  from the newest *verified* anchor it still matches (and every id from 1 present),
  with ``full`` from the first entry;
* the anchors outside the file (:mod:`kapdesk.storage.anchor`) and printed record seals;
* the schema objects and triggers against the migration head
  (:mod:`kapdesk.storage.schema_check`);
* every audited row against its audit trail (:mod:`kapdesk.storage.audit_replay`);
* every signature (:mod:`kapdesk.services.integrity`) and pinned protocol version.

The work runs in a small thread pool: SQLite runs without Python's lock, so
``integrity_check`` and the pieces of the row replay (each on its own read-only
connection: a piece compares a table's rows with their own entries, so it needs
no snapshot shared with the others) share the processors with the chain checks on
the main connection. On a big file the SQL passes of the row replay and of the
signatures run in worker processes instead (:mod:`kapdesk.storage.replay_processes`),
and this process judges in Python only what they could not match. A file at another
schema, or not a kapdesk file, gets the storage checks only
(:func:`kapdesk.storage.backup.verify_database`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from kapdesk.i18n import N_, _
from kapdesk.services.integrity import check_lines, verify_signatures
from kapdesk.services.protocol_store import version_problems
from kapdesk.storage import anchor as anchors_mod
from kapdesk.storage.audit import ChainReport, verify_chain
from kapdesk.storage.audit_replay import (
    Part,
    ReplayReport,
    finish_part,
    merged,
    parts,
    pass_query,
    replay,
    replay_part,
)
from kapdesk.storage.backup import _sqlite_checks, integrity_problems, verify_database
from kapdesk.storage.early_integrity import EarlyIntegrity
from kapdesk.storage.engine import create_readonly_engine
from kapdesk.storage.errors import DatabaseMissing, NotAKapdeskDatabase
from kapdesk.storage.migrate import head_revision
from kapdesk.storage.replay_processes import (
    CACHE_KIB,
    MMAP_BYTES,
    PROCESS_MIN_BYTES,
    PROCESS_WORKERS,
    ReplayProcesses,
)
from kapdesk.storage.schema_check import expected_objects, schema_problems
from kapdesk.storage.settings_store import configured_backup_folder, settings_check_lines
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


def ids_continuous(conn: Connection) -> bool:
    """Every id from 1 to the newest present, none twice (reads the smallest index only)."""
    count, top = conn.exec_driver_sql("SELECT count(*), max(id) FROM audit_log").one()
    return bool(count == (top or 0))


def _chain(
    conn: Connection, found: _Findings, anchors: Sequence[anchors_mod.Anchor], full: bool
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
    conn: Connection, path: Path, found: _Findings, extra: Iterable[Path]
) -> list[anchors_mod.Anchor]:
    chosen = configured_backup_folder(conn)  # the clinic setting: anchors go there too
    if chosen is not None:
        extra = [*extra, anchors_mod.anchor_file(chosen, path)]
    files = anchors_mod.existing_anchor_files(path, extra)
    anchors: list[anchors_mod.Anchor] = []
    for file in files:
        read, unreadable = anchors_mod.read_anchors(file)
        anchors.extend(read)
        found.problems.extend(unreadable)
    anchors.sort(key=lambda a: a.at)
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


def open_worker_connection(path: Path) -> Connection:
    """A read-only connection for replay pieces, inside one read transaction."""
    connection = create_readonly_engine(path).connect()
    connection.begin()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
    connection.exec_driver_sql(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return connection


def _replay_worker(path: Path, queue: SimpleQueue[Part]) -> list[ReplayReport]:
    """Replay pieces from ``queue`` until it is empty, on one connection."""
    reports: list[ReplayReport] = []
    conn = open_worker_connection(path)
    try:
        while True:
            try:
                part = queue.get_nowait()
            except Empty:
                return reports
            reports.append(replay_part(conn, part))
    finally:
        conn.close()
        conn.engine.dispose()


@dataclass
class _Started:
    """Work handed to workers: wait for it with these."""

    replay: Callable[[], list[ReplayReport]]
    # the signatures SQL already matched; None: verify_signatures runs that pass itself
    signatures: Callable[[], frozenset[int]] | None = None


def _threads(
    path: Path, pool: ThreadPoolExecutor, pieces: list[Part], workers: int
) -> Callable[[], list[ReplayReport]]:
    """Replay ``pieces`` in ``workers`` threads of ``pool``, each on one connection."""
    queue: SimpleQueue[Part] = SimpleQueue()
    for piece in pieces:
        queue.put(piece)
    started = [pool.submit(_replay_worker, path, queue) for _ in range(workers)]
    return lambda: [report for worker in started for report in worker.result()]


def _in_processes(
    path: Path, pool: ThreadPoolExecutor, conn: Connection, early: ReplayProcesses | None
) -> _Started:
    """A big file's SQL passes in worker processes (``early``: already started; the
    signatures' first, which the main thread waits for sooner); what they leave to judge,
    and the small tables judged whole, in this process."""
    processes = early or ReplayProcesses(path, PROCESS_WORKERS)
    try:
        pieces = parts(conn)
        # every row of these is compared as text with its newest entry in SQL
        texts = entry_tables({p.spec.table for p in pieces if p.low is not None}) - {
            p.spec.table for p in pieces if p.low is None and not p.vanished
        }
        kinds, sig_pieces = signature_kinds(conn), signature_pieces(conn)
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
    in_threads = _threads(path, pool, whole, 1)

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
            judge.engine.dispose()
        return reports

    def matched() -> frozenset[int]:
        """The signatures matched taking rows of ``texts`` from their entries, where the row
        replay found each such row to be exactly its entry's text. The signatures of a row
        found differing (a print audited on a session, a row changed behind the app) run
        again with every row printed; every piece does when the replay could not print a
        piece."""
        first = [f.result() for f in matches]
        ranges = [(p, f.result()) for p, f in passes if p.spec.table in texts and not p.vanished]
        redo = sig_pieces
        if all(rows is not None for _part, rows in ranges):
            differing: dict[str, set[int]] = {}
            for part, rows in ranges:
                differing.setdefault(part.spec.table, set()).update(int(r[0]) for r in rows or ())
            redo = _pieces_to_print(path, sig_pieces, differing)
        again = [processes.matched(signature_queries(kinds, piece)) for piece in redo]
        printed = [range(p.low, p.high + 1) for p in redo]
        kept = frozenset().union(*first).difference(*printed)
        return kept.union(*(f.result() for f in again))

    return _Started(collect, matched)


def _pieces_to_print(
    path: Path, pieces: list[SignaturePiece], differing: dict[str, set[int]]
) -> list[SignaturePiece]:
    """Pieces covering the signatures of the ``differing`` rows (:func:`pieces_holding`)."""
    if not any(differing.values()):
        return []
    conn = open_worker_connection(path)
    try:
        return pieces_holding(pieces, signatures_covering(conn, differing))
    finally:
        conn.close()
        conn.engine.dispose()


def _replay_parts(
    path: Path, pool: ThreadPoolExecutor, early: ReplayProcesses | None = None
) -> _Started:
    """Start the row replay in pieces; wait for them with what is returned.

    A big file's SQL passes run in worker processes (:mod:`kapdesk.storage.replay_processes`:
    replay threads of one process contend inside SQLite); a small file is replayed by
    worker threads in ``pool``, each on one connection, beside integrity_check and the
    chain. (An encrypted file is replayed on the main connection: each new connection
    derives the key again.)"""
    engine = create_readonly_engine(path)
    try:
        with engine.connect() as conn, conn.begin():
            if path.stat().st_size >= PROCESS_MIN_BYTES:
                used, early = early, None  # _in_processes closes it
                return _in_processes(path, pool, conn, used)
            pieces = parts(conn)
    finally:
        engine.dispose()
        if early is not None:
            early.close()
    return _Started(_threads(path, pool, pieces, WORKERS))


def _content(
    path: Path,
    key: str | None,
    full: bool,
    seals: Sequence[str],
    extra: Iterable[Path],
    pool: ThreadPoolExecutor,
    early: ReplayProcesses | None,
) -> tuple[_Findings, ChainReport | None]:
    found = _Findings()
    started = (
        found.guarded(ROWS_CHECK, lambda: _replay_parts(path, pool, early)) if key is None else None
    )
    matched = started.signatures if started is not None else None
    rows: ReplayReport | None = None
    engine = create_readonly_engine(path, key=key)
    chain: ChainReport | None = None
    try:
        with engine.connect() as conn, conn.begin():
            anchors = found.guarded(N_("anchors"), lambda: _anchors(conn, path, found, extra)) or []
            chain = found.guarded(N_("audit trail"), lambda: _chain(conn, found, anchors, full))
            found.problems.extend(anchors_mod.seal_problems(conn, seals))
            schema = found.guarded(N_("schema"), lambda: schema_problems(conn))
            found.problems.extend(schema or [])
            # read before waiting for the workers' signature matches
            protocols = found.guarded(N_("protocol versions"), lambda: _protocols(conn)) or []
            settings = (
                found.guarded(N_("clinic settings"), lambda: settings_check_lines(conn)) or []
            )
            sigs = found.guarded(N_("signatures"), lambda: verify_signatures(conn, matched=matched))
            if sigs is not None:
                found.problems.extend(sigs.messages())
            found.problems.extend(protocols)
            found.problems.extend(settings)
            if key is not None:
                rows = found.guarded(ROWS_CHECK, lambda: replay(conn))
    finally:
        engine.dispose()
    if started is not None:
        rows = found.guarded(ROWS_CHECK, lambda: merged(started.replay()))
    if rows is not None:
        found.problems.extend(rows.messages())
    if rows is not None and sigs is not None and schema is not None:
        triggers = sum(1 for k, _t, _s in expected_objects().values() if k == "trigger")
        found.notes.insert(0, _("{n} signed records match their signatures", n=sigs.checked))
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


def _protocols(conn: Connection) -> list[str]:
    from kapdesk.domain.protocol import builtin_protocols

    with Session(bind=conn) as s:
        return version_problems(s, builtin_protocols())


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
        # foreign_key_check
        storage = [pool.submit(_sqlite_checks, path, key, integrity=False)]
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
