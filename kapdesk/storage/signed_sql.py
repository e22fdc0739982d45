"""Signed records as SQL text: the fast pass of ``kapdesk check``'s signatures.

A signature's hash is the SHA-256 of one canonical JSON text (:mod:`kapdesk.domain.signing`):
``{"content":{...},"entity":...,"id":...,"scheme":N}``, keys sorted, each row holding its
signed columns. Building it in Python from ORM objects cost ~1.6 ms per session signature
(about 30 queries' worth of ORM loading and conversion): minutes for a clinic that signs
every session. Here SQLite builds the whole text of every signed record of a piece of
signatures in one query (each row rendered by one ``printf()``, as the row replay renders
its snapshots: :func:`kapdesk.storage.replay_sql.column_sql`; a session's parts joined in
id order), and Python only hashes it.

Only a text equal byte for byte to the signed one can give the stored hash, so a signature
that matches here is verified; one that does not (its record changed, missing, or a value
SQLite renders differently from Python: a float needing 17 digits, a text needing an
escape) is left to the exact check in Python (:mod:`kapdesk.services.integrity`), which
judges it as before. A difference in rendering costs time, never a finding.

On a big file (``kapdesk check`` in worker processes) a row that a signature covers whole is
not printed a second time: the row replay's pass in SQL has printed it and compared it with
its newest audit entry's snapshot, so the pass here reads that entry's text instead
(``from_entries``; ~40 % of this pass's time on a clinic that signs every session). Such
a match holds for a signature none of whose rows taken so the replay found differing from
its entry's text; the others (:func:`signatures_covering`) are rebuilt again with every
row printed, and every piece is when the replay could not print a piece
(:mod:`kapdesk.services.database_check`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from kapdesk.domain.signing import SIGNED_FIELDS_BY_SCHEME, SignedEntity
from kapdesk.storage.audit_replay import AUDITED, newest_entry_sql
from kapdesk.storage.column_kinds import table_columns
from kapdesk.storage.replay_processes import hashed_matches
from kapdesk.storage.replay_sql import NEVER_SQL, row_json_sql

if TYPE_CHECKING:
    from kapdesk.storage.raw_read import Readable

# What a dosing-session signature covers besides its row: (table, column naming the session).
SESSION_PART_TABLES: Final = (
    ("vital_readings", "session_id"),
    ("doses", "session_id"),
    ("hold_overrides", "session_id"),
    ("side_effects", "session_id"),
    ("observations", "session_id"),
    ("alert_acknowledgements", "session_id"),
)
# Parts that a scheme before this number does not cover.
SESSION_PARTS_SINCE: Final = {"alert_acknowledgements": 2}
# The tables whose rows a signature's text may take from their entries (``from_entries``), and
# the signed records each row is part of: (signed entity, the row's column holding its id).
# A note is named by its session too, whatever its kind (session notes are; it costs nothing).
COVERING: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "dosing_sessions": (("dosing_session", "id"),),
    "notes": (("note", "id"), ("dosing_session", "dosing_session_id")),
    "addenda": (("addendum", "id"),),
    **{table: (("dosing_session", column),) for table, column in SESSION_PART_TABLES},
}
# The table of each signed entity's record (a signature's entity_id is its row's id).
RECORD_TABLES: Final = {"dosing_session": "dosing_sessions", "note": "notes", "addendum": "addenda"}
PIECE_SIGNATURES: Final = 5_000  # signatures per piece (pieces may run in parallel)
_ENTITIES: Final = frozenset(e.value for e in SignedEntity)
ENTITY_OF: Final = {a.table: a.entity for a in AUDITED if a.key == "id"}  # table -> entity


@dataclass(frozen=True)
class SignaturePiece:
    low: int  # signature ids low..high
    high: int


@dataclass(frozen=True)
class SqlMatch:
    """Signatures of a piece whose record, rebuilt in SQL, hashes to the stored value."""

    matched: frozenset[int]


def signature_pieces(conn: Readable, size: int = PIECE_SIGNATURES) -> list[SignaturePiece]:
    low, high = conn.exec_driver_sql("SELECT min(id), max(id) FROM signatures").one()
    if low is None:
        return []
    return [
        SignaturePiece(start, min(start + size - 1, int(high)))
        for start in range(int(low), int(high) + 1, size)
    ]


def _row_sql(
    table: str, fields: tuple[str, ...], alias: str, from_entries: Collection[str] = ()
) -> str:
    """One row's signed columns as canonical JSON text (keys sorted), by one printf().

    ``from_entries``: tables whose every row the caller knows to be, as printed here, the
    very text of its newest audit entry's snapshot (the row replay's pass in SQL compared
    them and found no other): a signature covering all of such a table's columns takes that
    text instead of printing the row again: the same text, read rather than built."""
    columns = table_columns(table)
    if table in from_entries and table in ENTITY_OF and set(fields) == set(columns):
        if table not in COVERING:  # signatures_covering must know what its rows are part of
            raise AssertionError(f"{table} taken from entries but not in COVERING")
        newest = newest_entry_sql(f'{alias}."id"', f"'{ENTITY_OF[table]}'")
        # no entry: a value no printed row has (group_concat would skip a NULL)
        return f"coalesce((SELECT e.after FROM audit_log e WHERE e.id = ({newest})), {NEVER_SQL})"
    return row_json_sql(columns, fields, alias)


def entry_tables(tables: Collection[str]) -> frozenset[str]:
    """Of ``tables``, those whose rows some hash scheme covers whole: the ones
    :func:`_row_sql` may take from their entries (``from_entries``)."""
    return frozenset(
        t for t in tables if t in ENTITY_OF and any(
            set(fields.get(t, ())) == set(table_columns(t))
            for fields in SIGNED_FIELDS_BY_SCHEME.values()
        )
    )  # fmt: skip


def _list_sql(
    table: str, fields: tuple[str, ...], where: str, from_entries: Collection[str]
) -> tuple[str, str]:
    """(format piece, argument): the rows of ``table`` matching ``where`` (alias p),
    ordered by id, as a JSON array."""
    row = _row_sql(table, fields, "p", from_entries)
    return "[%s]", (
        f"coalesce((SELECT group_concat(x, ',') FROM (SELECT {row} AS x "
        f"FROM \"{table}\" p WHERE {where} ORDER BY p.id)), '')"
    )


def _one_row(table: str, fields: tuple[str, ...], from_entries: Collection[str]) -> tuple[str, str]:
    return "%s", _row_sql(table, fields, "r", from_entries)


def _course_sql(fields: tuple[str, ...]) -> tuple[str, str]:
    row = _row_sql("courses", fields, "c")
    return "%s", f"coalesce((SELECT {row} FROM courses c WHERE c.id = r.course_id), 'null')"


def _payload(entity: SignedEntity, scheme: int, content: dict[str, tuple[str, str]]) -> str:
    """The whole hashed text by one printf() (a chain of || would copy it at every step)."""
    keys = sorted(content)
    body = ",".join(f'"{key}":{content[key][0]}' for key in keys)
    fmt = f'{{"content":{{{body}}},"entity":"{entity.value}","id":%d,"scheme":{scheme}}}'
    return f"printf('{fmt}', {', '.join(content[key][1] for key in keys)}, r.id)"


def record_sql(
    entity: SignedEntity, scheme: int, from_entries: Collection[str] = ()
) -> tuple[str, str]:
    """(table of the record, SQL expression over alias ``r``: the text its hash covers);
    ``from_entries``: see :func:`_row_sql`."""
    fields = SIGNED_FIELDS_BY_SCHEME[scheme]
    if entity is SignedEntity.ADDENDUM:
        content = {"addendum": _one_row("addenda", fields["addenda"], from_entries)}
        return RECORD_TABLES[entity.value], _payload(entity, scheme, content)
    if entity is SignedEntity.NOTE:
        content = {"note": _one_row("notes", fields["notes"], from_entries),
                   "course": _course_sql(fields["courses"])}  # fmt: skip
        return RECORD_TABLES[entity.value], _payload(entity, scheme, content)
    session_notes = "p.dosing_session_id = r.id AND p.kind = 'session'"
    content = {
        "dosing_session": _one_row("dosing_sessions", fields["dosing_sessions"], from_entries),
        "course": _course_sql(fields["courses"]),
        "session_notes": _list_sql("notes", fields["notes"], session_notes, from_entries),
    }
    for table, column in SESSION_PART_TABLES:
        if scheme >= SESSION_PARTS_SINCE.get(table, 1):
            where = f'p."{column}" = r.id'
            content[table] = _list_sql(table, fields[table], where, from_entries)
    return RECORD_TABLES[entity.value], _payload(entity, scheme, content)


def signature_kinds(conn: Readable, piece: SignaturePiece | None = None) -> list[tuple[str, int]]:
    """The (entity, hash scheme) pairs signed (in ``piece``, or anywhere)."""
    where, args = ("WHERE id BETWEEN ? AND ?", (piece.low, piece.high)) if piece else ("", ())
    found = conn.exec_driver_sql(
        f"SELECT DISTINCT entity, hash_scheme FROM signatures {where}", args
    )
    return [(str(entity), scheme) for entity, scheme in found]


def signature_queries(
    kinds: list[tuple[str, int]], piece: SignaturePiece, from_entries: Collection[str] = ()
) -> list[tuple[str, tuple[Any, ...]]]:
    """(SQL, parameters) giving (signature id, stored hash, rebuilt text) for the signatures
    of ``piece`` of each kind: plain SQLite SQL that any read-only connection to the file
    can run (:mod:`kapdesk.storage.replay_processes`). Unknown kinds are left out (the exact
    check names them). ``from_entries``: see :func:`_row_sql`; a match found so holds only
    once the row replay has shown those tables' rows to be their entries' texts."""
    queries = []
    for entity_name, scheme in kinds:
        if entity_name not in _ENTITIES or scheme not in SIGNED_FIELDS_BY_SCHEME:
            continue
        table, text = record_sql(SignedEntity(entity_name), int(scheme), from_entries)
        queries.append((
            f'SELECT g.id, g.content_sha256, {text} FROM signatures g JOIN "{table}" r '
            "ON r.id = g.entity_id WHERE g.id BETWEEN ? AND ? AND +g.entity = ? "  # by id
            "AND g.hash_scheme = ?",
            (piece.low, piece.high, entity_name, scheme),
        ))  # fmt: skip
    return queries


_IN_CHUNK: Final = 500  # ids per IN (...) list


def _in_chunks(ids: Iterable[int]) -> Iterable[tuple[str, tuple[int, ...]]]:
    """(placeholders, ids) for ``IN (...)`` lists of at most _IN_CHUNK ids."""
    every = sorted(set(ids))
    for start in range(0, len(every), _IN_CHUNK):
        chunk = tuple(every[start : start + _IN_CHUNK])
        yield ", ".join("?" * len(chunk)), chunk


def signatures_covering(conn: Readable, rows: Mapping[str, Collection[int]]) -> frozenset[int]:
    """The signatures whose records hold one of ``rows`` (row ids by table): the ones whose
    text, with those rows taken from their entries, may not be their rows' text. Rows of
    tables never taken from entries (not in :data:`COVERING`) change no such text. A row
    reaches its records by the join :func:`record_sql` gathers them with, so a session id
    stored behind the app as a text or a real names exactly the records that count it in."""
    signatures: set[int] = set()
    for table, keys in rows.items():
        for entity, column in COVERING.get(table, ()):
            record = RECORD_TABLES[entity]
            part = "" if column == "id" else f'JOIN "{table}" p ON p."{column}" = r.id '
            row = "r" if column == "id" else "p"
            for marks, chunk in _in_chunks(int(k) for k in keys):
                signatures.update(
                    int(i)
                    for (i,) in conn.exec_driver_sql(
                        f'SELECT g.id FROM signatures g JOIN "{record}" r ON r.id = g.entity_id '
                        f"{part}WHERE +g.entity = ? AND {row}.id IN ({marks})",
                        (entity, *chunk),
                    )
                )
    return frozenset(signatures)


def pieces_holding(
    pieces: Sequence[SignaturePiece], signatures: Collection[int]
) -> list[SignaturePiece]:
    """Pieces covering ``signatures`` (ids) again: each run of consecutive ids its own piece
    (a print audited on a few sessions reprints their signatures only), or, past
    ``PIECE_SIGNATURES // 10`` runs (as many queries), the pieces of ``pieces`` holding one."""
    ordered = sorted(signatures)
    runs: list[SignaturePiece] = []
    for sig in ordered:
        if runs and runs[-1].high == sig - 1:
            runs[-1] = SignaturePiece(runs[-1].low, sig)
        else:
            runs.append(SignaturePiece(sig, sig))
    if len(runs) <= PIECE_SIGNATURES // 10:
        return runs
    starts = [bisect_left(ordered, p.low) for p in pieces]
    return [
        p for p, i in zip(pieces, starts, strict=True) if i < len(ordered) and ordered[i] <= p.high
    ]


