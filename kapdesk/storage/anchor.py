"""The audit chain anchored outside the database file.

The head of the chain (newest entry id + hash) is appended, one JSON line per
anchor, to ``<db stem>.anchors`` in the backup folder at every backup (the GUI's,
``kapdesk backup``) and so at every clean exit (the exit backup), and after a
restore. Each printed summary carries the head as a short *record seal*
(:func:`seal`, e.g. ``18532-3fa9c2d1e0b4``).

``kapdesk check`` compares the database with every anchor since the newest
restore (:func:`anchor_problems`): a chain shorter than an anchored head (entries
removed, or the file swapped for an older copy) or one whose anchored entry now
has another hash (the chain rewritten from some point on) is a finding. Nothing
inside the file can hide that; an attacker who can also rewrite every anchor
(and every printed seal) is out of reach, and so is a change made after the
newest anchor that is then covered by a rewritten chain (see README).

An anchor is *verified* when the chain up to it was re-hashed before it was
written (incrementally from the previous verified anchor): ``check`` then
re-hashes only what came after the newest verified anchor (``--full``: all). A verified
anchor also records the signatures that matched their records at its head (``signatures``,
:mod:`kapdesk.storage.signature_vouch`): ``check`` then rebuilds only the others.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kapdesk.storage.raw_read import Readable


ANCHOR_SUFFIX = ".anchors"
BACKUP_FOLDER = "backups"
SEAL_HEX = 12
RESTORE = "restore"


@dataclass(frozen=True)
class SignatureVouch:
    """At an anchor's head: every signature with id <= ``through`` but those ``unmatched``
    had a record that hashed to it and a ``sign.signed`` entry recording it exactly."""

    through: int
    unmatched: tuple[int, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> SignatureVouch | None:
        """From an anchor line's ``signatures`` field; None if absent or not one."""
        if not isinstance(data, dict):
            return None
        through, unmatched = data.get("through"), data.get("unmatched", [])
        if type(through) is not int or not isinstance(unmatched, list):
            return None
        if any(type(i) is not int for i in unmatched):
            return None
        return cls(through, tuple(sorted(unmatched)))


@dataclass(frozen=True)
class Anchor:
    entry_id: int
    hash: str
    at: str  # ISO-8601 UTC, when it was written
    reason: str  # backup, exit, daily, manual, restore, ...
    verified: bool = False
    # verified anchors: the signatures matching their records at this head
    # (:mod:`kapdesk.storage.signature_vouch`); None: not recorded
    signatures: SignatureVouch | None = None


def seal(head: tuple[int, str] | None) -> str:
    """The short record seal of a chain head: ``<entry id>-<first 12 hex of its hash>``."""
    if head is None:
        return "0-" + "0" * SEAL_HEX
    return f"{head[0]}-{head[1][:SEAL_HEX]}"


def anchor_file(folder: Path, db_path: Path) -> Path:
    return Path(folder) / f"{Path(db_path).stem}{ANCHOR_SUFFIX}"


def anchor_folders(db_path: Path) -> list[Path]:
    """Where anchors of ``db_path`` are kept: the backup folder beside it, and the one in
    the user data folder (used when the first is not writable)."""
    from kapdesk.paths import data_dir

    folders = [Path(db_path).absolute().parent / BACKUP_FOLDER]
    with contextlib.suppress(OSError, RuntimeError):
        folders.append(data_dir() / BACKUP_FOLDER)
    return folders


