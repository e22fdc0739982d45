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
