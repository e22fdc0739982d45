"""Signatures vouched for by a verified anchor: ``kapdesk check`` re-verifies only what changed.

Rebuilding every signed record's text is most of ``kapdesk check``'s work beyond the row
replay on a clinic that signs every session (~33 µs a signature in SQL: ~5 s for 150,000).
The backup that writes a *verified* anchor (:func:`kapdesk.storage.anchor.write_anchor`)
therefore also records which signatures matched their records, and their ``sign.signed``
audit entries, at its chain head N (:class:`SignatureVouch`: every signature with id <=
``through`` not listed in ``unmatched``), incrementally from the previous vouching
anchor: only signatures made since, those it left unmatched, and those whose records have
entries after it are rebuilt (:func:`vouched_at_head`).

``check`` (not ``--full``) then rebuilds only the signatures the anchor cannot vouch for
(:func:`plan_for`): made after it, unmatched at it, or whose records have audit entries
after N (:func:`affected_signatures`: the entries' rows, their covering session through
the snapshots before and after and the row as it is now; a course's entry names every
session and note of the course; the signature's own entries). A record changed *without*
an entry makes its row disagree with its audit trail: the row replay reports it, and then
every vouched signature is rebuilt and compared with its entry as well
(``kapdesk.services.database_check``), as it is when the chain, an anchor, the schema, a
setting or a pinned protocol shows anything wrong. Signatures holding a course column the
course's entry does not record (an upgraded clinic) are never vouched for: the replay
cannot judge that column.

What stays out of reach (README): a record changed behind the app before the anchor,
signed in that state, and changed back after it. Every check between the change and
the anchor reported the row; ``check --full`` rebuilds every signature.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from kapdesk.domain.signing import SIGNED_FIELDS_BY_SCHEME
from kapdesk.storage.anchor import SignatureVouch
from kapdesk.storage.audit_replay import AUDITED, recorded_states
from kapdesk.storage.raw_read import statement_errors
from kapdesk.storage.signed_sql import (
    COVERING,
    ENTITY_OF,
    RECORD_TABLES,
    anchored_among,
    anchored_signatures,
    match_signatures,
    pieces_holding,
    signature_pieces,
)

if TYPE_CHECKING:
    from kapdesk.storage.raw_read import Readable

AFFECTED_MAX_ENTRIES: Final = 20_000  # more entries after the anchor: rebuild every signature
_IN_CHUNK: Final = 500
# audited entity -> table, for the tables a signed text takes rows of, and courses
_TABLE_OF: Final = {ENTITY_OF[t]: t for t in (*COVERING, "courses")}
if set(COVERING) - set(ENTITY_OF):  # every covered table is audited by id
    raise AssertionError("a table signatures cover is not audited by id")


@dataclass(frozen=True)
class VouchPlan:
    """What ``check`` rebuilds now (``verify``) and relies on the anchor for (``vouched``)."""

    vouched: frozenset[int]
    verify: frozenset[int]


def _chunks(ids: Iterable[int]) -> Iterable[tuple[str, tuple[int, ...]]]:
    every = sorted(set(ids))
    for start in range(0, len(every), _IN_CHUNK):
        chunk = tuple(every[start : start + _IN_CHUNK])
        yield ", ".join("?" * len(chunk)), chunk


def _as_id(value: object) -> int | None:
    """A covering column's value as an id; None where it names nothing. Raises ValueError
    for a value no id is (the caller then rebuilds everything)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ValueError(value)
    number = int(value)
    if number != value and str(number) != value:
        raise ValueError(value)
    return number


def _snapshot_value(text: str | None, column: str) -> int | None:
    if text is None:
        return None
    data = json.loads(text)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError(text)
    return _as_id(data.get(column))


def _current_values(
    conn: Readable, table: str, column: str, keys: Collection[int]
) -> Iterable[object]:
    for marks, chunk in _chunks(keys):
        yield from (
            value
            for (value,) in conn.exec_driver_sql(
                f'SELECT "{column}" FROM "{table}" WHERE id IN ({marks})', chunk
            )
        )


def _records(conn: Readable, rows: list[Any]) -> dict[str, set[int]] | None:
    """The signed records (by entity) the entries in ``rows`` touch, and the signatures
    named (key ``signature``); None where an entry cannot be read as a row."""
    records: dict[str, set[int]] = {e: set() for e in (*RECORD_TABLES, "signature")}
    courses: set[int] = set()
    keys: dict[str, set[int]] = {}
    try:
        for entity, entity_id, before, after in rows:
            key = _as_id(entity_id)
            if key is None:
                return None
            if entity == "signature":
                records["signature"].add(key)
                continue
            table = _TABLE_OF[entity]
            if table == "courses":
                courses.add(key)
                continue
            keys.setdefault(table, set()).add(key)
            for signed, column in COVERING[table]:
                if column != "id":
                    for text in (before, after):
                        found = _snapshot_value(text, column)
                        if found is not None:
                            records[signed].add(found)
    except (ValueError, TypeError):
        return None
    for table, ids in keys.items():
        for signed, column in COVERING[table]:
            if column == "id":
                records[signed] |= ids
                continue
            for value in _current_values(conn, table, column, ids):
                try:
                    found = _as_id(value)
                except ValueError:
                    return None
                if found is not None:
                    records[signed].add(found)
    _add_course_records(conn, courses, records)
    return records


def _add_course_records(
    conn: Readable, courses: Collection[int], records: dict[str, set[int]]
) -> None:
    """Add to ``records`` every session and note of ``courses`` (their texts hold it)."""
    for marks, chunk in _chunks(courses):
        for signed, table in (("dosing_session", "dosing_sessions"), ("note", "notes")):
            records[signed].update(
                int(i)
                for (i,) in conn.exec_driver_sql(
                    f'SELECT id FROM "{table}" WHERE course_id IN ({marks})', chunk
                )
            )


