"""kapdesk.i18n without Qt: the catalogue, the choice of language, locale formats."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.i18n import (
    ENGLISH,
    UnknownLanguage,
    _,
    _n,
    choose,
    current,
    formats,
    normalize,
    supported,
    use_language,
)
from kapdesk.services.report_data import fmt


def test_portuguese_ships_and_english_is_the_source() -> None:
    assert supported() == ("en", "pt-PT")
    assert current() == ENGLISH
    assert _("Session #{id}", id=12) == "Session #12"
    assert _("Yes") == "Yes"


def test_a_translation_moves_its_parameters_and_picks_its_plural() -> None:
    with use_language("pt-PT"):
        assert _("Yes") == "Sim"
        assert _("Page {number} of {total}", number=1, total=3) == "Página 1 de 3"
        assert _n("{n} dosing session", "{n} dosing sessions", 1) == "1 sessão de administração"
        assert _n("{n} dosing session", "{n} dosing sessions", 8) == "8 sessões de administração"
        assert _("a text nobody translated") == "a text nobody translated"
    assert _("Yes") == "Yes"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("pt-PT", "pt-PT"),
        ("pt_PT.UTF-8", "pt-PT"),
        ("PT-pt", "pt-PT"),
        ("pt", "pt-PT"),
        ("pt_BR", None),
        ("en_GB.UTF-8", "en"),
        ("C.UTF-8", None),
        ("", None),
        ("de_DE", None),
    ],
)
def test_language_names_are_read_as_people_and_computers_write_them(
    given: str, expected: str | None
) -> None:
    assert normalize(given) == expected


def test_the_choice_goes_flag_then_user_then_variable_then_computer() -> None:
    env = {"KAPDESK_LANG": "en"}
    assert choose(flag="pt-PT", user="en", environ=env, system="en_US") == "pt-PT"
    assert choose(user="pt-PT", environ=env, system="en_US") == "pt-PT"
    assert choose(user=None, environ={"KAPDESK_LANG": "pt_PT"}, system="en_US") == "pt-PT"
    assert choose(environ={}, system="pt_PT.UTF-8") == "pt-PT"
    assert choose(environ={}, system="de_DE.UTF-8") == "en"  # no German: English
    assert choose(user="xx-YY", environ={}, system="C") == "en"  # a setting no longer shipped


def test_a_language_kapdesk_lacks_is_refused_by_name_when_asked_for() -> None:
    with pytest.raises(UnknownLanguage, match=r"--lang: no translation for 'de'.*en, pt-PT"):
        choose(flag="de", environ={})
    with pytest.raises(UnknownLanguage, match="KAPDESK_LANG"):
        choose(environ={"KAPDESK_LANG": "klingon"})


def test_dates_and_weekdays_follow_the_language() -> None:
    day = date(2026, 12, 3)
    assert (formats.long_date(day), formats.weekday(day)) == ("2026-12-03", "Thursday")
    with use_language("pt-PT"):
        assert formats.long_date(day) == "3 de dezembro de 2026"
        assert formats.weekday(day) == "quinta-feira"
        assert formats.medium_date(day) == "03/12/2026"
        assert fmt.mg(41.2) == "41,2 mg"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 3))
def test_a_portuguese_number_is_the_english_one_with_a_decimal_comma(
    value: float, places: int
) -> None:
    english = fmt.number(value, places)
    with use_language("pt-PT"):
        portuguese = fmt.number(value, places)
    assert portuguese == english.replace(".", ",")
    assert float(portuguese.replace(",", ".")) == float(english)


def test_english_never_imports_babel() -> None:
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from kapdesk.i18n import formats, set_language\n"
        "from kapdesk.services.report_data import fmt\n"
        "set_language('en')\n"
        "formats.long_date(date(2026, 12, 3)); fmt.number(41.25); fmt.day(date(2026, 1, 2))\n"
        "assert 'babel' not in sys.modules, 'babel imported'\n"
        "assert 'gettext' not in sys.modules, 'gettext imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
