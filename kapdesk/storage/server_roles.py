"""The roles of a clinic's PostgreSQL server: the owner who made the schema, and the
application role every workstation signs in with.

``kapdesk server init`` (kapdesk.cli.server) connects as the database's owner, creates the
schema (Alembic head, through :meth:`kapdesk.storage.db.Database.open`), then in one
transaction creates the application role and grants it exactly what the services do:

* :data:`APP_TABLE_PRIVILEGES`, per table. It was derived from the code: every INSERT,
  UPDATE and DELETE statement the service, CLI and demo test suites sent, recorded per
  table (no service deletes a row: clinical records are marked entered in error, never
  removed; signatures and addenda are append-only like the audit log). Checked by
  running real use cases as the application role (tests/storage/test_pg_server_roles.py).
* the audit log: INSERT and SELECT only, never UPDATE, DELETE or TRUNCATE; the owner's
  triggers refuse those to everyone as well;
* USAGE and SELECT on the id sequences of the tables it inserts into (never UPDATE: that
  would allow ``setval``);
* CONNECT on the database and USAGE on the schema, never CREATE: no DDL.

The password never travels as text: it is turned into a SCRAM-SHA-256 verifier by libpq
on this computer (``PQencryptPasswordConn``) and only the verifier reaches the server (and
any statement log).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import Connection, text

from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import _

SELECT: Final = "SELECT"
INSERT: Final = "INSERT"
UPDATE: Final = "UPDATE"
DELETE: Final = "DELETE"
READ_ONLY: Final = (SELECT,)
APPEND_ONLY: Final = (SELECT, INSERT)
READ_WRITE: Final = (SELECT, INSERT, UPDATE)

# What the application role may do to each table. Every table of the schema must be here:
# a new table gets no privilege until someone decides it (test_every_table_has_grants).
APP_TABLE_PRIVILEGES: Final[Mapping[str, tuple[str, ...]]] = {
    "alembic_version": READ_ONLY,  # the owner migrates; workstations only read the revision
    "audit_log": APPEND_ONLY,
    "signatures": APPEND_ONLY,
    "addenda": APPEND_ONLY,
    "protocol_versions": APPEND_ONLY,  # a pinned protocol text never changes
    "alert_acknowledgements": APPEND_ONLY,
    "hold_overrides": APPEND_ONLY,
    "users": READ_WRITE,  # failed sign-ins, lock-outs, password changes, deactivation
    "patients": READ_WRITE,
    "courses": READ_WRITE,  # ended_on
    "dosing_sessions": READ_WRITE,  # state, checklist, discharge
    "vital_readings": READ_WRITE,  # entered in error
    "doses": READ_WRITE,  # entered in error
    "side_effects": READ_WRITE,  # severity, intervention, resolved
    "observations": READ_WRITE,  # entered in error
    "instrument_results": READ_WRITE,  # entered in error
    "notes": READ_WRITE,  # drafts edited, then signed
    "settings": READ_WRITE,
}
FORBIDDEN_ON_AUDIT: Final = (UPDATE, DELETE, "TRUNCATE")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
KAPDESK_MARK_TABLES: Final = frozenset({"alembic_version", "audit_log", "patients", "users"})


class ServerInitRefused(KapdeskError):
    """``kapdesk server init`` will not (or could not) set up this database; nothing changed
    unless the message says otherwise. ``password_wanted_for``: the role the server asked a
    password of when none was given (the command line may ask for it and try again)."""

    def __init__(self, message: str, *, password_wanted_for: str | None = None) -> None:
        super().__init__(message)
        self.password_wanted_for = password_wanted_for
        self.said = message  # what happened, without "Nothing was changed." (unchanged())

    @classmethod
    def unchanged(cls, said: str, *, password_wanted_for: str | None = None) -> ServerInitRefused:
        """``said``, then that nothing was changed (in the active language); ``said`` is
        kept alone for a later step that did change something to say what it kept."""
        refused = cls(
            _("{said} Nothing was changed.", said=said), password_wanted_for=password_wanted_for
        )
        refused.said = said
        return refused


@dataclass(frozen=True)
class SchemaState:
    """What a database holds before ``server init`` touches it."""

    schema: str  # where kapdesk's tables are (or will be): the owner's current schema
    tables: frozenset[str]
    revision: str | None  # alembic_version's, when there is one

    @property
    def empty(self) -> bool:
        return not self.tables

    @property
    def is_kapdesk(self) -> bool:
        return self.tables >= KAPDESK_MARK_TABLES and self.revision is not None


@dataclass
class RolePlan:
    """What :func:`reconcile_app_role` did (or found already in place)."""

    created: bool = False
    granted: list[str] = field(default_factory=list)  # "INSERT on patients", ...
    revoked: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.granted) or bool(self.revoked)


def check_role_name(name: str, option: str = "--app-role") -> str:
    if not ROLE_NAME.match(name):
        raise ServerInitRefused(
            f"{option} {name!r} is not a usable role name: use 1 to 63 lower-case letters, "
            "digits or underscores, starting with a letter or underscore (e.g. "
            f"{'clinic_owner' if option == '--owner' else 'clinic_app'})."
        )
    return name


def default_app_role(database: str) -> str:
    """``<database>_app`` made a valid role name (roles are shared by a server's databases,
    so the default differs per clinic database)."""
    base = re.sub(r"[^a-z0-9_]", "_", database.lower())[:58] or "kapdesk"
    if not re.match(r"[a-z_]", base):
        base = "_" + base[:57]
    return f"{base}_app"


def schema_state(conn: Connection) -> SchemaState:
    """The owner's current schema, its tables and kapdesk revision (if any)."""
    schema = str(conn.execute(text("SELECT current_schema()")).scalar() or "public")
    tables = frozenset(
        str(name)
        for name in conn.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
            ),
            {"schema": schema},
        ).scalars()
    )
    revision = None
    readable = (
        "alembic_version" in tables
        and conn.execute(
            # an administrator checking a clinic whose owner it is not may not read it
            text(
                "SELECT has_table_privilege(format('%I.alembic_version', CAST(:s AS text)), "
                "'SELECT')"
            ),
            {"s": schema},
        ).scalar()
    )
    if readable:
        revision = conn.execute(
            text(f'SELECT version_num FROM "{schema}".alembic_version')
        ).scalar()
    return SchemaState(schema, tables, None if revision is None else str(revision))


