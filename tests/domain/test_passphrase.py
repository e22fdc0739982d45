"""The passphrase rules of an encrypted database, as pure domain rules."""

from __future__ import annotations

import pytest

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.passphrase import MIN_NEW_PASSPHRASE, validate_passphrase


def test_opening_takes_any_non_empty_passphrase() -> None:
    assert validate_passphrase("short") == "short"
    for empty in ("", None, 42):
        with pytest.raises(ValidationError, match="The passphrase is empty"):
            validate_passphrase(empty)


def test_a_new_passphrase_needs_the_minimum_length() -> None:
    assert MIN_NEW_PASSPHRASE == 10
    assert validate_passphrase("x" * 10, new=True) == "x" * 10
    with pytest.raises(ValidationError, match="has 9 characters; use at least 10") as err:
        validate_passphrase("x" * 9, new=True)
    assert err.value.value == "(hidden)"  # the passphrase itself is never shown


def test_storage_applies_the_domain_rule() -> None:
    from kapdesk.storage.encryption import check_passphrase

    with pytest.raises(ValidationError, match="use at least 10"):
        check_passphrase("x" * 9, new=True)
    with pytest.raises(ValidationError, match="cannot contain NUL"):
        check_passphrase("x\x00" * 6)
