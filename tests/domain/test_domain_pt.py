"""The domain speaks Portuguese where it is shown and keeps English where it is stored.

Validators name the field as the user reads it and write numbers as the language does;
durations, rules and criteria are translated; what the record keeps (a reading's
assessment, a dose's warnings, a discharge check, a refusal in the audit log) stays the
English it always was, and reads translated through ``wording.shown``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapdesk.domain import dosing, timetext, vitals
from kapdesk.domain.discharge import ReadingFact, criteria_summary, evaluate_discharge
from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.domain.patients import validate_name, validate_patient
from kapdesk.domain.permissions import Action, Role, require
from kapdesk.domain.protocol import Phase, Route, builtin_protocols
from kapdesk.domain.schedule import compute_schedule
from kapdesk.domain.wording import Wording, decimal_text, grouped, shown, shown_error
from kapdesk.i18n import N_, use_language

PROTOCOL = builtin_protocols()["kap-default"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _message(call: object) -> str:
    with pytest.raises(ValidationError) as caught:
        call()  # type: ignore[operator]
    return caught.value.message


def test_a_weight_out_of_range_names_the_field_with_a_decimal_comma() -> None:
    english = _message(lambda: vitals.validate_weight("400.5"))
    assert english == "Weight 400.5 kg is outside the allowed range 25-350 kg."
    with use_language("pt-PT"), pytest.raises(ValidationError) as caught:
        vitals.validate_weight("400,5")
    assert caught.value.message == "Peso 400,5 kg está fora do intervalo permitido 25-350 kg."
    assert caught.value.field == "Weight"  # what a form matches stays English


def test_vital_signs_and_names_refuse_in_portuguese_and_in_english_as_before() -> None:
    assert _message(lambda: vitals.validate_vitals("abc", 80)) == (
        "Systolic 'abc' is not a whole number: enter 50-300 mmHg."
    )
    with use_language("pt-PT"):
        whole = _message(lambda: vitals.validate_vitals("abc", 80))
        lower = _message(lambda: vitals.validate_vitals(120, 130))
        name = _message(lambda: validate_name(N_("Given name"), "R2D2"))
        born = _message(
            lambda: validate_patient(
                mrn="A-1",
                given_name="Ana",
                family_name="Lima",
                date_of_birth="2030-01-05",
                sex="female",
                today=date(2026, 3, 2),
            )
        )
    assert whole == "Sistólica 'abc' não é um número inteiro: introduza 50-300 mmHg."
    assert lower == "A diastólica 130 mmHg tem de ser inferior à sistólica 120 mmHg."
    assert name.startswith("Nome próprio 'R2D2' contém '2'")
    assert born == "Data de nascimento 05/01/2030 está no futuro (hoje é 02/03/2026)."


def test_a_dose_refusal_writes_amounts_with_a_decimal_comma() -> None:
    def dose() -> object:
        return dosing.validate_dose(
            PROTOCOL,
            medication="racemic ketamine",
            route="iv",
            amount="5",
            unit="mg/kg",
            weight_kg=70.5,
        )

    assert "5 mg/kg (352.5 mg) IV is above the absolute ceiling of 2 mg/kg" in _message(dose)
    with use_language("pt-PT"):
        refused = _message(dose)
    assert refused.startswith("Recusada pela regra dose-ceiling, kap-default v1.0: 5 mg/kg")
    assert "(352,5 mg) IV está acima do teto absoluto de 2 mg/kg" in refused


def test_durations_have_a_plural_of_days_and_dates_follow_the_language() -> None:
    one, two = timedelta(days=1, hours=3), timedelta(days=2, hours=3)
    assert (timetext.duration(one), timetext.duration(two)) == ("1 d 3 h", "2 d 3 h")
    assert timetext.duration(timedelta(seconds=20)) == "less than 1 min"
    assert timetext.day(date(2026, 3, 2)) == "2026-03-02"
    with use_language("pt-PT"):
        assert timetext.duration(one) == "1 dia 3 h"
        assert timetext.duration(two) == "2 dias 3 h"
        assert timetext.duration(timedelta(seconds=20)) == "menos de 1 min"
        assert timetext.duration(timedelta(minutes=126)) == "2 h 06 min"
        assert timetext.day(date(2026, 3, 2)) == "02/03/2026"
        assert timetext.day_clock(T0, UTC) == "02/03/2026 09:00"


def test_a_rule_reads_translated_and_the_stored_assessment_stays_english() -> None:
    reading = vitals.validate_vitals(185, 112, 130, 91)
    assessment = vitals.classify(reading, PROTOCOL, Phase.PRE_DOSE)
    english = assessment.summary
    assert english == "Alert – pulse > 120/min; SpO2 < 92 % (kap-default v1.0, pre-dose)"
    with use_language("pt-PT"):
        stored = f"{assessment.summary}. {assessment.provenance}"  # as the service stores it
        summary = shown(assessment.summary)
        rule = shown(PROTOCOL.vital_rules[0].describe())
    assert stored.startswith(english + ". Checked against the kap-default v1.0 pre-dose rules")
    assert json.dumps(assessment.summary) == json.dumps(str(english))
    assert summary == "Em alerta – pulso > 120/min; SpO2 < 92 % (kap-default v1.0, pré-dose)"
    assert rule == "sistólica ≥ 140 ou diastólica ≥ 90 mmHg"
    assert PROTOCOL.vital_rules[0].describe() == "systolic ≥ 140 or diastolic ≥ 90 mmHg"


def test_a_dose_warning_is_stored_in_english_and_shown_in_portuguese() -> None:
    with use_language("pt-PT"):
        calc = dosing.validate_dose(
            PROTOCOL,
            medication="racemic ketamine",
            route="iv",
            amount="0.01",
            unit="mg/kg",
            weight_kg=70.5,
        )
        warning = calc.warnings[0]
        asked = _message(lambda: dosing.require_acknowledgement(calc.warnings, False))
        read = shown(warning)
    assert warning == (
        "Unusually small dose: 0.01 mg/kg (0.7 mg) is below 0.1 mg/kg, where kap-default v1.0 "
        "questions a IV dose. Check the amount and the unit."
    )
    assert read.startswith("Dose invulgarmente pequena: 0,01 mg/kg (0,7 mg) está abaixo de")
    assert asked == f"Registe conhecimento antes de administrar: {read}"


def test_a_refusal_keeps_english_for_the_audit_log_and_shows_portuguese() -> None:
    with use_language("pt-PT"), pytest.raises(PermissionDenied) as caught:
        require(Role.NURSE, Action.OVERRIDE_HOLD)
    assert str(caught.value) == "A nurse may not override a pre-dose hold."
    with use_language("pt-PT"):
        text = shown_error(caught.value)
    assert text == "Um enfermeiro não pode autorizar excecionalmente uma suspensão pré-dose."


def _discharge_checks() -> tuple[object, ...]:
    dose = T0
    taken = [dose + timedelta(minutes=m) for m in (-10, 25, 45, 62, 105, 118)]
    readings = [ReadingFact(t, vitals.Band.NORMAL, "BP 120/80", PROTOCOL.label) for t in taken[1:]]
    at = dose + timedelta(minutes=125)
    schedule = compute_schedule(
        PROTOCOL, route=Route.IV, dose_times=[dose], readings=taken, now=at, checked_in_at=T0
    )
    return evaluate_discharge(
        PROTOCOL,
        route=Route.IV,
        dose_times=[dose],
        readings=readings,
        schedule=schedule,
        side_effects=(),
        answers={},
        at=at,
    )


def test_discharge_checks_freeze_english_and_read_translated() -> None:
    with use_language("pt-PT"):
        checks = {c.id: c for c in _discharge_checks()}  # type: ignore[attr-defined]
        taken = checks["readings_taken"]
        label, detail = shown(taken.label), shown(taken.detail)
        summary = criteria_summary(3, 5)
    assert taken.met
    assert taken.detail == "All 3 required readings taken."
    assert detail == "Feitas todas as 3 medições exigidas."
    assert str(taken.label) == "Every required reading taken"
    assert label == "Todas as medições obrigatórias feitas"
    assert json.loads(json.dumps({"detail": taken.detail}))["detail"] == taken.detail
    assert summary == "3 critérios ainda por cumprir"
    assert criteria_summary(3, 5) == "3 criteria not met yet"


def test_a_schedule_label_reads_in_the_preset_translation() -> None:
    items = compute_schedule(
        PROTOCOL, route=Route.IV, dose_times=[T0], readings=[], now=T0, checked_in_at=T0
    )
    label = next(i.label for i in items if i.schedule_id == "post-dose-20-30")
    assert label == "20-30 min after dose"
    with use_language("pt-PT"):
        assert shown(label) == "20-30 min após a dose"


@given(st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False))
def test_a_decimal_reads_with_the_language_sign_and_stays_the_same_number(value: object) -> None:
    english = format(value, "f")
    text = decimal_text(english)
    assert text == english
    with use_language("pt-PT"):
        portuguese = text.shown()
    assert portuguese == english.replace(".", ",")


@given(st.integers(min_value=0, max_value=10**12))
def test_a_grouped_number_is_the_same_number_in_every_language(n: int) -> None:
    assert grouped(n) == f"{n:,}"
    with use_language("pt-PT"):
        portuguese = grouped(n)
    assert "".join(ch for ch in portuguese if ch.isdigit()) == str(n)
    assert "," not in portuguese
    assert "." not in portuguese


@given(st.lists(st.sampled_from([" or ", "; ", " and "]), min_size=1, max_size=4))
def test_a_composed_wording_is_the_plain_english_text(separators: list[str]) -> None:
    parts = [Wording(N_("systolic ≥ {value}"), value=i) for i in range(len(separators))]
    joined = Wording.joined(separators[0], parts)
    assert joined == separators[0].join(f"systolic ≥ {i}" for i in range(len(parts)))
    assert shown(joined) == joined  # English: the same text


def test_english_domain_messages_import_neither_babel_nor_gettext() -> None:
    code = (
        "import sys\n"
        "from datetime import date, timedelta\n"
        "from kapdesk.domain import timetext, vitals\n"
        "from kapdesk.domain.wording import grouped, shown\n"
        "try:\n"
        "    vitals.validate_weight('400.5')\n"
        "except Exception:\n"
        "    pass\n"
        "timetext.duration(timedelta(days=2)); timetext.day(date(2026, 3, 2)); grouped(10**6)\n"
        "assert 'babel' not in sys.modules, 'babel imported'\n"
        "assert 'gettext' not in sys.modules, 'gettext imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_stored_scoring_rule_is_read_with_band_names_in_portuguese() -> None:
    from kapdesk.domain.instruments import PHQ9, shown_scoring_rule

    stored = PHQ9.scoring_rule
    assert shown_scoring_rule(stored) == stored  # English: as stored
    with use_language("pt-PT"):
        shown = shown_scoring_rule(stored)
        assert shown.startswith("PHQ-9 v1 (Kroenke 2001): 0-4 ")
        assert "minimal" not in shown
        assert "severe" not in shown
        assert shown_scoring_rule("an older rule, not kapdesk's") == "an older rule, not kapdesk's"
    assert PHQ9.scoring_rule == stored  # what is stored never changes
