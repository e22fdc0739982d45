"""A protocol knows the SHA-256 of its exact text, and its [outcomes] settings."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol import builtin_protocols, load_protocol_text, protocol_hash

KAP_TEXT = (resources.files("kapdesk.resources") / "protocols" / "kap-default.toml").read_text(
    encoding="utf-8"
)


def test_hash_is_sha256_of_the_exact_text() -> None:
    proto = load_protocol_text(KAP_TEXT, "kap-default.toml")
    assert proto.sha256 == hashlib.sha256(KAP_TEXT.encode("utf-8")).hexdigest()
    assert proto.sha256 == protocol_hash(KAP_TEXT)
    assert proto.text == KAP_TEXT
    assert proto.fingerprint == proto.sha256[:12]
    assert builtin_protocols()["kap-default"].sha256 == proto.sha256


def test_any_change_of_text_changes_the_hash_even_a_comment() -> None:
    base = load_protocol_text(KAP_TEXT, "a.toml")
    commented = load_protocol_text(KAP_TEXT + "\n# a comment\n", "a.toml")
    assert commented.sha256 != base.sha256
    # the parsed content is the same: equality ignores text and hash
    assert commented == base


def test_every_preset_has_an_acute_phase_and_a_deterioration_rise() -> None:
    for proto in builtin_protocols().values():
        assert (proto.acute_weeks, proto.deterioration_rise) == (8, 5), proto.id
        assert "[outcomes]" in proto.text


def test_outcomes_default_when_absent_and_reject_unknown_or_bad_keys() -> None:
    start = KAP_TEXT.index("[outcomes]")
    without = KAP_TEXT[:start]
    proto = load_protocol_text(without, "a.toml")
    assert (proto.acute_weeks, proto.deterioration_rise) == (8, 5)
    twelve = load_protocol_text(without + "[outcomes]\nacute_weeks = 12\n", "a.toml")
    assert twelve.acute_weeks == 12
    with pytest.raises(ProtocolError) as exc:
        load_protocol_text(without + "[outcomes]\nacute_week = 12\n", "bad.toml")
    assert exc.value.key == "outcomes.acute_week"
    with pytest.raises(ProtocolError) as exc:
        load_protocol_text(without + "[outcomes]\nacute_weeks = 0\n", "bad.toml")
    assert exc.value.key == "outcomes.acute_weeks"