def match_signatures(conn: Readable, piece: SignaturePiece) -> SqlMatch:
    """The signatures with ids in ``piece`` whose record, rendered in SQL, has their hash."""
    matched: set[int] = set()
    for sql, args in signature_queries(signature_kinds(conn, piece), piece):
        matched |= hashed_matches(conn.exec_driver_sql(sql, args))
    return SqlMatch(frozenset(matched))


@dataclass(frozen=True)
class Anchors:
    entries: int  # sign.signed entries on entity signature
    matched: frozenset[int]  # signatures whose entry (entity id = its id) holds the row exactly
    pairs: int  # (signature, entry) pairs found so


def anchored_signatures(conn: Readable) -> Anchors:
    """The signatures whose ``sign.signed`` entry records exactly the row as it is (its
    snapshot text, rendered as the row replay renders it)."""
    columns = tuple(table_columns("signatures"))
    row = _row_sql("signatures", columns, "t")
    # one row per entry (a signature id names one row at most): its signature where that
    # holds it exactly, else NULL; counting the entries apart read each of them once more
    found = conn.exec_driver_sql(
        "SELECT t.id FROM audit_log a LEFT JOIN signatures t "  # a outer, t by id
        "ON t.id = CAST(a.entity_id AS INTEGER) AND a.entity_id = CAST(t.id AS TEXT) "
        f"AND a.after = {row} WHERE a.entity = 'signature' AND a.action = 'sign.signed'"
    ).all()
    pairs = [int(i) for (i,) in found if i is not None]
    return Anchors(len(found), frozenset(pairs), len(pairs))


def anchored_among(conn: Readable, ids: Collection[int]) -> frozenset[int]:
    """Of the signatures ``ids``, those named by exactly one ``sign.signed`` entry, which
    records the row exactly (:func:`anchored_signatures`, for a few)."""
    columns = tuple(table_columns("signatures"))
    row = _row_sql("signatures", columns, "t")
    named = (
        "a.entity = 'signature' AND a.action = 'sign.signed' AND a.entity_id = CAST(t.id AS TEXT)"
    )
    found: set[int] = set()
    for marks, chunk in _in_chunks(ids):
        found.update(
            int(i)
            for (i,) in conn.exec_driver_sql(
                f"SELECT t.id FROM signatures t WHERE t.id IN ({marks}) "
                f"AND (SELECT count(*) FROM audit_log a WHERE {named}) = 1 "
                f"AND EXISTS (SELECT 1 FROM audit_log a WHERE {named} AND a.after = {row})",
                chunk,
            )
        )
    return frozenset(found)
