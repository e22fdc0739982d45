"""Benchmark clinics on a PostgreSQL server (issue 14): built once, kept, copied per run.

    .venv/bin/python tests/bench/pg_clinics.py build FILE [FILE...]   # (under nice)
    .venv/bin/python tests/bench/pg_clinics.py list

The server comes from ``KAPDESK_BENCH_PG_URL``, else ``KAPDESK_TEST_PG_URL``: an admin URL
(a role with CREATEDB, e.g. ``postgresql://kapdesk_test:kapdesk_test@localhost:5432/postgres``).

A cached clinic file (``bigdb.ensure_clinic``, ``board_prep.prepared``) becomes a database
on that server named after the file's cache key and the server schema the code makes
(``kapdesk_bench_<size>_<hash>``; the hash covers the file's name, which holds generator,
schema head, protocols, seed and build day, and the Alembic revisions' source, whose
PostgreSQL branches make the server schema: a changed branch builds a new one).
It is made as a clinic moves to its server:
``kapdesk migrate --from <a copy of the file> --to URL`` into ``<name>_building``, then
VACUUM ANALYZEd (what autovacuum does after a bulk load) and renamed; the file copy is removed.
A build holds a lock file, so a second caller waits for the first instead of building
again. Benchmarks never write it: they work on ``CREATE DATABASE ... TEMPLATE <name>
STRATEGY FILE_COPY`` (:func:`work_copy`), dropped afterwards (:func:`drop`).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = HERE / ".cache"
ENVS = ("KAPDESK_BENCH_PG_URL", "KAPDESK_TEST_PG_URL")
PREFIX = "kapdesk_bench_"


def admin_url() -> str | None:
    for env in ENVS:
        value = os.environ.get(env, "").strip()
        if value:
            return value
    return None


def skip_reason() -> str | None:
    """Why the server benchmarks cannot run here (None: they can)."""
    url = admin_url()
    if url is None:
        return f"neither {' nor '.join(ENVS)} is set (an admin URL of a PostgreSQL server)"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.pg_support import pg_unreachable

    return pg_unreachable(url)


def server_url(database: str | None = None) -> Any:
    """The admin URL as a ``ServerURL`` (of ``database`` when given)."""
    from kapdesk.storage.server_url import parse_server_url

    url = admin_url()
    if url is None:
        raise RuntimeError(skip_reason())
    parsed = parse_server_url(url)
    return parsed if database is None else parsed.with_database(database)


def libpq_url(database: str | None = None) -> str:
    """A plain ``postgresql://`` URL with its password (for psycopg and the CLI)."""
    url = server_url(database).url.set(drivername="postgresql")
    return str(url.render_as_string(hide_password=False))


def connect(database: str | None = None, *, autocommit: bool = True) -> Any:
    import psycopg

    return psycopg.connect(libpq_url(database), autocommit=autocommit, connect_timeout=5)


def cache_name(source: Path) -> str:
    """The server database of the cached clinic file ``source``."""
    stem = source.stem
    digest = hashlib.sha256(stem.encode())
    for revision in sorted((ROOT / "kapdesk" / "storage" / "migrations" / "versions").glob("*.py")):
        digest.update(revision.read_bytes())  # their PostgreSQL branches make the server schema
    digest = digest.hexdigest()[:10]  # type: ignore[assignment]
    size = re.search(r"-(p\d+)-(y\d+)", stem)
    rows = re.search(r"-(\d+rows)$", stem)
    short = "_".join([*(size.groups() if size else ("clinic",)), *([rows[1]] if rows else [])])
    return f"{PREFIX}{short}_{digest}"


def databases() -> dict[str, str]:
    """The benchmark databases on the server and their comments (the file they came from)."""
    with connect() as conn:
        found = conn.execute(
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname LIKE %s",
            (PREFIX + "%",),
        ).fetchall()
    return {str(n): str(c) for n, c in found}


def exists(name: str) -> bool:
    with connect() as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is not None
        )


def drop(name: str) -> None:
    """Drop a benchmark database (ending connections still open to it)."""
    import psycopg.sql

    statement = psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        psycopg.sql.Identifier(name)
    )
    for attempt in range(50):
        try:
            with connect() as conn:
                conn.execute(statement)
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 49:
                raise
            time.sleep(0.2)


