"""A stored column value against the JSON value an audit snapshot recorded for it
(the exact, Python half of the audit replay, :mod:`kapdesk.storage.audit_replay`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from kapdesk.storage.audit_chain import REDACTED_COLUMNS, canonical_json, secret_digest
from kapdesk.storage.column_kinds import ColumnKind
from kapdesk.storage.settings_store import SECRET_SETTINGS


class Unreadable:
    def __init__(self, raw: object) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"unreadable {self.raw!r}"


def current_value(column: ColumnKind, raw: object) -> object:
    """A stored value as the JSON value a snapshot of it holds."""
    if raw is None:
        return None
    try:
        if column.kind == "time":
            moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC).isoformat()
        if column.kind == "flag":
            return {0: False, 1: True}.get(raw, Unreadable(raw))  # type: ignore[call-overload]
        if column.kind == "json":
            return json.loads(raw) if isinstance(raw, str | bytes) else raw
        if column.kind == "date":
            return str(raw)
    except (ValueError, TypeError):
        return Unreadable(raw)
    return raw


def same_value(recorded: object, current: object) -> bool:
    if isinstance(current, Unreadable):
        return False
    if isinstance(recorded, bool) or isinstance(current, bool):
        return type(recorded) is type(current) and recorded == current
    if isinstance(recorded, int | float) and isinstance(current, int | float):
        return float(recorded) == float(current)
    if isinstance(recorded, dict | list) or isinstance(current, dict | list):
        try:
            return canonical_json(recorded) == canonical_json(current)
        except (TypeError, ValueError):
            return False
    return recorded == current


def shown_value(column: ColumnKind, value: object) -> str:
    """A value for the report: numbers, flags, times and short codes; never free text."""
    if isinstance(value, bytes):  # a BLOB stored behind the app: its bytes may be free text
        return "(bytes)"
    if value is None or isinstance(value, bool | int | float | Unreadable):
        return repr(value) if isinstance(value, Unreadable) else json.dumps(value)
    if column.kind in ("time", "date", "integer", "float", "flag"):
        return json.dumps(value, ensure_ascii=False)
    if column.short_text and isinstance(value, str) and len(value) <= 64:
        return json.dumps(value, ensure_ascii=False)
    return "(text)"


def secret_column(table: str, column: str, row: dict[str, Any]) -> bool:
    """A column the log keeps as its digest, never its value: a password hash, or the value
    of a secret setting (:data:`~kapdesk.storage.settings_store.SECRET_SETTINGS`)."""
    if column in REDACTED_COLUMNS:
        return True
    return table == "settings" and column == "value" and row.get("key") in SECRET_SETTINGS


def column_differs(
    table: str, column: str, row: dict[str, Any], recorded: object, value: object
) -> bool:
    """Whether ``row[column]`` (read as ``value``) differs from what its entry recorded; a
    secret column is compared through its digest (:func:`secret_column`)."""
    if not secret_column(table, column, row):
        return not same_value(recorded, value)
    digest = isinstance(recorded, str) and recorded.startswith("sha256:")
    if column in REDACTED_COLUMNS:  # '[redacted]' in old entries: not compared
        return digest and secret_digest(row[column]) != recorded
    return not same_value(recorded, secret_digest(value) if digest else value)
