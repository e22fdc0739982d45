"""A NUL or another C0 control character (but tab, newline, carriage return) in free text is
refused naming the field, with the value shown escaped: a PostgreSQL server cannot hold a NUL,
so a clinic file refuses it too."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.notes import validate_text
from kapdesk.domain.patients import validate_mrn
from kapdesk.domain.text import find_unstorable, first_unstorable, require_storable

REFUSED = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
# Any text but surrogates and refused controls.
STORABLE = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(REFUSED))
)


@given(before=STORABLE, bad=st.sampled_from(REFUSED), after=STORABLE)
def test_a_control_character_anywhere_is_refused_naming_the_field(
    before: str, bad: str, after: str
) -> None:
    value = before + bad + after
    with pytest.raises(ValidationError) as exc:
        require_storable("Allergies", value)
    message = str(exc.value)
    assert exc.value.field == "Allergies"
    assert message.startswith("Allergies contains a character that cannot be stored")
    assert f"U+{ord(bad):04X} at position {len(before) + 1}" in message
    assert "only tab, newline and carriage return are allowed" in message
    assert not any(c in message for c in REFUSED)  # shown escaped, never raw
    assert not any(c in exc.value.value for c in REFUSED)
    assert f"\\x{ord(bad):02x}" in exc.value.value
    assert find_unstorable({"allergies": value}, "changes") == ("allergies", value)


@given(STORABLE)
def test_text_without_refused_characters_passes_unchanged(value: str) -> None:
    assert first_unstorable(value) is None
    assert require_storable("Notes", value) == value
    assert find_unstorable([value], "notes") is None


@pytest.mark.parametrize("value", ["line one\nline two", "a\tb", "windows\r\nlines"])
def test_tab_newline_and_carriage_return_stay(value: str) -> None:
    assert validate_text("Assessment", value) == value


def test_note_text_and_patient_fields_refuse_a_nul() -> None:
    with pytest.raises(ValidationError, match="Assessment contains a character"):
        validate_text("Assessment", "calm\x00")
    with pytest.raises(ValidationError, match="MRN contains a character"):
        validate_mrn("MRN\x001")
