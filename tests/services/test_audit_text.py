"""Every free-text column of an audited table is either clinical text (hidden from a reader
who may not open charts) or named here as not clinical: a new column must be classified."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Text

from kapdesk.domain.permissions import Role
from kapdesk.services.audit_text import (
    CLINICAL_TEXT,
    HIDDEN,
    HIDDEN_CHANGED,
    readable_by,
    without_clinical_text,
)
from kapdesk.services.context import Actor
from kapdesk.services.screen_dtos import AuditRow
from kapdesk.storage.audit_replay import AUDITED
from kapdesk.storage.orm import Base

# Free text written by the app itself or not about a patient.
NOT_CLINICAL = {
    ("vital_reading", "assessment"),  # the protocol's verdict, generated (values and rule)
    ("protocol_version", "source_text"),  # the protocol file
    ("user", "language"),  # a language tag ('pt-PT') the user chose
}


def test_every_text_column_of_an_audited_table_is_classified() -> None:
    text_columns = set()
    for spec in AUDITED:
        table = Base.metadata.tables[spec.table]
        for column in table.columns:
            if isinstance(column.type, Text):
                text_columns.add((spec.entity, column.name))
    clinical = {(entity, name) for entity, names in CLINICAL_TEXT.items() for name in names}
    assert text_columns - NOT_CLINICAL <= clinical, text_columns - NOT_CLINICAL - clinical
    # no stale names; these hold free text without being Text columns
    beyond_text_columns = {
        ("note", "sections"),
        ("course", "end_reason"),
        ("addendum", "corrected"),
    }
    assert clinical - beyond_text_columns <= text_columns


def test_a_course_end_reason_and_an_addendum_correction_are_hidden_from_an_admin() -> None:
    admin = Actor(1, "admin", "Ada Admin", Role.ADMIN)
    at = datetime(2026, 3, 4, 12, tzinfo=UTC)
    ended = AuditRow(
        7,
        at,
        2,
        "Dr Who",
        "course.end",
        "course",
        "3",
        {"goal": "Mood"},
        {"goal": "Mood", "end_reason": "Hospitalised after an overdose"},
    )
    added = AuditRow(
        8,
        at,
        2,
        "Dr Who",
        "addendum.add",
        "addendum",
        "4",
        None,
        {"text": "Correction.", "corrected": {"Risk": "voiced suicidal intent"}},
    )
    shown = repr([(r.before, r.after) for r in readable_by(admin, [ended, added])])
    assert "overdose" not in shown, shown
    assert "suicidal" not in shown, shown
    assert shown.count(HIDDEN) == 4, shown


def _row(before: dict[str, object] | None, after: dict[str, object] | None) -> AuditRow:
    return AuditRow(1, datetime(2026, 3, 4, tzinfo=UTC), 2, "N", "x", "note", "7", before, after)


def test_hidden_text_still_says_whether_it_changed() -> None:
    row = without_clinical_text(
        _row({"body": "old", "status": "draft"}, {"body": "new", "status": "draft"})
    )
    assert row.before == {"body": HIDDEN, "status": "draft"}
    assert row.after == {"body": HIDDEN_CHANGED, "status": "draft"}
    same = without_clinical_text(_row({"body": "same"}, {"body": "same"}))
    assert (same.before, same.after) == ({"body": HIDDEN}, {"body": HIDDEN})
    created = without_clinical_text(_row(None, {"body": "typed", "sections": {"plan": "x"}}))
    assert created.after == {"body": HIDDEN, "sections": HIDDEN}
    cleared = without_clinical_text(_row({"body": "gone"}, {"body": ""}))
    assert (cleared.before, cleared.after) == ({"body": HIDDEN}, {"body": ""})


def test_only_roles_that_may_open_charts_read_the_text() -> None:
    rows = [_row(None, {"body": "typed"})]
    for role, shown in (
        (Role.CLINICIAN, "typed"),
        (Role.NURSE, "typed"),
        (Role.THERAPIST, "typed"),
        (Role.ADMIN, HIDDEN),
    ):
        actor = Actor(user_id=1, username=role.value, full_name="X", role=role)
        (row,) = readable_by(actor, rows)
        assert row.after == {"body": shown}, role