def courses_not_recorded(conn: Readable) -> frozenset[int]:
    """Courses whose audit entries do not record every column some signature holds of them
    (a clinic upgraded from before a column existed): the row replay does not judge such a
    column, so no anchor vouches for the signatures holding it. Read as the replay folds
    the entries (a print's entry, recording no column, changes nothing)."""
    fields = {f for scheme in SIGNED_FIELDS_BY_SCHEME.values() for f in scheme["courses"]}
    spec = next(s for s in AUDITED if s.table == "courses")
    states = recorded_states(conn, spec)
    courses = (int(i) for (i,) in conn.exec_driver_sql("SELECT id FROM courses"))
    return frozenset(c for c in courses if not fields <= set((states.get(str(c)) or {}).keys()))


def affected_signatures(
    conn: Readable, after: int, *, limit: int = AFFECTED_MAX_ENTRIES
) -> frozenset[int] | None:
    """The signatures whose records have audit entries with ids above ``after``; None: too
    many such entries, or one that cannot be read as a row (then rebuild them all)."""
    names = [*sorted(_TABLE_OF), "signature"]
    marks = ", ".join("?" * len(names))
    rows = conn.exec_driver_sql(
        # +entity: read forward from the anchor's entry (rowid range), not every entry of
        # these kinds through the entity index and sorted (~15 ms on a tenth-size clinic)
        f'SELECT entity, entity_id, "before", "after" FROM audit_log '
        f"WHERE id > ? AND +entity IN ({marks}) ORDER BY id LIMIT ?",
        (after, *names, limit + 1),
    ).all()
    if len(rows) > limit:
        return None
    records = _records(conn, list(rows))
    if records is None:
        return None
    return _signatures_of(conn, records)


def _signatures_of(conn: Readable, records: dict[str, set[int]]) -> frozenset[int]:
    """The signatures of ``records`` (ids by signed entity; key ``signature``: their own)."""
    found = set(records.get("signature", ()))
    for entity, ids in records.items():
        if entity == "signature":
            continue
        for id_marks, chunk in _chunks(ids):
            found.update(
                int(i)
                for (i,) in conn.exec_driver_sql(
                    f"SELECT id FROM signatures WHERE +entity = ? AND entity_id IN ({id_marks})",
                    (entity, *chunk),
                )
            )
    return frozenset(found)


def signature_ids(conn: Readable) -> frozenset[int]:
    """Every signature id (ids run 1..n without a gap in a kapdesk file: not read one by one)."""
    count, low, high = conn.exec_driver_sql(
        "SELECT count(*), min(id), max(id) FROM signatures"
    ).one()
    if count and low == 1 and high == count:
        return frozenset(range(1, int(count) + 1))
    return frozenset(int(i) for (i,) in conn.exec_driver_sql("SELECT id FROM signatures"))


def plan_for(conn: Readable, anchor_entry: int, vouch: SignatureVouch) -> VouchPlan | None:
    """What ``check`` can take from an anchor at ``anchor_entry`` holding ``vouch``; None:
    nothing (everything is rebuilt)."""
    affected = affected_signatures(conn, anchor_entry)
    if affected is None:
        return None
    present = signature_ids(conn)
    vouched = {i for i in present if i <= vouch.through} - set(vouch.unmatched) - affected
    return VouchPlan(frozenset(vouched), present - vouched)


def rebuilt_matches(conn: Readable, ids: Collection[int] | None) -> frozenset[int]:
    """Of the signatures ``ids`` (None: all), those whose record, printed in SQL, hashes to
    them (:func:`kapdesk.storage.signed_sql.match_signatures`)."""
    pieces = signature_pieces(conn)
    if ids is not None:
        pieces = pieces_holding(pieces, ids) if ids else []
    found: frozenset[int] = frozenset()
    for piece in pieces:
        try:
            found |= match_signatures(conn, piece).matched
        except statement_errors():  # a value SQL cannot render: that piece vouches for none
            continue
    return found if ids is None else found & frozenset(ids)


def vouched_at_head(
    conn: Readable, previous: tuple[int, SignatureVouch] | None
) -> SignatureVouch | None:
    """The vouch of an anchor at the chain head of ``conn``: from ``previous`` (an earlier
    verified anchor's entry id and vouch, still matching this chain) only what it cannot
    vouch for is rebuilt. None on a database other than SQLite (its SQL is SQLite's)."""
    if conn.dialect.name != "sqlite":
        return None
    present = signature_ids(conn)
    plan = plan_for(conn, *previous) if previous is not None else None
    todo = present if plan is None else plan.verify
    matched = rebuilt_matches(conn, None if plan is None else todo) & _anchored(conn, todo, plan)
    records: dict[str, set[int]] = {e: set() for e in RECORD_TABLES}
    _add_course_records(conn, courses_not_recorded(conn), records)
    never = _signatures_of(conn, records)  # left to every check: the replay cannot judge them
    return SignatureVouch(max(present, default=0), tuple(sorted((todo - matched) | never)))


def _anchored(conn: Readable, todo: frozenset[int], plan: VouchPlan | None) -> frozenset[int]:
    """Of ``todo``, the signatures their ``sign.signed`` entry records exactly (all of them
    read at once when ``plan`` is None: the first vouching anchor); none where an entry
    cannot be paired so (``kapdesk check`` then judges every entry in Python)."""
    try:
        if plan is not None:
            return anchored_among(conn, todo)
        found = anchored_signatures(conn)
    except statement_errors():
        return frozenset()
    return found.matched & todo if found.entries == found.pairs else frozenset()
