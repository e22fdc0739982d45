"""A reading's stored assessment reads in the active language where shown: derived again
from the reading under the session's protocol, and only when that gives back the stored
English word for word; the stored text is the English it always was."""

from __future__ import annotations

from kapdesk.domain.protocol import Phase, builtin_protocols
from kapdesk.domain.vitals import VitalsInput, classify, shown_assessment, stored_assessment
from kapdesk.i18n import use_language

KAP = builtin_protocols()["kap-default"]
HIGH = VitalsInput(152, 94, 80, 97)
STORED = (
    "Elevated – systolic ≥ 140 or diastolic ≥ 90 mmHg (kap-default v1.0, pre-dose). "
    "Checked against the kap-default v1.0 pre-dose rules: rule pre-dose-elevated (elevated) "
    "– systolic ≥ 140 or diastolic ≥ 90 mmHg, on systolic 152, diastolic 94."
)


def test_the_stored_assessment_is_the_english_it_was() -> None:
    a = classify(HIGH, KAP, Phase.PRE_DOSE)
    with use_language("pt-PT"):
        kept = stored_assessment(a)
    assert kept == STORED
    assert kept == f"{a.summary}. {a.provenance}"


def test_the_assessment_shown_in_portuguese() -> None:
    with use_language("pt-PT"):
        text = shown_assessment(STORED, HIGH, KAP, Phase.PRE_DOSE)
    assert text.startswith("Elevada – sistólica ≥ 140 ou diastólica ≥ 90 mmHg (kap-default v1.0")
    assert "Checked" not in text
    assert "rule pre-dose" not in text
    assert shown_assessment(STORED, HIGH, KAP, Phase.PRE_DOSE) == STORED  # English


def test_a_stored_text_that_is_not_derived_again_is_shown_as_it_is() -> None:
    older = STORED.replace("Checked against", "Checked with")
    other = VitalsInput(150, 94, 80, 97)  # other values: not what was stored
    with use_language("pt-PT"):
        assert shown_assessment(older, HIGH, KAP, Phase.PRE_DOSE) == older
        assert shown_assessment(STORED, other, KAP, Phase.PRE_DOSE) == STORED
