"""Signed records read in bulk: the fast pass of the signatures' check on a clinic server
(``kapdesk check --db postgresql://...``, and ``kapdesk migrate`` verifying a server
destination).

The exact check (:func:`kapdesk.services.integrity.verify_signatures`) rebuilds a record's
content from ORM objects: about ten queries per signed session, each a round trip to the
server (a p200 clinic's signatures took minutes). Here the records of a piece of
signatures (:data:`PIECE_RECORDS` records of one kind, by id) are read with one query per
table, whatever the piece's size, and each record's content is built in Python by the
very functions the exact check uses (:func:`kapdesk.domain.signing.rows`, ``pick``,
``content_sha256``) from the same column values (the same column types read them), so a
hash equal to the stored one is the hash the exact check would compute. Only signatures
that do not match here (a record changed, missing, of an unknown kind or scheme) go on to
the exact check, which judges them and words the finding: a difference costs time, never
a finding. Any dialect (SQLAlchemy Core); SQLite files have their own pass in SQL
(:mod:`kapdesk.storage.signed_sql`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import JSON, Boolean, Connection, Float, Integer, String, Table, select

from kapdesk.domain.signing import SIGNED_FIELDS_BY_SCHEME, SignedEntity, content_sha256, pick, rows
from kapdesk.storage.audit import REDACTED_COLUMNS, secret_digest, to_jsonable
from kapdesk.storage.orm import Base
from kapdesk.storage.signed_sql import SESSION_PART_TABLES, SESSION_PARTS_SINCE

PIECE_RECORDS: Final = 2_000  # records of one kind read together (one query per table)
Snapshot = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Signed:
    id: int
    entity_id: int
    scheme: int
    stored: str


def _columns(table: str) -> list[str]:
    """Every column any scheme signs of ``table`` (a piece may mix schemes)."""
    names: set[str] = set()
    for fields in SIGNED_FIELDS_BY_SCHEME.values():
        names.update(fields.get(table, ()))
    return sorted(names)


def _finite(value: float) -> float:
    return value if math.isfinite(value) else to_jsonable(value)  # raises, as the exact check


def _converter(column: Any) -> Callable[[Any], Any] | None:
    """How :func:`kapdesk.storage.audit.row_snapshot` turns a non-NULL value of ``column``
    into JSON data; None where the value is kept as read (integers, text, booleans)."""
    if isinstance(column.type, Integer | String | Boolean | JSON):
        # A JSON document as the driver parsed it is JSON data already (a NaN in it fails
        # content_sha256 as to_jsonable would fail: the exact check then judges it).
        return None
    if isinstance(column.type, Float):
        return _finite
    return to_jsonable  # timestamps, dates, anything else


def _read(conn: Connection, table_name: str, where: Any) -> list[Snapshot]:
    """The signed columns of the rows of ``table_name`` matching ``where``, as snapshots."""
    table: Table = Base.metadata.tables[table_name]
    names = _columns(table_name)
    converted = [(n, f) for n in names if (f := _converter(table.c[n])) is not None]
    secret = [n for n in names if n in REDACTED_COLUMNS]
    snapshots = []
    for row in conn.execute(select(*(table.c[n] for n in names)).where(where)).all():
        snap = dict(zip(names, row, strict=True))
        for name, convert in converted:
            value = snap[name]
            if value is not None:
                snap[name] = convert(value)
        for name in secret:
            snap[name] = secret_digest(snap[name])
        snapshots.append(snap)
    return snapshots


def _by(snapshots: Iterable[Snapshot], key: str) -> dict[int, list[Snapshot]]:
    grouped: dict[int, list[Snapshot]] = defaultdict(list)
    for snap in snapshots:
        grouped[snap[key]].append(snap)
    return grouped


def _courses(conn: Connection, course_ids: Iterable[int]) -> dict[int, Snapshot]:
    wanted = sorted({c for c in course_ids if c is not None})
    if not wanted:
        return {}
    table = Base.metadata.tables["courses"]
    return {c["id"]: c for c in _read(conn, "courses", table.c.id.in_(wanted))}


def _sessions(conn: Connection, piece: Sequence[_Signed]) -> dict[int, dict[str, Any]]:
    """Content of every dosing session of ``piece`` under each scheme it was signed with,
    keyed by signature id (as signed_records._session_content builds it)."""
    low, high = piece[0].entity_id, piece[-1].entity_id
    sessions_table = Base.metadata.tables["dosing_sessions"]
    sessions = {
        s["id"]: s for s in _read(conn, "dosing_sessions", sessions_table.c.id.between(low, high))
    }
    courses = _courses(conn, (s["course_id"] for s in sessions.values()))
    parts: dict[str, dict[int, list[Snapshot]]] = {}
    for table_name, column in SESSION_PART_TABLES:
        table = Base.metadata.tables[table_name]
        parts[table_name] = _by(_read(conn, table_name, table.c[column].between(low, high)), column)
    notes_table = Base.metadata.tables["notes"]
    notes = _by(
        _read(
            conn,
            "notes",
            notes_table.c.dosing_session_id.between(low, high) & (notes_table.c.kind == "session"),
        ),
        "dosing_session_id",
    )
    contents: dict[int, dict[str, Any]] = {}
    for sig in piece:
        session = sessions.get(sig.entity_id)
        if session is None:
            continue  # the exact check says the record no longer exists
        scheme = sig.scheme
        course = courses.get(session["course_id"])
        content: dict[str, Any] = {
            "dosing_session": pick("dosing_sessions", session, scheme=scheme),
            "course": None if course is None else pick("courses", course, scheme=scheme),
        }
        for table_name, _column in SESSION_PART_TABLES:
            if scheme < SESSION_PARTS_SINCE.get(table_name, 1):
                continue
            found = parts[table_name].get(sig.entity_id, [])
            content[table_name] = rows(table_name, found, scheme=scheme)
        content["session_notes"] = rows("notes", notes.get(sig.entity_id, []), scheme=scheme)
        contents[sig.id] = content
    return contents


def _notes(conn: Connection, piece: Sequence[_Signed]) -> dict[int, dict[str, Any]]:
    table = Base.metadata.tables["notes"]
    notes = {
        n["id"]: n
        for n in _read(conn, "notes", table.c.id.in_(sorted({s.entity_id for s in piece})))
    }
    courses = _courses(conn, (n["course_id"] for n in notes.values()))
    contents: dict[int, dict[str, Any]] = {}
    for sig in piece:
        note = notes.get(sig.entity_id)
        if note is None:
            continue
        course = courses.get(note["course_id"])
        contents[sig.id] = {
            "note": pick("notes", note, scheme=sig.scheme),
            "course": None if course is None else pick("courses", course, scheme=sig.scheme),
        }
    return contents


def _addenda(conn: Connection, piece: Sequence[_Signed]) -> dict[int, dict[str, Any]]:
    table = Base.metadata.tables["addenda"]
    wanted = sorted({s.entity_id for s in piece})
    addenda = {a["id"]: a for a in _read(conn, "addenda", table.c.id.in_(wanted))}
    return {
        sig.id: {"addendum": pick("addenda", addenda[sig.entity_id], scheme=sig.scheme)}
        for sig in piece
        if sig.entity_id in addenda
    }


_CONTENT = {
    SignedEntity.DOSING_SESSION: _sessions,
    SignedEntity.NOTE: _notes,
    SignedEntity.ADDENDUM: _addenda,
}


def _signed(conn: Connection) -> dict[SignedEntity, list[_Signed]]:
    """The signatures of known kind and scheme, by kind, in record id order."""
    table = Base.metadata.tables["signatures"]
    found: dict[SignedEntity, list[_Signed]] = defaultdict(list)
    query = select(
        table.c.id, table.c.entity, table.c.entity_id, table.c.hash_scheme, table.c.content_sha256
    )
    kinds = {k.value: k for k in SignedEntity}
    for sig_id, entity, entity_id, scheme, stored in conn.execute(query):
        kind = kinds.get(entity)
        if kind is None or scheme not in SIGNED_FIELDS_BY_SCHEME or entity_id is None:
            continue  # the exact check names it
        found[kind].append(_Signed(sig_id, entity_id, scheme, stored))
    for group in found.values():
        group.sort(key=lambda s: (s.entity_id, s.id))
    return found


def bulk_matched(conn: Connection, *, piece_records: int = PIECE_RECORDS) -> frozenset[int]:
    """The signatures whose record, read in bulk, hashes to their stored value (read-only;
    call it inside the transaction the exact check then uses, for one snapshot)."""
    matched: set[int] = set()
    for kind, signed in _signed(conn).items():
        for start in range(0, len(signed), piece_records):
            piece = signed[start : start + piece_records]
            try:
                contents = _CONTENT[kind](conn, piece)
            except (ValueError, TypeError):  # a value no snapshot can hold: the exact check
                continue
            for sig in piece:
                content = contents.get(sig.id)
                if content is None:
                    continue
                try:
                    digest = content_sha256(kind, sig.entity_id, content, scheme=sig.scheme)
                except (ValueError, TypeError):  # e.g. bytes where text belongs: the exact check
                    continue
                if digest == sig.stored:
                    matched.add(sig.id)
    return frozenset(matched)
