"""``kapdesk server init --owner NAME`` run as the server's administrator: the clinic's owner
role made (or an existing one checked) and given the database, in one transaction, before
the owner's own set-up (kapdesk.storage.server_init) runs connected as that owner.

The administrator is a superuser, or a role with CREATEROLE and CREATEDB that owns the
database (what ``createdb`` gives the role that ran it): PostgreSQL lets such a role hand
its database to a role it is a member of, so it becomes a member of the new owner for the
hand-over only (taken back in the same transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, text

from kapdesk.storage.server_roles import (
    KAPDESK_MARK_TABLES,
    SchemaState,
    ServerInitRefused,
    _quote,
    app_role_problem,
    role_exists,
    scram_verifier,
)
from kapdesk.storage.server_url import ServerURL


@dataclass(frozen=True)
class OwnerStep:
    """What the administrator's step did (or found already in place)."""

    owner: str
    created: bool  # the owner role was created
    took_database: bool  # the database was handed to it (ALTER DATABASE ... OWNER TO)
    previous_owner: str  # the database's owner before

    @property
    def changed(self) -> bool:
        return self.created or self.took_database

    def kept(self, database: str) -> str:
        """What stays when a later step fails, in words ("" when nothing was changed)."""
        done = []
        if self.created:
            done.append(f"the owner role {self.owner} was created")
        if self.took_database:
            done.append(f"it owns the database {database!r} (before: {self.previous_owner})")
        return "; ".join(done)


def owner_role_problems(conn: Connection, role: str) -> list[str]:
    """Why an existing ``role`` cannot be the clinic's owner (empty: it can, or it does not
    exist)."""
    row = conn.execute(
        text(
            "SELECT rolsuper, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin, "
            "rolname = current_user, "
            "(SELECT string_agg(quote_literal(datname), ', ' ORDER BY datname) FROM pg_database "
            " WHERE datdba = r.oid AND datname <> current_database()), "
            "(SELECT string_agg(s.rolname, ', ' ORDER BY s.rolname) FROM pg_roles s "
            " WHERE s.rolsuper AND s.oid <> r.oid AND pg_has_role(r.oid, s.oid, 'MEMBER')) "
            "FROM pg_roles r WHERE rolname = :r"
        ),
        {"r": role},
    ).first()
    if row is None:
        return []
    names = ("SUPERUSER", "CREATEDB", "REPLICATION", "BYPASSRLS")
    found = [f"it has {n}" for n, flag in zip(names, row[:4], strict=True) if flag]
    if not row[4]:
        found.append("it may not log in (NOLOGIN)")
    if row[5]:
        found.append("it is the role you are connected as (an administrator)")
    if row[6]:
        plural = "s" if "," in str(row[6]) else ""
        found.append(f"it owns the database{plural} {row[6]} (another clinic's?)")
    if row[7]:
        found.append(f"it is a member of the superuser {row[7]}")
    return found


def _refuse(message: str) -> ServerInitRefused:
    return ServerInitRefused(f"{message}. Nothing was changed.")


def inspect_as_administrator(
    conn: Connection, admin: ServerURL, owner: str, app_role: str, state: SchemaState
) -> tuple[bool, str]:
    """Refuses (nothing changed) what the administrator's step must not do; else (whether
    the owner role exists, the database's owner now)."""
    row = conn.execute(
        text(
            "SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, "
            "pg_get_userbyid(d.datdba), pg_has_role(current_user, d.datdba, 'MEMBER'), "
            "current_database() "
            "FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()"
        )
    ).one()
    who, superuser, createrole, createdb, db_owner, owns_db, database = row
    exists = role_exists(conn, owner)
    problems = owner_role_problems(conn, owner)
    if problems:
        raise _refuse(
            f"the role {owner} cannot be the clinic's owner: {'; '.join(problems)}. Give "
            "--owner a new name (it is created) or the clinic's own owner role"
        )
    # (its revision may be unreadable to an administrator: the tables say it is kapdesk's)
    if state.tables >= KAPDESK_MARK_TABLES and db_owner != owner:
        raise _refuse(
            f"the database {database!r} already holds kapdesk's schema, owned by {db_owner}: "
            f"run server init as {db_owner} (postgresql://{db_owner}@HOST/{database}), "
            "without --owner"
        )
    if not exists and not (superuser or createrole):
        raise _refuse(
            f"{who} may not create roles, so cannot create the owner role {owner}: run server "
            "init as a role with CREATEROLE (or a superuser)"
        )
    if db_owner != owner and not (superuser or (owns_db and createdb and createrole)):
        raise _refuse(
            f"{who} may not give the database {database!r} to {owner}: that takes a "
            f"superuser, or the database's owner ({db_owner}) with CREATEDB and CREATEROLE"
        )
    if exists and role_exists(conn, app_role):
        member = conn.execute(
            text("SELECT pg_has_role(:a, :o, 'MEMBER') OR pg_has_role(:o, :a, 'MEMBER')"),
            {"a": app_role, "o": owner},
        ).scalar()
        if member:
            raise _refuse(
                f"the roles {owner} and {app_role} are members of one another: the "
                "application role must not share the owner's rights; choose another --app-role"
            )
    if exists and state.empty:
        createrole_owner = conn.execute(
            text("SELECT rolcreaterole FROM pg_roles WHERE rolname = :r"), {"r": owner}
        ).scalar()
        if not createrole_owner and not role_exists(conn, app_role):
            raise _refuse(
                f"the role {owner} may not create roles, so cannot create the application "
                f"role {app_role}: give it CREATEROLE (ALTER ROLE {owner} CREATEROLE)"
            )
    app_problem = app_role_problem(conn, app_role, database, state.empty)
    if app_problem:
        raise _refuse(app_problem)
    return exists, str(db_owner)


def make_owner(
    conn: Connection,
    owner: str,
    exists: bool,
    db_owner: str,
    password: Callable[[], str],
) -> OwnerStep:
    """Create ``owner`` (LOGIN CREATEROLE, nothing more) if missing, and hand it the
    database. Runs in the caller's transaction: all of it, or nothing."""
    quoted = _quote(conn, owner)
    if not exists:
        verifier = scram_verifier(conn, owner, password())
        conn.exec_driver_sql(
            f"CREATE ROLE {quoted} LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION "
            f"NOBYPASSRLS PASSWORD '{verifier}'"
        )
    if db_owner == owner:
        return OwnerStep(owner, not exists, False, db_owner)
    database = str(conn.execute(text("SELECT current_database()")).scalar())
    member = conn.execute(
        text(
            "SELECT rolsuper OR pg_has_role(current_user, :o, 'MEMBER') FROM pg_roles "
            "WHERE rolname = current_user"
        ),
        {"o": owner},
    ).scalar()
    if not member:  # PostgreSQL hands a database only to a role the giver is a member of
        conn.exec_driver_sql(f"GRANT {quoted} TO CURRENT_USER")
    conn.exec_driver_sql(f"ALTER DATABASE {_quote(conn, database)} OWNER TO {quoted}")
    if not member:
        conn.exec_driver_sql(f"REVOKE {quoted} FROM CURRENT_USER")
    return OwnerStep(owner, not exists, True, db_owner)
