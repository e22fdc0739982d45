"""The schema objects of a kapdesk database on PostgreSQL, in the form
:mod:`kapdesk.storage.schema_check` compares (name -> (type, table, normalised definition)).

Read from the catalogue of the current schema (``current_schema()``, normally ``public``):

* tables: each column (name, type, NULL or not, default) and each constraint
  (``pg_get_constraintdef``), in a fixed order;
* indexes (``pg_indexes.indexdef``) and sequences;
* triggers (``pg_get_triggerdef``) with their state: a trigger disabled with
  ``ALTER TABLE ... DISABLE TRIGGER`` no longer enforces anything, and differs;
* functions (their source), views and rewrite rules: a rule ``ON DELETE DO INSTEAD
  NOTHING`` or a function added behind the app is an extra object.

The expected objects at the head revision are :data:`kapdesk.storage.schema_head_pg.OBJECTS`,
written by :func:`write_head_module` from a new database upgraded to head (a test on a
server keeps the two equal).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Connection, text

Objects = dict[str, tuple[str, str, str]]

_COLUMNS = text(
    "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, "
    "column_default FROM information_schema.columns WHERE table_schema = current_schema() "
    "ORDER BY table_name, ordinal_position"
)
_CONSTRAINTS = text(
    "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
    "JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = current_schema()::regnamespace "
    "ORDER BY c.relname, k.conname"
)
_TABLES = text(
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
)
_INDEXES = text(
    "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
)
_SEQUENCES = text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
_TRIGGERS = text(
    "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid), t.tgenabled FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
    "AND c.relnamespace = current_schema()::regnamespace"
)
_FUNCTIONS = text(
    "SELECT p.proname, p.prosrc FROM pg_proc p "
    "WHERE p.pronamespace = current_schema()::regnamespace"
)
_VIEWS = text("SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()")
_RULES = text(
    "SELECT rulename, tablename, definition FROM pg_rules WHERE schemaname = current_schema()"
)
_ENABLED = {"O": "enabled", "D": "DISABLED", "R": "replica only", "A": "always"}


def _normalise(sql: object) -> str:
    return " ".join(str(sql or "").split())


# pg_restore re-parses CHECK (x IN (...)) on a varchar column and PostgreSQL prints it as
# ANY (ARRAY[('a'::character varying)::text, ...]) where the migration's prints
# ANY ((ARRAY['a'::character varying, ...])::text[]): the same constraint, one spelling.
_CAST_EACH = re.compile(r"\('((?:[^']|'')*)'::character varying\)::text")
_CAST_ARRAY = re.compile(r"\(\(ARRAY\[((?:[^'\]]|'(?:[^']|'')*')*)\]\)::text\[\]\)")


def canonical_definition(definition: str) -> str:
    """A constraint's definition, spelled the same after a dump and restore."""
    each = _CAST_EACH.sub(r"'\1'::character varying", definition)
    return _CAST_ARRAY.sub(r"(ARRAY[\1])", each)


def _tables(conn: Connection) -> Objects:
    columns: dict[str, list[str]] = {}
    for table, name, kind, length, nullable, default in conn.execute(_COLUMNS):
        spelled = f"{name} {kind}{f'({length})' if length else ''}"
        spelled += "" if nullable == "YES" else " NOT NULL"
        spelled += f" DEFAULT {default}" if default is not None else ""
        columns.setdefault(str(table), []).append(spelled)
    for table, name, definition in conn.execute(_CONSTRAINTS):
        spelled = canonical_definition(str(definition))
        columns.setdefault(str(table), []).append(f"CONSTRAINT {name} {spelled}")
    return {
        str(table): ("table", str(table), _normalise(", ".join(columns.get(str(table), []))))
        for (table,) in conn.execute(_TABLES)
    }


def pg_objects_of(conn: Connection) -> Objects:
    """Every schema object of the current schema, normalised (see the module docstring);
    the schema's own name is left out of definitions, so any schema compares alike."""
    schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    return {
        name: (kind, table, sql.replace(f" {schema}.", " "))
        for name, (kind, table, sql) in _objects(conn).items()
    }


def _objects(conn: Connection) -> Objects:
    found = _tables(conn)
    for name, table, definition in conn.execute(_INDEXES):
        found[str(name)] = ("index", str(table), _normalise(definition))
    for (name,) in conn.execute(_SEQUENCES):
        found[str(name)] = ("sequence", "", "")
    for name, table, definition, enabled in conn.execute(_TRIGGERS):
        state = _ENABLED.get(str(enabled), str(enabled))
        found[str(name)] = ("trigger", str(table), f"{_normalise(definition)} ({state})")
    for name, source in conn.execute(_FUNCTIONS):
        found[str(name)] = ("function", "", _normalise(source))
    for name, definition in conn.execute(_VIEWS):
        found[str(name)] = ("view", str(name), _normalise(definition))
    for name, table, definition in conn.execute(_RULES):
        found[str(name)] = ("rule", str(table), _normalise(definition))
    return found


def write_head_module(conn: Connection, revision: str, path: Path | None = None) -> Path:
    """Regenerate :mod:`kapdesk.storage.schema_head_pg` from ``conn``, a new database at
    the head revision (developers, after a new revision; needs a server)."""
    from kapdesk.storage import schema_head_pg

    target = path or Path(schema_head_pg.__file__)
    lines = [
        "# ruff: noqa: E501",
        '"""Schema objects at the migration head on PostgreSQL (generated by',
        'kapdesk.storage.schema_pg.write_head_module; a test keeps it current)."""',
        "",
        "# fmt: off",
        f"REVISION = {revision!r}",
        "OBJECTS: tuple[tuple[str, str, str, str], ...] = (",
    ]
    for name, (kind, table, sql) in sorted(pg_objects_of(conn).items()):
        lines.append(f"    ({name!r}, {kind!r}, {table!r},")
        lines.append(f"     {sql!r}),")
    lines += [")", "# fmt: on", ""]
    target.write_text("\n".join(lines), encoding="utf-8")
    return target