def existing_anchor_files(db_path: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """The anchor files of ``db_path`` that exist (never creates anything)."""
    found: list[Path] = []
    for candidate in [*(anchor_file(f, db_path) for f in anchor_folders(db_path)), *extra]:
        if candidate.is_file() and all(not _same_file(candidate, f) for f in found):
            found.append(candidate)
    return found


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """The anchors in ``path``, oldest first, and a problem per unreadable line."""
    anchors: list[Anchor] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchors.append(
                Anchor(
                    int(data["entry_id"]),
                    str(data["hash"]),
                    str(data["at"]),
                    str(data["reason"]),
                    bool(data.get("verified", False)),
                    SignatureVouch.from_json(data.get("signatures")),
                )
            )
        except (ValueError, KeyError, TypeError):
            problems.append(f"anchor file {path} line {number} is unreadable")
    return anchors, problems


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Append one anchor line and force it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = asdict(anchor)
    if anchor.signatures is None:
        del fields["signatures"]  # the line as before the field existed
    line = json.dumps(fields, sort_keys=True) + "\n"
    with open(path, "a", encoding="utf-8") as out:
        out.write(line)
        out.flush()
        os.fsync(out.fileno())


def current(anchors: Sequence[Anchor]) -> list[Anchor]:
    """The anchors that describe the database now: those since the newest restore."""
    last_restore = max((i for i, a in enumerate(anchors) if a.reason == RESTORE), default=None)
    return list(anchors if last_restore is None else anchors[last_restore:])


def newest_verified(anchors: Sequence[Anchor]) -> Anchor | None:
    verified = [a for a in current(anchors) if a.verified]
    return max(verified, key=lambda a: a.entry_id, default=None)


def anchor_problems(conn: Readable, anchors: Sequence[Anchor]) -> list[str]:
    """How the chain in ``conn`` disagrees with ``anchors`` (the newest finding of each kind)."""
    live = current(anchors)
    if not live:
        return []
    top = conn.exec_driver_sql("SELECT max(id) FROM audit_log").scalar()
    last_id = int(top or 0)
    ids = sorted({a.entry_id for a in live})
    stored: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        batch = ids[i : i + 500]
        marks = ", ".join("?" for _ in batch)
        rows = conn.exec_driver_sql(
            f"SELECT id, hash FROM audit_log WHERE id IN ({marks})", tuple(batch)
        )
        stored.update({int(r[0]): str(r[1]) for r in rows})
    problems: list[str] = []
    beyond = [a for a in live if a.entry_id > last_id]
    if beyond:
        a = max(beyond, key=lambda x: x.entry_id)
        problems.append(
            f"the audit trail ends at entry {last_id}, but entry {a.entry_id} was anchored "
            f"on {_when(a.at)} ({a.reason}): the chain is shorter than it once was "
            "(entries removed, or the file replaced by an older copy)"
        )
    diverged = [a for a in live if a.entry_id <= last_id and stored.get(a.entry_id) != a.hash]
    if diverged:
        a = min(diverged, key=lambda x: x.entry_id)
        problems.append(
            f"audit entry {a.entry_id} differs from its anchor of {_when(a.at)} ({a.reason}, "
            f"seal {seal((a.entry_id, a.hash))}): the chain was rewritten from there on"
            if a.entry_id in stored
            else f"audit entry {a.entry_id}, anchored on {_when(a.at)} ({a.reason}), "
            "is missing: the chain was rewritten"
        )
    return problems


def seal_problems(conn: Readable, seals: Iterable[str]) -> list[str]:
    """Printed record seals (``<id>-<hex>``) the database no longer matches."""
    problems: list[str] = []
    for text in seals:
        entry, _, prefix = text.strip().partition("-")
        if not entry.isdigit() or len(prefix) < 8:
            problems.append(f"record seal {text!r} is not a seal (like 18532-3fa9c2d1e0b4)")
            continue
        stored = conn.exec_driver_sql(
            "SELECT hash FROM audit_log WHERE id = ?", (int(entry),)
        ).scalar()
        if stored is None:
            problems.append(f"record seal {text}: audit entry {entry} is missing")
        elif not str(stored).startswith(prefix.lower()):
            problems.append(
                f"record seal {text}: audit entry {entry} has another hash "
                f"({seal((int(entry), str(stored)))}): the chain was rewritten"
            )
    return problems


def _when(at: str) -> str:
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return at


def write_anchor(
    source: Path,
    targets: Iterable[Path],
    *,
    reason: str,
    now: datetime,
    key: str | None = None,
) -> Anchor | None:
    """Anchor the chain head of the database file ``source`` in each anchor file of
    ``targets``; returns the anchor (None: an empty log).

    The chain is re-hashed first from the newest verified anchor it still matches
    (else from the start): the anchor is then *verified*. A broken chain is still
    anchored, unverified.
    """
    from kapdesk.domain.clock import ensure_utc
    from kapdesk.storage.audit import chain_head, verify_chain
    from kapdesk.storage.engine import create_readonly_engine

    targets = list(targets)
    known: list[Anchor] = []
    for path in targets:
        if path.is_file():
            known.extend(read_anchors(path)[0])
    engine = create_readonly_engine(Path(source), key=key)
    try:
        with engine.connect() as conn, conn.begin():
            head = chain_head(conn)
            if head is None:
                return None
            start = newest_verified(known)
            if start is not None and (
                start.entry_id > head[0]
                or conn.exec_driver_sql(
                    "SELECT hash FROM audit_log WHERE id = ?", (start.entry_id,)
                ).scalar()
                != start.hash
            ):
                start = None
            report = verify_chain(conn, start=(start.entry_id, start.hash) if start else None)
            vouch = _vouch(conn, start) if report.ok else None
    finally:
        engine.dispose()
    anchor = Anchor(head[0], head[1], ensure_utc(now).isoformat(), reason, report.ok, vouch)
    for path in targets:
        append_anchor(path, anchor)
    return anchor


def _vouch(conn: Readable, start: Anchor | None) -> SignatureVouch | None:
    """The signatures this verified anchor vouches for; None where they cannot be rebuilt
    (a backup never fails for it: ``check`` then rebuilds them all)."""
    from sqlalchemy.exc import SQLAlchemyError

    from kapdesk.storage.signature_vouch import vouched_at_head

    previous = (start.entry_id, start.signatures) if start and start.signatures else None
    try:
        return vouched_at_head(conn, previous)
    except (SQLAlchemyError, ValueError):
        return None


def anchor_console(
    db_path: Path, copy: Path, *, reason: str, key: str | None = None
) -> Anchor | None:
    """After ``kapdesk backup``/``restore``: anchor the head of ``copy`` (the backup, or the
    restored database) beside the database (``backups/<stem>.anchors``) and, for a backup
    elsewhere, beside the copy too."""
    from kapdesk.domain.clock import SystemClock

    db_path, copy = Path(db_path).absolute(), Path(copy).absolute()
    targets = [anchor_file(db_path.parent / BACKUP_FOLDER, db_path)]
    if copy != db_path and copy.parent != targets[0].parent:
        targets.append(anchor_file(copy.parent, db_path))
    return write_anchor(copy, targets, reason=reason, now=SystemClock().now(), key=key)
