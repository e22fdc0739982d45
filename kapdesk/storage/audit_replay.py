"""Every row agrees with its history: the audit replay behind ``kapdesk check``.

Services write every change with an audit entry in the same transaction
(:func:`kapdesk.storage.audit.append`), and an entry that creates or changes a row records
the row as it then was (``after`` = :func:`~kapdesk.storage.audit.row_snapshot`). Replaying
the log predicts every audited table; :func:`replay` compares the prediction with the rows
and reports, by table, id and field:

* a row no entry created (inserted behind the app);
* a row that differs from the state its entries record (changed behind the app);
* a row gone though no entry deleted it (deleted behind the app), or there though one did.

How an entry is read, for the row ``entity``/``entity_id`` it names:

* ``after`` holding the row's key (``id``; for settings, ``value``): the whole row as it was;
* any other ``after``: a partial change; its keys that are columns are applied
  (e.g. ``auth.login`` recording a user's ``failed_logins`` and ``locked_until``);
  refusals (``denied.*``) change nothing;
* no ``after``, a ``before`` and an action ending in ``.delete``: the row was deleted.

A column a later revision added is absent from the snapshots written before it: where the
revision gave every existing row one value (:data:`ADDED_WITH_ONE_VALUE`), such a snapshot
is read as holding that value (the row can only have changed since through an entry that
records it); other columns a snapshot does not hold are not compared. Secret columns are
compared through their digest (:func:`~kapdesk.storage.audit.secret_digest`). A user's lock
state is also carried by failure entries on other records (``after`` with ``user_id`` and
``failed_logins``, e.g. a wrong password when signing).

Speed: big tables are compared in SQL first (the row rebuilt as the canonical JSON text an
unchanged snapshot holds, against its newest entry); only rows that differ there are judged
exactly in Python: a text SQLite renders differently costs time, never a false finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from kapdesk.storage.audit_chain import REDACTED_COLUMNS, sql_iso_utc
from kapdesk.storage.audit_values import column_differs, current_value, secret_column, shown_value
from kapdesk.storage.audited import AUDITED as AUDITED
from kapdesk.storage.audited import Audited as Audited
from kapdesk.storage.column_kinds import table_columns
from kapdesk.storage.raw_read import statement_errors
from kapdesk.storage.replay_sql import (
    NEVER_SQL,
    exact_sql,
    flag_sql,
    json_text_sql,
    readable_time_sql,
    row_json_sql,
)
from kapdesk.storage.shipped_protocols import pinned_by_upgrade

if TYPE_CHECKING:
    from kapdesk.storage.raw_read import Readable

FAST_MIN_ROWS = 100  # smaller tables are judged in Python (a few hundred rows: 5x faster in SQL)
_ENTERED_IN_ERROR: Final = {"error_at": None, "error_by": None, "error_reason": None}
# Columns revisions added with one value for every existing row (revision 0004: kinds,
# rules and warnings; 0005: entered in error; 0006: a user's language), as a snapshot's
# JSON holds it. Not here: columns a revision filled row by row (patients.search_key in
# 0003, courses.protocol_hash in 0004), which an old snapshot cannot predict.
ADDED_WITH_ONE_VALUE: Final[dict[str, dict[str, Any]]] = {
    "users": {"language": None},
    "hold_overrides": {"kind": "reading", "item_id": None},
    "dosing_sessions": {"same_day_reason": None, "same_day_confirmed_by": None},
    "instrument_results": {"scoring_rule": "", **_ENTERED_IN_ERROR},
    "doses": {"warnings": [], **_ENTERED_IN_ERROR},
    "vital_readings": dict(_ENTERED_IN_ERROR),
    "side_effects": dict(_ENTERED_IN_ERROR),
    "observations": dict(_ENTERED_IN_ERROR),
}
CHUNK_ROWS = 20_000  # rows per piece of a big table (pieces run in parallel)
MAX_PIECES = 1_000  # per table, whatever its span of ids
MAX_LISTED = 50
_IN_CHUNK = 500


LOCK_COLUMNS = ("failed_logins", "locked_until")


@dataclass(frozen=True)
class RowFinding:
    entity: str
    key: str
    fields: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class ReplayReport:
    rows_checked: int
    findings: tuple[RowFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    def messages(self, limit: int = MAX_LISTED) -> list[str]:
        shown = [f.message for f in self.findings[:limit]]
        if len(self.findings) > limit:
            shown.append(
                f"... and {len(self.findings) - limit} more rows that differ from their audit trail"
            )
        return shown


# ------------------------------------------------------------------ the Python replay


@dataclass
class _History:
    state: dict[str, Any] | None = None  # None: never created
    created_in: int | None = None
    last_entry: int | None = None
    deleted_in: int | None = None


def _fold(history: _History, entry_id: int, action: str, key: str, spec: Audited,
          columns: frozenset[str], before: str | None, after: str | None) -> None:  # fmt: skip
    if action.startswith("denied."):
        return
    data = _load(after)
    if data is None:
        if action.endswith(".delete") and _load(before) is not None:
            history.deleted_in, history.last_entry = entry_id, entry_id
        return
    recorded = {k: v for k, v in data.items() if k in columns}
    if not recorded:
        return
    whole = "value" in data if spec.key == "key" else str(data.get(spec.key, "\0")) == key
    if whole:
        added = ADDED_WITH_ONE_VALUE.get(spec.table, {})
        # a snapshot from before the revision that added a column: the value it gave
        history.state = {**{k: v for k, v in added.items() if k in columns}, **recorded}
        history.created_in = history.created_in or entry_id
        history.deleted_in = None
    elif history.state is not None:
        history.state.update({k: v for k, v in recorded.items() if k != spec.key})
    else:
        return
    history.last_entry = entry_id


def _load(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _chunked(items: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Table:
    def __init__(self, conn: Readable, spec: Audited) -> None:
        self.conn = conn
        self.spec = spec
        self.columns = table_columns(spec.table)
        self.names = frozenset(self.columns)

    # -- loading

    def rows(self, keys: Sequence[str] | None) -> dict[str, dict[str, Any]]:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        base = f'SELECT {cols} FROM "{self.spec.table}"'
        found: dict[str, dict[str, Any]] = {}
        batches: Iterable[Sequence[str] | None] = [None] if keys is None else _chunked(keys)
        for batch in batches:
            if batch is None:
                result = self.conn.exec_driver_sql(base)
            else:
                marks = ", ".join("?" for _ in batch)
                sql = f'{base} WHERE "{self.spec.key}" IN ({marks})'
                values = tuple(
                    int(k) if self.spec.key == "id" and k.isdigit() else k for k in batch
                )
                result = self.conn.exec_driver_sql(sql, values)
            for raw in result:
                row = dict(zip(self.columns, raw, strict=True))
                found[str(row[self.spec.key])] = row
        return found

    def histories(self, keys: Sequence[str] | None) -> dict[str, _History]:
        histories: dict[str, _History] = {}
        base = (
            "SELECT id, action, entity_id, before, after FROM audit_log "
            "WHERE entity = ? AND entity_id IS NOT NULL"
        )
        batches: Iterable[Sequence[str] | None] = [None] if keys is None else _chunked(keys)
        for batch in batches:
            if batch is None:
                result = self.conn.exec_driver_sql(base + " ORDER BY id", (self.spec.entity,))
            else:
                marks = ", ".join("?" for _ in batch)
                result = self.conn.exec_driver_sql(
                    f"{base} AND entity_id IN ({marks}) ORDER BY id", (self.spec.entity, *batch)
                )
            for entry_id, action, key, before, after in result:
                _fold(histories.setdefault(key, _History()), entry_id, action, key,
                      self.spec, self.names, before, after)  # fmt: skip
        return histories

    # -- judging

    def judge(self, keys: Sequence[str] | None) -> list[RowFinding]:
        rows = self.rows(keys)
        histories = self.histories(keys)
        if self.spec.table == "users":
            self._carry_lock_state(rows, histories)
        findings: list[RowFinding] = []
        entity = self.spec.entity
        for key in sorted(set(rows) | set(histories), key=_order):
            row, history = rows.get(key), histories.get(key) or _History()
            if row is None:
                if history.state is not None and history.deleted_in is None:
                    findings.append(RowFinding(entity, key, (), (
                        f"{entity} {key}: deleted behind the app (audit entry "
                        f"{history.created_in} created it, no entry deleted it)"
                    )))  # fmt: skip
                continue
            if history.state is None:
                if not history.deleted_in and self._pinned_by_upgrade(row):
                    continue  # a shipped preset revision 0004 stored without an entry
                how = (
                    f"audit entry {history.deleted_in} deleted it, yet it is present"
                    if history.deleted_in
                    else "no audit entry created it (inserted behind the app)"
                )
                findings.append(RowFinding(entity, key, (), f"{entity} {key}: {how}"))
                continue
            differing = self._differing(row, history.state)
            if differing:
                parts = [self._difference(c, row, history.state[c]) for c in differing]
                findings.append(RowFinding(entity, key, tuple(differing), (
                    f"{entity} {key}: changed behind the app; differs from audit entry "
                    f"{history.last_entry} in {', '.join(differing)} ({'; '.join(parts)})"
                )))  # fmt: skip
        return findings

    def _pinned_by_upgrade(self, row: dict[str, Any]) -> bool:
        return self.spec.table == "protocol_versions" and pinned_by_upgrade(row)

    def _difference(self, column: str, row: dict[str, Any], recorded: object) -> str:
        if secret_column(self.spec.table, column, row):  # never shown
            return f"{column} was changed"
        kind = self.columns[column]
        now = shown_value(kind, current_value(kind, row[column]))
        return f"{column} is {now}, recorded {shown_value(kind, recorded)}"

    def _differing(self, row: dict[str, Any], state: dict[str, Any]) -> list[str]:
        differing = []
        for column, recorded in state.items():
            value = current_value(self.columns[column], row[column])
            if column_differs(self.spec.table, column, row, recorded, value):
                differing.append(column)
        return sorted(differing)

    def _carry_lock_state(
        self, rows: dict[str, dict[str, Any]], histories: dict[str, _History]
    ) -> None:
        """Failures recorded on other records (a wrong password when signing) carry the
        user's new lock state: apply the newest of them after the user's own last entry."""
        for key, row in rows.items():
            history = histories.get(key)
            if history is None or history.state is None or history.last_entry is None:
                continue
            if not self._differing(row, history.state):
                continue
            later = self.conn.exec_driver_sql(
                "SELECT id, after FROM audit_log WHERE id > ? AND entity != 'user' "
                "AND after LIKE ? ORDER BY id",
                (history.last_entry, f'%"user_id":{key}%'),
            )
            for entry_id, after in later:
                data = _load(after)
                if data and str(data.get("user_id")) == key and "failed_logins" in data:
                    history.state.update({c: data[c] for c in LOCK_COLUMNS if c in data})
                    history.last_entry = entry_id

    # -- the SQL pass

    def differing_query(self, low: int, high: int) -> tuple[str, tuple[Any, ...]]:
        """(SQL, parameters) of (key, to judge) for the keys in ``low..high`` whose row's
        text differs from its newest entry's snapshot (or that no entry names at all); to
        judge: 1 where SQL cannot match them otherwise either. Plain SQLite SQL, so a worker
        process can run it on its own connection. (The rows not listed are each exactly
        their newest entry's text: the signatures' pass may use that text.)"""
        spec, key = self.spec, f't."{self.spec.key}"'
        # Second look, only where the text differs: an entry may record more than the row
        # (course.end adds its reason); setting every column into it must change nothing.
        sql = (
            f"SELECT {key}, (a.after IS NULL OR json_valid(a.after) = 0 "
            f"OR a.after IS NOT ({self._json_set_sql()})) "
            f'FROM "{spec.table}" t LEFT JOIN audit_log a ON a.id = ({newest_entry_sql(key)}) '
            f"WHERE {key} BETWEEN ? AND ? AND a.after IS NOT ({self._snapshot_sql()})"
        )
        return sql, (spec.entity, low, high)

    def keys_between(self, low: int, high: int) -> list[str]:
        key = f'"{self.spec.key}"'
        found = self.conn.exec_driver_sql(
            f'SELECT {key} FROM "{self.spec.table}" WHERE {key} BETWEEN ? AND ?', (low, high)
        )
        return [str(k) for (k,) in found]

    def _json_set_sql(self) -> str:
        """The entry's ``after`` with every column set to the row's value (JSON-typed)."""
        args = []
        for name in sorted(self.columns):
            kind, col = self.columns[name].kind, f't."{name}"'
            if kind == "time":
                value = (
                    f"CASE WHEN {col} IS NULL THEN NULL WHEN {readable_time_sql(col)} "
                    f"THEN {sql_iso_utc(col)} ELSE {NEVER_SQL} END"
                )
            elif kind == "flag":
                value = f"json({flag_sql(col)})"
            elif kind == "json":
                value = f"json({json_text_sql(col)})"
            elif kind in ("integer", "float"):  # json_set prints a float's 15 digits
                value = (
                    f"CASE WHEN typeof({col}) = 'real' AND NOT {exact_sql(col)} "
                    f"THEN {NEVER_SQL} ELSE {col} END"
                )
            else:
                value = col
            args.append(f"'$.{name}', {value}")
        return f"json_set(a.after, {', '.join(args)})"

    def vanished_query(self) -> tuple[str, tuple[Any, ...]]:
        """(SQL, parameters) of the table's row count, smallest and largest key, and the
        number of distinct keys its entries name (see :meth:`vanished`)."""
        spec, key = self.spec, f't."{self.spec.key}"'
        return (
            f"SELECT count(*), min({key}), max({key}), (SELECT count(*) FROM (SELECT DISTINCT "
            "entity_id FROM audit_log WHERE entity = ? AND entity_id IS NOT NULL)) "
            f'FROM "{spec.table}" t',
            (spec.entity,),
        )

    def vanished(self, counted: Sequence[Any] | None = None) -> tuple[int, list[str]]:
        """The table's row count, and the keys entries name that have no row
        (``counted``: the row of :meth:`vanished_query`, if already run).

        Shortcut: rows are only ever added, with ids one above the last, so a table whose
        ids run 1..n without a gap, named by exactly n distinct keys, has none: a row
        deleted leaves a gap, or (the last one) comes back as another row its entries do
        not describe, which the row comparison reports.
        """
        spec, key = self.spec, f't."{self.spec.key}"'
        if counted is None:
            counted = self.conn.exec_driver_sql(*self.vanished_query()).one()
        count, low, high, named = counted
        if count and low == 1 and high == count and named == count:
            return int(count), []
        rows = self.conn.exec_driver_sql(
            "SELECT l.k FROM (SELECT entity_id AS k FROM audit_log WHERE entity = ? "
            f'AND entity_id IS NOT NULL GROUP BY entity_id) l LEFT JOIN "{spec.table}" t '
            f"ON {key} = CAST(l.k AS INTEGER) WHERE {key} IS NULL",
            (spec.entity,),
        )
        return int(count), [str(k) for (k,) in rows]

    def _snapshot_sql(self) -> str:
        """The row as the canonical JSON text of its snapshot."""
        return row_json_sql(self.columns, self.columns, "t")


def newest_entry_sql(key: str, entity: str = "?") -> str:
    """SQL of the id of the newest entry on the row whose key is ``key`` (SQL), of ``entity``
    (SQL: a parameter by default)."""
    return (
        f"SELECT max(id) FROM audit_log WHERE entity = {entity} AND entity_id = CAST({key} AS TEXT)"
    )


def _order(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)


@dataclass(frozen=True)
class Part:
    """A piece of the replay: a table whole (``low`` None), a key range of a big table
    compared in SQL first, or (``vanished``) the keys of its entries that have no row."""

    spec: Audited
    rows: int  # rows it covers (for the report; a vanished part counts its table's)
    low: int | None = None
    high: int | None = None
    vanished: bool = False


def parts(
    conn: Readable, *, fast_min_rows: int | None = None, chunk_rows: int = CHUNK_ROWS
) -> list[Part]:
    """The replay cut into pieces that can run on separate connections, biggest first.

    Only the ends of the key range are read here (two look-ups): counting a big table
    would scan it once more; the vanished part counts it while it looks for gaps."""
    least = FAST_MIN_ROWS if fast_min_rows is None else fast_min_rows
    found: list[Part] = []
    for spec in AUDITED:
        table = _Table(conn, spec)
        low, high = conn.exec_driver_sql(
            f'SELECT min("{spec.key}"), max("{spec.key}") FROM "{spec.table}"'
        ).one()
        by_id = spec.key == "id" and low is not None and not (table.names & REDACTED_COLUMNS)
        if not by_id or int(high) - int(low) + 1 < least:
            count = conn.exec_driver_sql(f'SELECT count(*) FROM "{spec.table}"').scalar()
            found.append(Part(spec, int(count or 0)))
            continue
        # ids are dense in a kapdesk file; a few far-out ids (inserted behind the app)
        # widen the pieces instead of multiplying them
        step = max(chunk_rows, -(-(int(high) - int(low) + 1) // MAX_PIECES))
        for start in range(int(low), int(high) + 1, step):
            found.append(Part(spec, 0, start, min(start + step - 1, int(high))))
        found.append(Part(spec, 0, vanished=True))
    return sorted(found, key=lambda p: p.low is None and not p.vanished)


def pass_query(conn: Readable, part: Part) -> tuple[str, tuple[Any, ...]] | None:
    """(SQL, parameters) of a part's pass in SQL (:func:`finish_part` judges its rows), plain
    SQLite SQL that any read-only connection to the file can run; None: a whole table,
    judged in Python."""
    table = _Table(conn, part.spec)
    if part.vanished:
        return table.vanished_query()
    if part.low is not None and part.high is not None:
        return table.differing_query(part.low, part.high)
    return None


def finish_part(conn: Readable, part: Part, found: Sequence[Sequence[Any]] | None) -> ReplayReport:
    """Judge one :class:`Part` (one connection, one snapshot) from the rows its
    :func:`pass_query` gave (``found``; None where SQL could not render a value, e.g. a
    BLOB in a text column: then every row of the piece is judged in Python)."""
    table = _Table(conn, part.spec)
    rows = part.rows
    if part.vanished:
        rows, vanished = table.vanished(found[0] if found else None)
        keys: list[str] | None = vanished
    elif part.low is not None and part.high is not None:
        if found is None:
            keys = table.keys_between(part.low, part.high)
        else:
            keys = [str(k) for k, judge in found if judge]
    else:
        keys = None
    if keys == []:
        return ReplayReport(rows, ())
    judged = table.judge(None if keys is None else sorted(set(keys), key=_order))
    return ReplayReport(rows, tuple(judged))


def replay_part(conn: Readable, part: Part) -> ReplayReport:
    """Judge one :class:`Part` on ``conn``: its pass in SQL, then in Python what differs."""
    query = pass_query(conn, part)
    found: Sequence[Sequence[Any]] | None = None
    if query is not None:
        try:
            found = conn.exec_driver_sql(*query).all()
        except statement_errors():  # a value SQL cannot render (a BLOB in a text column)
            found = None
    return finish_part(conn, part, found)


def recorded_states(conn: Readable, spec: Audited) -> dict[str, dict[str, Any] | None]:
    """Each key's state as the replay folds its entries (None: none created it)."""
    return {key: h.state for key, h in _Table(conn, spec).histories(None).items()}


def merged(reports: Iterable[ReplayReport]) -> ReplayReport:
    """One report of several tables', findings in :data:`AUDITED` order."""
    done = list(reports)
    order = {spec.entity: i for i, spec in enumerate(AUDITED)}
    findings = sorted(
        (f for r in done for f in r.findings),
        key=lambda f: (order.get(f.entity, 99), _order(f.key)),
    )
    return ReplayReport(sum(r.rows_checked for r in done), tuple(findings))


def replay(conn: Readable, *, fast_min_rows: int | None = None) -> ReplayReport:
    """Compare every audited table with its audit trail; read-only. ``conn`` must be a
    SQLite connection at the current schema, inside one transaction for one snapshot."""
    pieces = parts(conn, fast_min_rows=fast_min_rows)
    return merged(replay_part(conn, part) for part in pieces)