def other_schemas_with_tables(conn: Connection, schema: str) -> list[str]:
    """Schemas other than ``schema`` (and the system ones) that hold tables."""
    return [
        str(s)
        for s in conn.execute(
            text(
                "SELECT DISTINCT n.nspname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname <> :schema "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
            ),
            {"schema": schema},
        ).scalars()
    ]


def role_exists(conn: Connection, role: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    )


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def scram_verifier(conn: Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password`` for ``role``, made by libpq here."""
    pgconn = conn.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
    verifier = pgconn.encrypt_password(password.encode("utf-8"), role.encode(), b"scram-sha-256")
    return bytes(verifier).decode("ascii")


def create_app_role(conn: Connection, role: str, password: str) -> None:
    """A LOGIN role with no other attribute, its password given as a SCRAM verifier."""
    verifier = scram_verifier(conn, role, password)
    conn.exec_driver_sql(
        f"CREATE ROLE {_quote(conn, role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
        f"NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD '{verifier}'"
    )


def table_grants(conn: Connection, schema: str, role: str) -> dict[str, set[str]]:
    """The privileges granted directly to ``role`` on each table and sequence of ``schema``."""
    rows = conn.execute(
        text(
            "SELECT c.relname, a.privilege_type FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL aclexplode(c.relacl) a "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'S') "
            "AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = :role)"
        ),
        {"schema": schema, "role": role},
    )
    found: dict[str, set[str]] = {}
    for name, privilege in rows:
        found.setdefault(str(name), set()).add(str(privilege))
    return found


def owned_sequences(conn: Connection, schema: str) -> dict[str, str]:
    """Each sequence of ``schema`` owned by a table column: sequence name -> table name."""
    rows = conn.execute(
        text(
            "SELECT s.relname, t.relname FROM pg_class s "
            "JOIN pg_namespace n ON n.oid = s.relnamespace "
            "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND n.nspname = :schema"
        ),
        {"schema": schema},
    )
    return {str(seq): str(table) for seq, table in rows}


def expected_grants(tables: frozenset[str], sequences: Mapping[str, str]) -> dict[str, set[str]]:
    """What the application role must hold on each table and sequence, no more.

    Refuses a schema with a table :data:`APP_TABLE_PRIVILEGES` does not know."""
    unknown = sorted(tables - APP_TABLE_PRIVILEGES.keys())
    if unknown:
        raise ServerInitRefused(
            f"the schema has tables this kapdesk does not know how to grant: "
            f"{', '.join(unknown)}; use the kapdesk version that created them."
        )
    wanted = {t: set(APP_TABLE_PRIVILEGES[t]) for t in tables}
    for sequence, table in sequences.items():
        if INSERT in wanted.get(table, ()):
            wanted[sequence] = {"USAGE", SELECT}
    return wanted


def reconcile_app_role(
    conn: Connection,
    state: SchemaState,
    role: str,
    password: Callable[[], str] | None,
) -> RolePlan:
    """Create ``role`` if missing (asking ``password()`` then) and make its privileges on
    ``state.schema`` exactly :func:`expected_grants`. Runs in the caller's transaction."""
    plan = RolePlan()
    quoted = _quote(conn, role)
    if not role_exists(conn, role):
        if password is None:
            raise ServerInitRefused(f"no password for the new role {role}.")
        create_app_role(conn, role, password())
        plan.created = True
    sequences = owned_sequences(conn, state.schema)
    wanted = expected_grants(state.tables & APP_TABLE_PRIVILEGES.keys(), sequences)
    wanted_all = {**{t: set() for t in state.tables}, **wanted}
    have = table_grants(conn, state.schema, role)
    schema = _quote(conn, state.schema)
    for name in sorted(set(wanted_all) | set(have)):
        target = f"{schema}.{_quote(conn, name)}"
        kind = "SEQUENCE " if name in sequences else ""
        extra = sorted(have.get(name, set()) - wanted_all.get(name, set()))
        missing = sorted(wanted_all.get(name, set()) - have.get(name, set()))
        if extra:
            conn.exec_driver_sql(f"REVOKE {', '.join(extra)} ON {kind}{target} FROM {quoted}")
            plan.revoked += [f"{p} on {name}" for p in extra]
        if missing:
            conn.exec_driver_sql(f"GRANT {', '.join(missing)} ON {kind}{target} TO {quoted}")
            plan.granted += [f"{p} on {name}" for p in missing]
    _schema_and_database_access(conn, state.schema, role, plan)
    return plan


def _schema_and_database_access(conn: Connection, schema: str, role: str, plan: RolePlan) -> None:
    quoted, q_schema = _quote(conn, role), _quote(conn, schema)
    database = str(conn.execute(text("SELECT current_database()")).scalar())
    checks = conn.execute(
        text(
            "SELECT has_schema_privilege(:r, :s, 'USAGE'), has_schema_privilege(:r, :s, 'CREATE'),"
            " EXISTS (SELECT 1 FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a"
            " WHERE d.datname = :d AND a.privilege_type = 'CONNECT'"
            " AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = :r))"
        ),
        {"r": role, "s": schema, "d": database},
    ).one()
    if not checks[0]:
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {q_schema} TO {quoted}")
        plan.granted.append(f"USAGE on schema {schema}")
    if checks[1]:
        conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {q_schema} FROM {quoted}")
        conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {q_schema} FROM PUBLIC")
        plan.revoked.append(f"CREATE on schema {schema}")
        if _can_create(conn, role, schema):
            raise ServerInitRefused(
                f"the role {role} could still create tables in schema {schema} (a privilege "
                "this owner cannot revoke, e.g. given by the schema's owner to one of its "
                "groups); ask the server's administrator to revoke CREATE there."
            )
    if not checks[2]:
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_quote(conn, database)} TO {quoted}")
        plan.granted.append(f"CONNECT on database {database}")


