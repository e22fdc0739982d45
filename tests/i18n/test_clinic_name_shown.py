"""The clinic's name until one is set reads in the user's language; a name the clinic set,
and the stored default, stay as they are."""

from __future__ import annotations

from kapdesk.i18n import use_language
from kapdesk.services.wording import shown_clinic_name
from kapdesk.storage.settings_store import SETTINGS


def test_the_default_clinic_name_is_shown_in_portuguese_and_stored_in_english() -> None:
    assert SETTINGS["clinic_name"].default == "kapdesk clinic"
    assert shown_clinic_name("kapdesk clinic") == "kapdesk clinic"
    with use_language("pt-PT"):
        assert shown_clinic_name("kapdesk clinic") == "clínica kapdesk"
        assert shown_clinic_name("Clínica do Parque") == "Clínica do Parque"
        assert SETTINGS["clinic_name"].default == "kapdesk clinic"
