"""``kapdesk server init`` as the database's owner: look before changing anything, create
the schema (through :meth:`kapdesk.storage.db.Database.open`), then the application role
and its privileges in one transaction (kapdesk.storage.server_roles).

Every refusal is :class:`~kapdesk.storage.server_roles.ServerInitRefused`, checked before
anything is changed: a database holding another application's tables, an owner that may
not create tables or roles, a role unfit to be the application role, a new database whose
role name is taken; a connection that fails is one line naming the server (no password).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from kapdesk.domain.clock import Clock
from kapdesk.domain.errors import KapdeskError
from kapdesk.i18n import _
from kapdesk.storage.server_owner import OwnerStep, inspect_as_administrator, make_owner
from kapdesk.storage.server_roles import (
    RolePlan,
    SchemaState,
    ServerInitRefused,
    app_role_problem,
    check_role_name,
    other_schemas_with_tables,
    reconcile_app_role,
    role_exists,
    schema_state,
)
from kapdesk.storage.server_url import ServerURL


@dataclass(frozen=True)
class InitResult:
    """What ``server init`` found and did."""

    server: ServerURL  # the owner's URL
    app_role: str
    schema: str
    revision: str
    previous_revision: str | None  # before init ran (None: the database was empty)
    plan: RolePlan
    owner_step: OwnerStep | None = None  # --owner: what the administrator's step did

    @property
    def migrated(self) -> bool:
        return self.previous_revision != self.revision

    @property
    def changed(self) -> bool:
        changed = self.owner_step is not None and self.owner_step.changed
        return changed or self.migrated or self.plan.changed

    def app_url(self) -> str:
        """The URL workstations use: the app role's name, no password, the owner's host,
        database and TLS parameters."""
        # redacted(): the owner's secret parameters (sslpassword, ...) must not show either.
        return ServerURL(self.server.url.set(username=self.app_role, password="-")).redacted()

    def owner_url(self) -> str:
        """The owner's URL (for migrate, backup, demo --years), its password shown as ***."""
        return ServerURL(self.server.url.set(password="-")).redacted()


def connection_refusal(server: ServerURL, exc: BaseException) -> ServerInitRefused:
    """A clear, one-line reason for a connection that failed (no driver text beyond the
    server's own words, never the password), in the active language; a server that wanted a
    password and got none is said in ``password_wanted_for`` (what the command line reads)."""
    raw = " ".join(str(getattr(exc, "orig", None) or exc).split())
    low = raw.lower()
    where = f"{server.host}:{server.port}"
    who = server.username or _("(no user name)")
    wanted: str | None = None
    if "password authentication failed" in low:
        reason = _("the server at {where} refused the password of {who}", where=where, who=who)
    elif "no password supplied" in low:
        wanted = server.username or ""
        reason = _(
            "the server at {where} wants a password for {who} and none was given (put it in "
            "the URL, in PGPASSWORD or in ~/.pgpass)",
            where=where,
            who=who,
        )
    elif "does not exist" in low and "database" in low:
        reason = _(
            "there is no database {database} on {where}; create it first, owned by {who} "
            "(createdb -O {who} {name})",
            database=repr(server.database),
            where=where,
            who=who,
            name=server.database,
        )
    elif "role" in low and "does not exist" in low:
        reason = _("there is no role {who} on the server at {where}", who=who, where=where)
    elif any(n in low for n in _UNREACHABLE):
        reason = _(
            "the server at {where} cannot be reached ({detail})", where=where, detail=raw[:160]
        )
    else:
        reason = _(
            "cannot connect to the server at {where}: {detail}", where=where, detail=raw[:200]
        )
    return ServerInitRefused.unchanged(
        _("{server}: {reason}.", server=server.redacted(), reason=reason),
        password_wanted_for=wanted,
    )


_UNREACHABLE = (
    "connection refused",
    "could not translate host",
    "timeout",
    "no route",
    "timed out",
)


def _owner_problem(conn: Connection, schema: str, role: str) -> str | None:
    """Why the connected role cannot set this database up (checked before any change)."""
    row = conn.execute(
        text(
            "SELECT current_user, has_schema_privilege(:s, 'CREATE'), "
            "(SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user), "
            "(SELECT pg_get_userbyid(datdba) FROM pg_database "
            "WHERE datname = current_database()), current_database()"
        ),
        {"s": schema},
    ).one()
    who = row[0]
    if not row[1]:
        return (
            f"{who} may not create tables in schema {schema} of this database; run server "
            f"init as the database's owner (createdb -O OWNER NAME)"
        )
    if row[3] != who:  # an administrator's tables would not be the clinic owner's
        return (
            f"{who} is not the owner of the database {row[4]!r} ({row[3]} is): run server "
            f"init as {row[3]} (postgresql://{row[3]}@HOST/{row[4]}), so that kapdesk's "
            "schema belongs to the clinic's owner role whose URL kapdesk migrate and backup "
            f"use (or, as the database's administrator, add --owner {row[3]})"
        )
    if not row[2] and not role_exists(conn, role):
        return (
            f"{who} may not create roles, so cannot create the application role {role}: "
            f"give it CREATEROLE (ALTER ROLE {who} CREATEROLE) or create {role} yourself "
            "(CREATE ROLE ... LOGIN PASSWORD ...), then run server init again"
        )
    return None


def inspect_before_init(conn: Connection, server: ServerURL, role: str) -> SchemaState:
    """The database's state, or ServerInitRefused when init must not touch it."""
    state = schema_state(conn)
    refuse_foreign_database(conn, server, state)
    owner_problem = _owner_problem(conn, state.schema, role)
    if owner_problem:
        raise ServerInitRefused(f"{owner_problem}. Nothing was changed.")
    app_problem = app_role_problem(conn, role, server.database, state.empty)
    if app_problem:
        raise ServerInitRefused(f"{app_problem}. Nothing was changed.")
    return state


