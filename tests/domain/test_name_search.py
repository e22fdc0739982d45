"""The name key the duplicate check compares: punctuation, spacing, case and accents typed
with a name never change it; the letters do."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain.name_search import name_key

LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzçãéíñöøß", min_size=1, max_size=12)
NOISE = st.text(alphabet=" '’`.,-‐_\t\u00a0\"()/", max_size=3)


def test_examples() -> None:
    assert name_key("O'Brien,") == name_key("OBrien") == name_key("O`Brien") == "obrien"
    assert name_key("Mc Donald") == name_key("McDonald") == "mcdonald"
    assert name_key("  Conceição ") == "conceicao"
    assert name_key("") == name_key(" - ") == ""
    assert name_key("Lima") != name_key("Lim")


@given(words=st.lists(st.tuples(LETTERS, NOISE), min_size=1, max_size=4), lead=NOISE)
def test_punctuation_and_spacing_never_change_the_key(
    words: list[tuple[str, str]], lead: str
) -> None:
    plain = "".join(w for w, _ in words)
    noisy = lead + "".join(w + n for w, n in words)
    assert name_key(noisy) == name_key(plain)


@given(LETTERS)
def test_case_and_accents_never_change_the_key(name: str) -> None:
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    assert name_key(name.upper()) == name_key(name) == name_key(stripped)
    assert name_key(unicodedata.normalize("NFD", name)) == name_key(name)


@given(LETTERS, st.sampled_from("abcxyzç"))
def test_a_letter_more_is_another_key(name: str, letter: str) -> None:
    assert name_key(name + letter) != name_key(name)
