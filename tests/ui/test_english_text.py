"""The walk's English detector tells kapdesk's English from its Portuguese."""

from __future__ import annotations

from .english_text import english_words, words


def test_english_is_found_in_kapdesk_words_and_common_ones() -> None:
    assert english_words("Sign in to the clinic") == ["sign", "in", "to", "the", "clinic"]
    assert english_words("&Password") == ["password"]


def test_portuguese_units_names_and_shared_words_are_not_english() -> None:
    assert english_words("Iniciar sessão em {clinic}") == []
    assert english_words("Palavra-passe") == []
    assert english_words("Dose: 41,2 mg · SpO2 98 % · PHQ-9") == []
    assert english_words("Simões, Conceição", frozenset(words("Simões Conceição"))) == []


def test_markup_mnemonics_and_placeholders_are_not_words() -> None:
    assert words("<b>&Guardar</b> {name} %n") == ["guardar"]


def test_identifiers_and_paths_are_shown_as_written() -> None:
    assert english_words("Entrada 19: session.transition em dosing_session 4") == []
    assert english_words("sign.* – assinaturas") == []
    assert english_words("/root/Documents/session-4-Simoes.pdf") == []
    assert english_words("created_at") == []
    assert english_words("Session created at 09:00") == ["session", "created", "at"]


def test_protocol_rule_and_audit_names_are_shown_as_written() -> None:
    assert english_words("suspensa pela regra pre-dose-elevated, kap-default v1.0") == []
    assert english_words("Entrada 26: em observation 2") == []
    assert english_words("kind") == []
    assert english_words("Elevated blood pressure") == ["elevated", "blood", "pressure"]
