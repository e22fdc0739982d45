"""``kapdesk check``, signature part: does every signed record still match its signature?

:func:`verify_signatures` (any session or connection) and
:func:`verify_signatures_at` (a file, opened read-only) recompute each
signature's content hash from the rows as stored and compare it with:

* the signature row - a mismatch means the record (or anything in it) was
  changed behind the app's back, or the signature row was copied onto another
  record (then another signature carries the same hash, which can never happen
  legitimately because the hash covers the entity type and id);
* the ``sign.signed`` audit entry written with it - the hash-chained audit
  trail anchors each signature, so a signature removed, forged (no entry) or
  rewritten to fit altered content (differs from its entry) is reported too.

Each problem names the signature and the record, e.g. "signature 3
(dosing_session 12): content changed since signing".

Speed: SQLite first rebuilds the signed text of every record and Python hashes it
(:mod:`kapdesk.storage.signed_sql`; ``kapdesk check`` runs it in pieces beside the row
replay); only a signature that does not match there is recomputed from the ORM rows
(:func:`kapdesk.services.signed_records.record_hash`) and judged as described above.
Checking the audit chain itself is :func:`kapdesk.storage.audit.verify_chain` (run by
``kapdesk check`` before this).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from kapdesk.domain.signing import SIGNED_FIELDS_BY_SCHEME, SignedEntity
from kapdesk.i18n import _
from kapdesk.storage.audit_chain import to_jsonable
from kapdesk.storage.raw_read import as_sqlalchemy, statement_errors
from kapdesk.storage.signature_vouch import signature_ids
from kapdesk.storage.signed_sql import (
    anchored_among,
    anchored_signatures,
    match_signatures,
    signature_pieces,
)

if TYPE_CHECKING:
    from sqlalchemy import Row
    from sqlalchemy.orm import Session

    from kapdesk.storage.backup import VerifyReport
    from kapdesk.storage.raw_read import Readable

    _Sig = Row[Any]  # a signatures row (columns as attributes)


class _SigKey(NamedTuple):
    """What every signature is compared by (a signatures row's id, record and hash)."""

    id: int
    entity: str
    entity_id: int
    content_sha256: str


_KEYS_SQL = "SELECT id, entity, entity_id, content_sha256 FROM signatures ORDER BY id"

# Fields of a signature that its audit entry must repeat exactly.
ANCHORED_FIELDS = (
    "entity", "entity_id", "signer_id", "signer_name", "signer_role", "signed_at", "meaning",
    "content_sha256", "method", "hash_scheme",
)  # fmt: skip


@dataclass(frozen=True)
class SignatureProblem:
    signature_id: int
    entity: str
    entity_id: int | None
    message: str


@dataclass(frozen=True)
class SignatureReport:
    checked: int  # signatures whose record was recomputed
    problems: tuple[SignatureProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


def _name(sig_id: int, entity: object, entity_id: object) -> str:
    return _("signature {id} ({entity} {entity_id})", id=sig_id, entity=entity, entity_id=entity_id)


def record_hash(s: Session, kind: SignedEntity, entity_id: int, *, scheme: int) -> str | None:
    """:func:`kapdesk.services.signed_records.record_hash`, imported when a signature is
    judged: a check whose signatures all match never loads the ORM."""
    from kapdesk.services.signed_records import record_hash as rebuilt

    return rebuilt(s, kind, entity_id, scheme=scheme)


def _signature_keys(conn: Readable) -> list[_SigKey]:
    """Every signature's :class:`_SigKey`, in id order (plain driver SQL: no type is
    processed in these columns)."""
    return [_SigKey(*row) for row in conn.exec_driver_sql(_KEYS_SQL)]


def _audited(conn: Readable) -> dict[int, tuple[int, dict[str, Any]]]:
    """signature id -> (audit entry id, the signature as recorded then)."""
    found: dict[int, tuple[int, dict[str, Any]]] = {}
    entries = conn.exec_driver_sql(
        "SELECT id, after FROM audit_log WHERE action = 'sign.signed' AND entity = 'signature'"
    )
    for entry_id, after in entries:
        try:
            data = json.loads(after or "null")
            sig_id = int(data["id"])
        except (ValueError, TypeError, KeyError):
            continue
        found.setdefault(sig_id, (entry_id, data))
    return found


def _content_problem(
    sig: _Sig, hashes: dict[str, list[_SigKey]], s: Callable[[], Session]
) -> str | None:
    try:
        kind = SignedEntity(sig.entity)
    except ValueError:
        return _(
            "{signature}: unknown kind of record",
            signature=_name(sig.id, sig.entity, sig.entity_id),
        )
    name = _name(sig.id, sig.entity, sig.entity_id)
    if sig.hash_scheme not in SIGNED_FIELDS_BY_SCHEME:
        return _(
            "{signature}: unknown hash scheme {scheme}", signature=name, scheme=sig.hash_scheme
        )
    try:
        actual = record_hash(s(), kind, sig.entity_id, scheme=sig.hash_scheme)
    except ValueError:  # a stored value the app cannot read (e.g. JSON with a NUL in it)
        return _(
            "{signature}: content changed since signing (a stored value of the record cannot "
            "be read)",
            signature=name,
        )
    if actual is None:
        return _("{signature}: the signed record no longer exists", signature=name)
    if actual == sig.content_sha256:
        return None
    twins = [o for o in hashes[sig.content_sha256] if o.id != sig.id]
    if twins:
        src = twins[0]
        return _(
            "{signature}: signature copied from {source}; its hash does not match {entity} "
            "{entity_id}",
            signature=name,
            source=_name(src.id, src.entity, src.entity_id),
            entity=sig.entity,
            entity_id=sig.entity_id,
        )
    return _("{signature}: content changed since signing", signature=name)


def _anchor_problem(sig: _Sig, audited: dict[int, tuple[int, dict[str, Any]]]) -> str | None:
    name = _name(sig.id, sig.entity, sig.entity_id)
    if sig.id not in audited:
        return _(
            "{signature}: no audit entry records it; it was not made by kapdesk", signature=name
        )
    entry_id, recorded = audited[sig.id]
    current = {f: to_jsonable(getattr(sig, f)) for f in ANCHORED_FIELDS}
    differing = [f for f in ANCHORED_FIELDS if recorded.get(f) != current[f]]
    if differing:
        return _(
            "{signature}: differs from its audit entry {entry} in {fields}",
            signature=name,
            entry=entry_id,
            fields=", ".join(differing),
        )
    return None


def _anchors(conn: Readable) -> tuple[frozenset[int], dict[int, tuple[int, dict[str, Any]]]]:
    """(signatures whose entry SQL found to hold them exactly, the entries to judge the
    others by). When every ``sign.signed`` entry is one of those found, no other entry can
    name a signature, so none is read in Python; otherwise all are (:func:`_audited`).
    The SQL is SQLite's (printf, json_quote): another database judges all in Python."""
    if conn.dialect.name != "sqlite":
        return frozenset(), _audited(conn)
    try:
        found = anchored_signatures(conn)
    except statement_errors():
        return frozenset(), _audited(conn)
    if found.pairs == found.entries:
        return found.matched, {}
    return frozenset(), _audited(conn)


def sql_matched(conn: Readable) -> frozenset[int]:
    """The signatures whose record SQLite rebuilds to their hash (all pieces, one connection);
    none when SQL cannot render a value (each is then recomputed in Python), and none on a
    database other than SQLite (its SQL is SQLite's: printf, json_quote)."""
    if conn.dialect.name != "sqlite":
        return frozenset()
    try:
        return frozenset().union(
            *(match_signatures(conn, p).matched for p in signature_pieces(conn))
        )
    except statement_errors():  # e.g. a BLOB where text belongs
        return frozenset()


def _whole_rows(conn: Readable, ids: list[int]) -> list[_Sig]:
    """The signatures rows with these ids, in id order, every column as the ORM reads it."""
    if not ids:
        return []  # nothing judged: SQLAlchemy not needed (a clean check never loads it)
    from sqlalchemy import select

    from kapdesk.storage.tables import signatures

    found: list[_Sig] = []
    typed = as_sqlalchemy(conn)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found += typed.execute(
            select(signatures).where(signatures.c.id.in_(chunk)).order_by(signatures.c.id)
        )
    return found


def verify_signatures(
    bind: Session | Readable,
    *,
    matched: Collection[int] | Callable[[], Collection[int]] | None = None,
    vouched: Callable[[], Collection[int]] | None = None,
) -> SignatureReport:
    """Recompute every signature; read-only. Call it inside one transaction for one snapshot.

    ``matched``: the signatures the SQL pass found matching already (kapdesk check runs it
    in pieces, :func:`kapdesk.storage.signed_sql.match_signatures`), or a function waiting
    for them (called once the audit entries are compared here); None: run it here.
    ``vouched``: called after ``matched``, the signatures whose record and audit entry a
    verified anchor vouches for (:mod:`kapdesk.services.check_vouch`): the others only are
    compared with their entries, and the signatures table is read whole only if one of
    them is judged."""
    s = _SessionWhenNeeded(bind)
    try:
        conn = s.conn
        if vouched is not None:
            done = _wait(conn, matched)
            trusted = frozenset(vouched())
            if trusted:
                return _verify_rest(conn, s, done, trusted)
        # what every signature is compared by; whole rows only for those judged below
        sigs = _signature_keys(conn)
        anchored, audited = _anchors(conn)
        # built before waiting for ``matched``: what follows the wait is the check's last step
        hashes = _by_hash(sigs)
        present = frozenset(sig.id for sig in sigs)
        if vouched is None:
            done = _wait(conn, matched)
        judged = sorted(present - (done & anchored))  # not matched both ways
        problems = _judged(conn, s, judged, done, anchored, audited, lambda: hashes)
        return SignatureReport(len(sigs), (*problems, *_removed(audited, present)))
    finally:
        s.close()


class _SessionWhenNeeded:
    """The connection of ``bind``, and an ORM session on it made only when a signature's
    record is rebuilt in Python (closed by :meth:`close` if made here)."""

    def __init__(self, bind: Session | Readable) -> None:
        given = cast("Session", bind) if hasattr(bind, "get_bind") else None
        self._given = given
        self._made: Session | None = None
        self.conn = given.connection() if given is not None else cast("Readable", bind)

    def __call__(self) -> Session:
        if self._given is not None:
            return self._given
        if self._made is None:
            from sqlalchemy.orm import Session

            self._made = Session(bind=as_sqlalchemy(self.conn))
        return self._made

    def close(self) -> None:
        if self._made is not None:
            self._made.close()


def _wait(
    conn: Readable, matched: Collection[int] | Callable[[], Collection[int]] | None
) -> frozenset[int]:
    if matched is None:
        return sql_matched(conn)
    return frozenset(matched() if callable(matched) else matched)


def _by_hash(sigs: list[_SigKey]) -> dict[str, list[_SigKey]]:
    hashes: dict[str, list[_SigKey]] = defaultdict(list)
    for sig in sigs:
        hashes[sig.content_sha256].append(sig)
    return hashes


def _verify_rest(
    conn: Readable, s: Callable[[], Session], done: frozenset[int], trusted: frozenset[int]
) -> SignatureReport:
    """:func:`verify_signatures` where ``trusted`` are vouched for: the others' entries are
    compared (in SQL; those it cannot pair, and any removed signature, in Python)."""
    present = signature_ids(conn)
    rest = present - trusted
    try:
        anchored = trusted | anchored_among(conn, rest)
    except statement_errors():
        anchored = trusted
    judged = sorted(present - (done & anchored))
    audited = _audited(conn) if any(i not in anchored for i in judged) else {}

    def hashes() -> dict[str, list[_SigKey]]:
        return _by_hash(_signature_keys(conn))

    problems = _judged(conn, s, judged, done, anchored, audited, hashes)
    return SignatureReport(len(present), (*problems, *_removed(audited, present)))


def _judged(
    conn: Readable,
    s: Callable[[], Session],
    judged: list[int],
    done: frozenset[int],
    anchored: frozenset[int],
    audited: dict[int, tuple[int, dict[str, Any]]],
    hashes: Callable[[], dict[str, list[_SigKey]]],
) -> list[SignatureProblem]:
    """The problems of the ``judged`` signatures: content unless ``done``, audit entry
    unless ``anchored``."""
    problems: list[SignatureProblem] = []
    by_hash: dict[str, list[_SigKey]] | None = None
    for sig in _whole_rows(conn, judged):
        content = None
        if sig.id not in done:
            by_hash = hashes() if by_hash is None else by_hash
            content = _content_problem(sig, by_hash, s)
        anchor = None if sig.id in anchored else _anchor_problem(sig, audited)
        for message in (content, anchor):
            if message:
                problems.append(SignatureProblem(sig.id, sig.entity, sig.entity_id, message))
    return problems


def _removed(
    audited: dict[int, tuple[int, dict[str, Any]]], present: Collection[int]
) -> list[SignatureProblem]:
    """Signatures an audit entry records that are no longer there."""
    problems: list[SignatureProblem] = []
    for sig_id, (entry_id, recorded) in sorted(audited.items()):
        if sig_id not in present:
            entity, entity_id = recorded.get("entity"), recorded.get("entity_id")
            message = _(
                "{signature}, recorded in audit entry {entry}, is missing: a signature was removed",
                signature=_name(sig_id, entity, entity_id),
                entry=entry_id,
            )
            eid = entity_id if isinstance(entity_id, int) else None
            problems.append(SignatureProblem(sig_id, str(entity), eid, message))
    return problems


def verify_signatures_at(path: Path, *, key: str | None = None) -> SignatureReport:
    """:func:`verify_signatures` on the database file at ``path`` (``key``: an encrypted
    file's passphrase), never writing to it."""
    from kapdesk.storage.engine import create_readonly_engine

    engine = create_readonly_engine(Path(path), key=key)
    try:
        with engine.connect() as conn, conn.begin():
            return verify_signatures(conn)
    finally:
        engine.dispose()


def check_lines(
    path: Path, report: VerifyReport, *, key: str | None = None
) -> tuple[list[str], bool]:
    """What ``kapdesk check`` prints, and whether all is well: the storage checks of
    ``report`` (integrity, foreign keys, schema, audit chain) plus every signature.

    Signatures are checked when the file is at the current schema and readable.
    """
    if report.revision != report.head or report.audit is None:
        return report.lines(), report.ok
    from kapdesk.services.pinned_check import version_problems_at

    try:
        sigs = verify_signatures_at(path, key=key)
        # Courses whose pinned protocol text is missing; shipped files that change a used version.
        protocols = version_problems_at(path, key=key)
    except Exception as exc:  # unreadable is itself a finding
        problem = _("{path}: signatures could not be checked: {problem}", path=path, problem=exc)
        return [*report.lines(), problem], False
    if sigs.ok and not protocols:
        lines = [*report.lines()]
        if report.ok:
            lines.append(
                _(
                    "{path}: ok ({n} signed records match their signatures)",
                    path=path,
                    n=sigs.checked,
                )
            )
        return lines, report.ok
    problems = [f"{path}: {m}" for m in [*sigs.messages(), *protocols]]
    return [*(report.lines() if not report.ok else []), *problems], False
