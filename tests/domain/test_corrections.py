"""Entered in error: the pure rules (reason, kind, who may mark, a second mark)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from kapdesk.domain.corrections import (
    ENTRY_KINDS,
    error_text,
    may_mark,
    parse_entry_kind,
    refuse_if_marked,
    require_may_mark,
    standing,
    validate_error_reason,
)
from kapdesk.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from kapdesk.domain.permissions import Role

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@dataclass
class Entry:
    id: int
    error_at: datetime | None = None


def test_reason_is_stripped_required_and_bounded() -> None:
    assert validate_error_reason("  wrong patient ") == "wrong patient"
    for blank in ("", "   ", None, 3):
        with pytest.raises(ValidationError) as exc:
            validate_error_reason(blank)
        assert exc.value.field == "Reason"
    assert validate_error_reason("x" * 500) == "x" * 500
    with pytest.raises(ValidationError, match="501 characters long; at most 500"):
        validate_error_reason("x" * 501)


def test_kinds() -> None:
    assert ENTRY_KINDS == ("reading", "dose", "side_effect", "observation", "instrument")
    assert parse_entry_kind("dose") == "dose"
    with pytest.raises(ValidationError, match="'note' is not one of reading, dose"):
        parse_entry_kind("note")


def test_the_recorder_or_a_clinician_may_mark() -> None:
    assert may_mark(Role.NURSE, 1, 1)
    assert not may_mark(Role.NURSE, 1, 2)
    assert may_mark(Role.CLINICIAN, 1, 2)
    assert not may_mark(Role.ADMIN, 1, 1)
    with pytest.raises(PermissionDenied, match=r"Only the author \(Ann Lee\) or a clinician may"):
        require_may_mark(Role.THERAPIST, 1, 2, author="Ann Lee", kind="side_effect", entry_id=4)


def test_marked_entries_stop_counting_and_are_marked_once() -> None:
    entries = [Entry(1), Entry(2, AT), Entry(3)]
    assert [e.id for e in standing(entries)] == [1, 3]
    refuse_if_marked("reading", 1, None, "", "")
    with pytest.raises(IllegalTransition, match="already marked entered in error by Nia at 09:30"):
        refuse_if_marked("reading", 2, AT, "Nia", "09:30")
    assert error_text("Nia", "09:30", "typo") == "Entered in error by Nia at 09:30: typo"