def work_copy(cached: str, name: str) -> str:
    """A new database ``name`` copied from ``cached`` (files copied, no WAL per row)."""
    import psycopg.sql

    drop(name)
    with connect() as conn:
        conn.execute(
            psycopg.sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                psycopg.sql.Identifier(name), psycopg.sql.Identifier(cached)
            )
        )
    return name


@contextmanager
def working(cached: str, name: str) -> Iterator[str]:
    """:func:`work_copy` for the block, dropped after it."""
    work_copy(cached, name)
    try:
        yield name
    finally:
        drop(name)


@contextmanager
def _build_lock(name: str) -> Iterator[None]:
    with open(Path(tempfile.gettempdir()) / f"{name}.pg-build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits for a build already running
        yield


def ensure_server_clinic(
    source: Path, log: Callable[[str], object] = print
) -> tuple[str, str, bool]:
    """The server database of the cached file ``source``, built now if it is not there
    (waiting for a build already running); (name, how it was built, built by this call)."""
    name = cache_name(source)
    if not exists(name):
        with _build_lock(name):
            if not exists(name):  # else built by the caller we waited for
                _build(source, name, log)
                return name, databases().get(name, ""), True
    return name, databases().get(name, ""), False


def _build(source: Path, name: str, log: Callable[[str], object]) -> None:
    import psycopg.sql

    building = f"{name}_building"
    copy = CACHE / f"{name}.migrate-source.sqlite"
    drop(building)
    copy.unlink(missing_ok=True)
    log(f"building {name} on the server from a copy of {source.name} (kapdesk migrate) ...")
    started = time.perf_counter()
    try:
        subprocess.run(["cp", "--reflink=auto", str(source), str(copy)], check=True)
        with connect() as conn:
            conn.execute(
                psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(building))
            )
        cmd = ["nice", "-n", "19", sys.executable, "-m", "kapdesk", "migrate", "--from", str(copy),
               "--to", libpq_url(building)]  # fmt: skip
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"kapdesk migrate failed ({done.returncode}):\n{done.stderr[-3000:]}"
            )
        summary = done.stdout.strip().splitlines()[-1]
        log("  " + summary)
        with connect(building) as conn:
            conn.execute("VACUUM (ANALYZE)")  # what autovacuum does after a bulk load, made sure
        moved = re.search(r"\(([\d,]+ rows, [\d,]+ audit entries)\) in ([\d.]+) s", summary)
        what = f"{moved[1]}, migrate {float(moved[2]):.0f} s" if moved else summary[-120:]
        note = (
            f"from {source.name}: {what}, built in {time.perf_counter() - started:.0f} s "
            f"(copy + migrate + VACUUM ANALYZE, nice 19) on {time.strftime('%Y-%m-%d %H:%M')}"
        )
        with connect() as conn:
            ident = psycopg.sql.Identifier
            conn.execute(
                psycopg.sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    ident(building), ident(name)
                )
            )
            conn.execute(
                psycopg.sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    ident(name), psycopg.sql.Literal(note)
                )
            )
    except BaseException:
        drop(building)
        raise
    finally:
        copy.unlink(missing_ok=True)


def gui_child(what: str, db: str, end: datetime, *extra: str) -> Any:
    """Run ``pg_gui_child.py WHAT`` on the server database ``db``; its JSON result."""
    cmd = [sys.executable, str(HERE / "pg_gui_child.py"), what, "--db", db, "--end",
           end.isoformat(), *extra]  # fmt: skip
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pg_gui_child {what} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("build", "list"))
    parser.add_argument("files", nargs="*", type=Path)
    a = parser.parse_args(argv)
    reason = skip_reason()
    if reason is not None:
        print(f"skipped: {reason}", file=sys.stderr)
        return 1
    if a.what == "list":
        for name, comment in sorted(databases().items()):
            print(f"{name}\t{comment}")
        return 0
    for path in a.files:
        name, note, now = ensure_server_clinic(path, log=lambda line: print(line, flush=True))
        print(f"{name}: {'built now' if now else 'already there'}; {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
