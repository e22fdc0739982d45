"""Protocol files carry translated labels ("label.pt-PT" = ...); the shipped presets'
labels are translated through the catalogue, so their pinned text never changes."""

from __future__ import annotations

from importlib import resources

import pytest

from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol import builtin_protocols, load_protocol_text
from kapdesk.i18n import use_language

KAP = (resources.files("kapdesk.resources") / "protocols" / "kap-default.toml").read_text(
    encoding="utf-8"
)
CONSENT = 'id = "consent"\nlabel = "Consent on file"\n'


def test_a_file_may_translate_a_label_and_the_translation_is_shown_in_its_language() -> None:
    text = KAP.replace(CONSENT, CONSENT + '"label.pt-PT" = "Consentimento assinado"\n')
    item = load_protocol_text(text, "mine.toml").checklist[0]
    assert item.labels == (("pt-PT", "Consentimento assinado"),)
    assert item.shown_label() == "Consent on file"
    with use_language("pt-PT"):
        assert item.shown_label() == "Consentimento assinado"


def test_a_label_in_a_language_kapdesk_lacks_is_refused_naming_the_field() -> None:
    text = KAP.replace(CONSENT, CONSENT + '"label.de-DE" = "Einwilligung"\n')
    with pytest.raises(ProtocolError, match=r"checklist\[0\]\.label\.de-DE.*pt-PT.*'de-DE'"):
        load_protocol_text(text, "mine.toml")


def test_a_dotted_label_key_without_quotes_gets_a_hint() -> None:
    text = KAP.replace(CONSENT, CONSENT + 'label.pt-PT = "Consentimento"\n')
    with pytest.raises(ProtocolError, match=r'"label\.pt-PT" = '):
        load_protocol_text(text, "mine.toml")


def test_every_label_of_every_shipped_preset_reads_in_portuguese() -> None:
    with use_language("pt-PT"):
        for proto in builtin_protocols().values():
            items = (*proto.schedule, *proto.checklist, *proto.discharge, *proto.side_effects)
            same = [i.label for i in items if i.shown_label() == i.label]
            # Words Portuguese writes as English does (a clinical term, a route).
            assert set(same) <= {"Diplopia", "Dose"}, (proto.id, same)


def test_every_shipped_preset_title_and_medication_reads_in_portuguese() -> None:
    from kapdesk.i18n import _

    presets = builtin_protocols().values()
    with use_language("pt-PT"):
        titles = {p.title: _(p.title) for p in presets}
        names = {m: _(m) for p in presets for m in p.medications}
        actions = [r.action for p in presets for r in p.vital_rules if _(r.action) == r.action]
    assert actions == []
    assert [t for t, shown in titles.items() if shown == t] == []
    assert titles["Ketamine-assisted psychotherapy, default monitoring"] == (
        "Psicoterapia assistida por cetamina, monitorização padrão"
    )
    assert names == {"racemic ketamine": "cetamina racémica", "esketamine": "escetamina"}
    assert _("Ketamine-assisted psychotherapy, default monitoring") == (
        "Ketamine-assisted psychotherapy, default monitoring"
    )