def _can_create(conn: Connection, role: str, schema: str) -> bool:
    return bool(
        conn.execute(
            text("SELECT has_schema_privilege(:r, :s, 'CREATE')"), {"r": role, "s": schema}
        ).scalar()
    )


def role_problems(conn: Connection, role: str) -> list[str]:
    """Why ``role`` cannot be the application role (it is the owner, a superuser, ...)."""
    row = conn.execute(
        text(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication, "
            "rolname = current_user, pg_has_role(oid, current_user, 'MEMBER') "
            "FROM pg_roles WHERE rolname = :r"
        ),
        {"r": role},
    ).first()
    if row is None:
        return []
    found = []
    names = ("SUPERUSER", "CREATEDB", "CREATEROLE", "BYPASSRLS", "REPLICATION")
    found += [f"it has {n}" for n, flag in zip(names, row[:5], strict=True) if flag]
    if row[5]:
        found.append("it is the owner you are connected as")
    elif row[6]:
        found.append("it is a member of the owner you are connected as")
    owns = conn.execute(
        text(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = :r AND c.relnamespace NOT IN "
            "(SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))"
        ),
        {"r": role},
    ).scalar()
    if owns and not row[5]:
        found.append(f"it owns {owns} tables or sequences in this database")
    return found


def app_role_problem(conn: Connection, role: str, database: str, empty: bool) -> str | None:
    """Why ``role`` cannot be the application role of ``database`` (``empty``: nothing of
    kapdesk's is in it yet), checked before server init changes anything."""
    problems = role_problems(conn, role)
    if problems:
        return (
            f"the role {role} cannot be the application role: {'; '.join(problems)}. "
            "Choose another --app-role"
        )
    if empty and role_exists(conn, role):
        return (
            f"a role {role} already exists on this server (roles are shared by all its "
            f"databases: it may be another clinic's); choose another --app-role for {database}"
        )
    return None