def refuse_foreign_database(conn: Connection, server: ServerURL, state: SchemaState) -> None:
    """ServerInitRefused when the database holds anything that is not kapdesk's."""
    db = f"the database {server.database!r} on {server.host}:{server.port}"
    others = other_schemas_with_tables(conn, state.schema)
    if (not state.empty and not state.is_kapdesk) or (state.empty and others):
        shown = sorted(state.tables)[:5] or [f"schema {s}" for s in others[:5]]
        raise ServerInitRefused(
            f"{db} is not empty and is not a kapdesk database (it holds "
            f"{', '.join(shown)}{', ...' if len(state.tables) > 5 else ''}); server init only "
            "sets up a new, empty database: create one (createdb -O OWNER NAME) and give its "
            "URL. Nothing was changed."
        )


def initialise_server(
    server: ServerURL,
    role: str,
    password: Callable[[], str] | None,
    *,
    clock: Clock | None = None,
) -> InitResult:
    """``kapdesk server init``: schema at head and the application role, as the owner.

    Refuses (ServerInitRefused, nothing changed) a database holding anything that is not
    kapdesk's, a role unfit to be the application role, or a new database whose role name
    is already taken. On a kapdesk database already set up, changes nothing."""
    from kapdesk.storage.db import Database
    from kapdesk.storage.migrate import head_revision

    check_role_name(role)
    engine = create_engine(server.url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        try:
            with engine.connect() as conn:
                state = inspect_before_init(conn, server, role)
                new_role = not role_exists(conn, role)
        except OperationalError as exc:
            raise connection_refusal(server, exc) from None
        if new_role and password is not None:  # asked before anything is changed
            secret = password()
            password = lambda: secret  # noqa: E731
        before = state.revision
        if before != head_revision():
            Database.open(server, clock=clock).close()  # the storage core migrates to head
        try:
            with engine.begin() as conn:
                state = schema_state(conn)
                plan = reconcile_app_role(conn, state, role, password)
        except DBAPIError as exc:  # the role and its privileges are one transaction: undone
            server_said = " ".join(str(getattr(exc, "orig", exc)).split())[:200]
            done = "" if before == head_revision() else " The schema was created (kept)."
            raise ServerInitRefused(
                f"{server.redacted()}: the application role could not be set up: "
                f"{server_said}. Nothing of the role or its privileges was kept.{done} Run "
                "server init again once that is fixed."
            ) from None
    finally:
        engine.dispose()
    return InitResult(server, role, state.schema, str(state.revision), before, plan)


def initialise_server_as_administrator(
    admin: ServerURL,
    owner: str,
    role: str,
    owner_password: Callable[[bool], str | None],
    password: Callable[[], str] | None,
    *,
    clock: Clock | None = None,
) -> InitResult:
    """``kapdesk server init --owner NAME`` as the server's administrator: the owner role
    made (LOGIN CREATEROLE) or an existing fit one reused, the database handed to it, then
    :func:`initialise_server` connected as that owner (same host, database and TLS).

    ``owner_password(new)`` gives the new role's password (``new``), or an existing one's
    to sign in with (None: libpq's PGPASSWORD or ~/.pgpass). Everything refused before the
    first change says "Nothing was changed."; a later failure says what was kept."""
    check_role_name(owner, "--owner")
    check_role_name(role)
    if owner == role:
        raise ServerInitRefused(f"--owner and --app-role are both {role}: name two roles.")
    engine = create_engine(admin.url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        try:
            with engine.connect() as conn:
                state = schema_state(conn)
                exists, db_owner = inspect_as_administrator(conn, admin, owner, role, state)
                if state.empty or db_owner != owner:  # else the owner's own checks do it
                    refuse_foreign_database(conn, admin, state)
                new_app_role = not role_exists(conn, role)
        except OperationalError as exc:
            raise connection_refusal(admin, exc) from None
        # every password is had before the first change
        secret = owner_password(not exists)
        server = ServerURL(admin.url.set(username=owner, password=secret))
        if exists:
            _sign_in(server)
        if new_app_role and password is not None:
            app_secret = password()
            password = lambda: app_secret  # noqa: E731
        try:
            with engine.begin() as conn:
                step = make_owner(conn, owner, exists, db_owner, lambda: str(secret))
        except DBAPIError as exc:  # one transaction: undone
            server_said = " ".join(str(getattr(exc, "orig", exc)).split())[:200]
            raise ServerInitRefused(
                f"{admin.redacted()}: the owner role {owner} could not be set up: "
                f"{server_said}. Nothing was changed."
            ) from None
    finally:
        engine.dispose()
    try:
        result = initialise_server(server, role, password, clock=clock)
    except KapdeskError as exc:
        kept = step.kept(admin.database)
        if not kept:
            raise
        # said alone (ServerInitRefused.unchanged); a refusal still written in English only
        # ends with the English words
        said = exc.said if isinstance(exc, ServerInitRefused) else str(exc)
        said = said.removesuffix(" Nothing was changed.")
        raise ServerInitRefused(
            _(
                "{said} Kept: {kept}; nothing else was changed. Once that is fixed, run the "
                "same command again (it reuses {owner}).",
                said=said,
                kept=kept,
                owner=owner,
            )
        ) from None
    return replace(result, owner_step=step)


def _sign_in(server: ServerURL) -> None:
    """Connect as an existing owner role before anything changes (ServerInitRefused, with
    "Nothing was changed.", when it cannot)."""
    engine = create_engine(server.url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise connection_refusal(server, exc) from None
    finally:
        engine.dispose()
