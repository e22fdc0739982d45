"""Tampering behind the app's back (sqlite3 on the file, raw bytes): `kapdesk check` finds it.

One clinic file is built per module: session A signed (with something in every part),
session B discharged but unsigned, an integration note signed, an addendum on A signed.
Each case edits a fresh copy, then runs the real CLI.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kapdesk import cli
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.addenda import AddendumService
from kapdesk.services.context import ServiceContext
from kapdesk.services.signed_records import record_hash
from kapdesk.services.signing import SigningService
from kapdesk.services.users import UserService, actor_of
from kapdesk.storage.db import Database
from kapdesk.storage.engine import create_readonly_engine

from .auditkit import record_unaudited
from .conftest import PASSWORD, T0
from .sessionkit import Kit
from .signkit import cheap_passwords, closed_session, integration_note


@dataclass(frozen=True)
class Clinic:
    path: Path
    a: int  # signed session
    b: int  # unsigned, discharged session
    note: int  # signed integration note
    addendum: int  # signed addendum on A
    sig_a: int
    sig_note: int
    sig_addendum: int


@pytest.fixture(scope="module")
def clinic(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    path = tmp_path_factory.mktemp("tamper") / "clinic.sqlite"
    shutil.copyfile(template_db, path)
    clock = FakeClock(T0)
    with Database.open(path, clock=clock) as db:
        ctx = ServiceContext(db=db, clock=clock)
        cheap_passwords(db)
        staff = {u.role: actor_of(u) for u in UserService(ctx).list_users()}
        doc, ther = staff[Role.CLINICIAN], staff[Role.THERAPIST]
        kit = Kit(ctx, clock, staff[Role.NURSE])
        a = closed_session(kit, doc, ther, mrn="MRN-A")
        b = closed_session(kit, doc, ther, mrn="MRN-B")
        signing = SigningService(ctx)
        sig_a = signing.sign(doc, "dosing_session", a, PASSWORD).id
        course = kit.sessions.get(a).course_id
        note = integration_note(ctx, ther, course)
        sig_note = signing.sign(ther, "note", note, PASSWORD).id
        add = AddendumService(ctx).add_addendum(doc, "dosing_session", a, "BP was 128/80.")
        sig_add = signing.sign(doc, "addendum", add.id, PASSWORD).id
        record_unaudited(db)  # the rows the test kits insert directly
    return Clinic(path, a, b, note, add.id, sig_a, sig_note, sig_add)


def _current_hash(path: Path, entity: str, entity_id: int) -> str:
    engine = create_readonly_engine(path)
    try:
        with engine.connect() as conn, Session(bind=conn) as s:
            digest = record_hash(s, entity, entity_id)
    finally:
        engine.dispose()
    assert digest is not None
    return digest


def _flip_one_byte_of_a_reading(path: Path, c: Clinic) -> None:
    """Change one byte of a signed reading's stored text, in the file itself."""
    conn = sqlite3.connect(path)
    assessment, label, recorded_at = conn.execute(
        "SELECT assessment, protocol_label, recorded_at FROM vital_readings "
        "WHERE session_id = ? ORDER BY id LIMIT 1",
        (c.a,),
    ).fetchone()
    conn.close()
    # Adjacent columns are stored back to back in a row (in the audit JSON they are quoted);
    # the reading's own row is the one followed by its recorded_at (after at most a 1-byte
    # recorded_by).
    needle, stamp = (assessment + label).encode(), recorded_at.encode()
    raw = bytearray(path.read_bytes())
    hits = []
    at = raw.find(needle)
    while at >= 0:
        tail = raw[at + len(needle) : at + len(needle) + len(stamp) + 1]
        if tail.startswith(stamp) or tail[1:].startswith(stamp):
            hits.append(at)
        at = raw.find(needle, at + 1)
    assert len(hits) == 1
    raw[hits[0]] ^= 0x20  # flip the case of the assessment's first letter
    path.write_bytes(bytes(raw))


def _sql(*statements: str) -> Callable[[Path, Clinic], None]:
    def run(path: Path, c: Clinic) -> None:
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement.format(c=c))
        conn.commit()
        conn.close()

    return run


def _rewrite_hash_to_fit(path: Path, c: Clinic) -> None:
    _sql("UPDATE doses SET lot_number = 'LOT-99' WHERE session_id = {c.a}")(path, c)
    digest = _current_hash(path, "dosing_session", c.a)
    _sql(
        "DROP TRIGGER signatures_no_update",
        f"UPDATE signatures SET content_sha256 = '{digest}' WHERE id = {{c.sig_a}}",
    )(path, c)


