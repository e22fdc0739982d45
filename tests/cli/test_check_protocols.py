"""`kapdesk check` names a course whose pinned protocol version is missing."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run, sql


def test_check_reports_a_course_whose_pinned_protocol_text_is_missing(
    run: Run, demo_db: Path
) -> None:
    (course_id, protocol_id, version) = sql(
        demo_db, "SELECT id, protocol_id, protocol_version FROM courses ORDER BY id LIMIT 1"
    )[0]
    sql(demo_db, f"UPDATE courses SET protocol_hash = '' WHERE id = {course_id}")
    result = run("check", "--db", demo_db)
    assert result.code == 1
    assert (
        f"{demo_db}: Course #{course_id} is pinned to {protocol_id} v{version}, but no text of "
        "that version was stored when the course started" in result.out
    )
    assert "Traceback" not in result.out + result.err
