"""FHIR R4 resources from plain facts (no database): ids, references, statuses, codes."""

from __future__ import annotations

from datetime import UTC, datetime

from kapdesk.domain.fhir_facts import DoseFacts, SideEffectFacts
from kapdesk.domain.fhir_resources import Ids, medication_administration, side_effect
from tests.fhirkit import validate

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _dose(**changes: object) -> DoseFacts:
    values: dict[str, object] = {
        "id": 7, "session_id": 3, "medication": "esketamine", "route": "intranasal",
        "amount": 3, "unit": "device", "mg": 84.0, "given_at": AT, "lot_number": "L1",
        "given_by": 2, "is_booster": False, "error": False,
    }  # fmt: skip
    values.update(changes)
    return DoseFacts(**values)  # type: ignore[arg-type]


def test_ids_depend_on_the_database_and_the_record_only() -> None:
    a, b = Ids("hash-a", urn=True), Ids("hash-a", urn=False)
    assert a.id("dose", 7) == b.id("dose", 7) != a.id("dose", 8)
    assert Ids("hash-b", urn=True).id("dose", 7) != a.id("dose", 7)
    assert a.ref("Patient", "patient", 1) == {"reference": f"urn:uuid:{a.id('patient', 1)}"}
    assert b.ref("Patient", "patient", 1) == {"reference": f"Patient/{a.id('patient', 1)}"}


def test_nasal_devices_dose_in_mg_with_devices_in_the_text_and_error_status() -> None:
    ids = Ids("x", urn=False)
    given = medication_administration(_dose(), 1, ids)
    validate(given)
    assert given["dosage"]["dose"]["value"] == 84.0
    assert given["dosage"]["text"] == "esketamine 3 devices intranasal (84 mg)"
    assert given["dosage"]["route"]["coding"][0]["code"] == "46713006"
    wrong = medication_administration(_dose(error=True, is_booster=True), 1, ids)
    validate(wrong)
    assert wrong["status"] == "entered-in-error"
    assert {"text": "Booster dose"} in wrong["note"]
    other = medication_administration(_dose(route="rectal"), 1, ids)
    assert other["dosage"]["route"] == {"text": "rectal"}  # no code for a route kapdesk lacks


def test_side_effect_severity_and_without_one() -> None:
    ids = Ids("x", urn=False)
    facts = SideEffectFacts(
        1, 3, "Nausea", "life_threatening", AT, None, "ondansetron", 2, AT, error=False
    )
    obs = side_effect(facts, 1, ids)
    validate(obs)
    assert obs["valueCodeableConcept"]["coding"][0]["code"] == "442452003"
    assert obs["note"] == [{"text": "Intervention: ondansetron"}]
    bare = side_effect(SideEffectFacts(2, 3, "Headache", None, None, AT, "", 2, AT, True), 1, ids)
    validate(bare)
    assert (bare["valueBoolean"], bare["status"]) == (True, "entered-in-error")
    assert bare["effectivePeriod"] == {"start": AT.isoformat(), "end": AT.isoformat()}
