"""Upgrading a 0003 file to head pins its courses to the protocol text shipped now (0004)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.protocol import builtin_protocols
from kapdesk.services.context import ServiceContext
from kapdesk.services.pinned_check import version_problems
from kapdesk.services.pinned_version import PinnedProtocolMissing
from kapdesk.services.sessions import SessionService
from kapdesk.storage.db import Database
from kapdesk.storage.orm import Course, ProtocolVersion

FIXTURES = Path(__file__).parent / "fixtures"


def test_upgrade_pins_shipped_versions_and_reports_the_others(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(FIXTURES / "r0003.sqlite", path)
    conn = sqlite3.connect(path)
    try:
        # The fixture's course is on kap-default "1" (never shipped); add one on the shipped 1.0.
        conn.execute(
            "INSERT INTO courses (patient_id, protocol_id, protocol_version, started_on, goal, "
            "created_at) SELECT patient_id, 'kap-default', '1.0', started_on, goal, created_at "
            "FROM courses WHERE id = 1"
        )
        conn.commit()
    finally:
        conn.close()
    db = Database.open(path, clock=clock)
    try:
        ctx = ServiceContext(db=db, clock=clock)
        shipped = builtin_protocols()["kap-default"]
        with db.read() as s:
            courses = {c.protocol_version: c for c in s.scalars(select(Course))}
            [stored] = s.scalars(select(ProtocolVersion)).all()
            assert courses["1.0"].protocol_hash == shipped.sha256
            assert courses["1"].protocol_hash == ""
            assert (stored.protocol_id, stored.version, stored.sha256) == (
                "kap-default",
                "1.0",
                shipped.sha256,
            )
            assert stored.source_text == shipped.text
            problems = version_problems(s, ctx.protocols)
            pinned = ctx.course_protocol(s, courses["1.0"])
        assert pinned == shipped
        [problem] = problems
        assert problem.startswith("Course #1 is pinned to kap-default v1, but no text of that")
        [session] = SessionService(ctx).sessions_for_course(1)
        with pytest.raises(PinnedProtocolMissing, match="kap-default v1, but"):
            SessionService(ctx).detail(session.id)
    finally:
        db.close()