def _forge_signature(path: Path, c: Clinic) -> None:
    digest = _current_hash(path, "dosing_session", c.b)
    _sql(
        "INSERT INTO signatures (entity, entity_id, signer_id, signer_name, signer_role, "
        "signed_at, meaning, content_sha256, method, hash_scheme) SELECT entity, {c.b}, "
        f"signer_id, signer_name, signer_role, signed_at, meaning, '{digest}', method, "
        "hash_scheme FROM signatures WHERE id = {c.sig_a}"
    )(path, c)


A = "signature {c.sig_a} (dosing_session {c.a})"
CASES: dict[str, tuple[Callable[[Path, Clinic], None], str]] = {
    "one byte of a reading in the file": (
        _flip_one_byte_of_a_reading,
        A + ": content changed since signing",
    ),
    "systolic +1": (
        _sql(
            "UPDATE vital_readings SET systolic = systolic + 1 WHERE id = "
            "(SELECT min(id) FROM vital_readings WHERE session_id = {c.a})"
        ),
        A + ": content changed since signing",
    ),
    "dose mg": (
        _sql("UPDATE doses SET mg = mg + 0.01 WHERE session_id = {c.a}"),
        A + ": content changed since signing",
    ),
    "observation removed": (
        _sql("DELETE FROM observations WHERE session_id = {c.a} AND kind = 'moaas'"),
        A + ": content changed since signing",
    ),
    "reading added": (
        _sql(
            "INSERT INTO vital_readings (session_id, taken_at, systolic, diastolic, pulse, "
            "spo2, phase, band, rules, assessment, protocol_label, recorded_by, recorded_at) "
            "SELECT session_id, taken_at, 118, diastolic, pulse, spo2, phase, band, rules, "
            "assessment, protocol_label, recorded_by, recorded_at FROM vital_readings "
            "WHERE session_id = {c.a} LIMIT 1"
        ),
        A + ": content changed since signing",
    ),
    "session note": (
        _sql(
            "UPDATE notes SET body = body || '!' WHERE dosing_session_id = {c.a} "
            "AND kind = 'session'"
        ),
        A + ": content changed since signing",
    ),
    "session row": (
        _sql("UPDATE dosing_sessions SET discharge_reason = 'All met' WHERE id = {c.a}"),
        A + ": content changed since signing",
    ),
    "course moved to another patient": (
        _sql(
            "UPDATE courses SET patient_id = (SELECT id FROM patients WHERE mrn = 'MRN-B') "
            "WHERE id = (SELECT course_id FROM dosing_sessions WHERE id = {c.a})"
        ),
        A + ": content changed since signing",
    ),
    "integration note": (
        _sql("UPDATE notes SET sections = json_set(sections, '$.themes', 'x') WHERE id = {c.note}"),
        "signature {c.sig_note} (note {c.note}): content changed since signing",
    ),
    "addendum text": (
        _sql(
            "DROP TRIGGER addenda_no_update",
            "UPDATE addenda SET text = 'BP was 182/80.' WHERE id = {c.addendum}",
        ),
        "signature {c.sig_addendum} (addendum {c.addendum}): content changed since signing",
    ),
    "signature copied to another session": (
        _sql(
            "INSERT INTO signatures (entity, entity_id, signer_id, signer_name, signer_role, "
            "signed_at, meaning, content_sha256, method, hash_scheme) SELECT entity, {c.b}, "
            "signer_id, signer_name, signer_role, signed_at, meaning, content_sha256, method, "
            "hash_scheme FROM signatures WHERE id = {c.sig_a}"
        ),
        "(dosing_session {c.b}): signature copied from " + A + "; its hash does not match "
        "dosing_session {c.b}",
    ),
    "signature hash rewritten to fit altered content": (
        _rewrite_hash_to_fit,
        A + ": differs from its audit entry",
    ),
    "signature removed": (
        _sql("DROP TRIGGER signatures_no_delete", "DELETE FROM signatures WHERE id = {c.sig_a}"),
        A + ", recorded in audit entry",
    ),
    "signature forged with a correct hash": (
        _forge_signature,
        "(dosing_session {c.b}): no audit entry records it; it was not made by kapdesk",
    ),
    "signer changed": (
        _sql(
            "DROP TRIGGER signatures_no_update",
            "UPDATE signatures SET signer_name = 'Dr Evil' WHERE id = {c.sig_a}",
        ),
        A + ": differs from its audit entry",
    ),
}


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["check", "--db", str(path)])
    return code, capsys.readouterr().out


def test_an_untouched_file_checks_ok(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    code, out = _check(path, capsys)
    assert code == 0, out
    assert "ok (3 signed records match their signatures)" in out


@pytest.mark.parametrize("case", list(CASES))
def test_kapdesk_check_detects_tampering(
    clinic: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(clinic.path, path)
    tamper, expected = CASES[case]
    tamper(path, clinic)
    code, out = _check(path, capsys)
    assert code == 1, out
    assert expected.format(c=clinic) in out
    assert "ok (" not in out
    assert "integrity check" not in out  # the file itself is sound: only the content moved
