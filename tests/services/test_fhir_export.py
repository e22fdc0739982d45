"""FHIR R4 export (FhirExportService) on both stores: a signed session with readings, a
dose, a side effect, PHQ-9 and GAD-7, an integration session and a reading entered in
error, exported as a Bundle and streamed; every resource validated against R4."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import NotFound
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.corrections import CorrectionsService
from kapdesk.services.fhir_export import FhirExportService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.signing import SigningService
from kapdesk.storage.orm import DosingSession, VitalReading
from tests.fhirkit import Resource, component, of_code, references, validate, validate_bundle

from .conftest import PASSWORD
from .sessionkit import Kit, audit_probe
from .signkit import cheap_passwords, closed_session, integration_note

PHQ9 = [2, 1, 3, 0, 1, 2, 1, 0, 1]
GAD7 = [1, 2, 0, 3, 1, 1, 2]


@pytest.fixture
def clinic(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor, therapist: Actor
) -> int:
    """The session id of MRN-1's signed session (see the module docstring)."""
    cheap_passwords(ctx.db)
    kit = Kit(ctx, clock, nurse)
    sid = closed_session(kit, clinician, therapist)
    with ctx.db.read() as s:
        course_id = s.scalar(select(DosingSession.course_id).where(DosingSession.id == sid))
        last = select(VitalReading.id).where(VitalReading.session_id == sid)
        wrong = s.scalars(last.order_by(VitalReading.id.desc())).first()
    assert course_id is not None
    assert wrong is not None
    CorrectionsService(ctx).mark_entered_in_error(
        nurse, "reading", wrong, "Typed for the wrong patient"
    )
    instruments = InstrumentService(ctx)
    pid = _patient_id(ctx, sid)
    instruments.record(therapist, pid, "PHQ-9", PHQ9, course_id=course_id, session_id=sid)
    instruments.record(therapist, pid, "GAD-7", GAD7, course_id=course_id)
    integration_note(ctx, therapist, course_id)
    SigningService(ctx).sign(clinician, "dosing_session", sid, PASSWORD)
    return sid


def _patient_id(ctx: ServiceContext, sid: int) -> int:
    from kapdesk.storage.orm import Course

    with ctx.db.read() as s:
        return int(
            s.scalar(
                select(Course.patient_id)
                .join(DosingSession, DosingSession.course_id == Course.id)
                .where(DosingSession.id == sid)
            )
        )


def _bundle(ctx: ServiceContext) -> list[Resource]:
    return validate_bundle(FhirExportService(ctx).patient_bundle("mrn-1").bundle)


def test_every_resource_is_valid_r4_and_references_resolve_in_the_bundle(
    ctx: ServiceContext, clinic: int
) -> None:
    bundle = FhirExportService(ctx).patient_bundle(" MRN-1 ").bundle
    resources = validate_bundle(bundle)
    assert bundle["type"] == "transaction"
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    assert all(
        e["request"]
        == {"method": "PUT", "url": f"{e['resource']['resourceType']}/{e['resource']['id']}"}
        for e in bundle["entry"]
    )
    assert set(references(resources)) <= full_urls
    kinds = Counter(r["resourceType"] for r in resources)
    assert kinds == {
        "Practitioner": 3,  # nurse, clinician, therapist
        "Patient": 1,
        "EpisodeOfCare": 1,
        "Encounter": 2,  # the dosing session, the integration session
        "Observation": 2 * 3 + 1 + 2,  # 2 readings x (BP, HR, SpO2), nausea, PHQ-9, GAD-7
        "MedicationAdministration": 1,
        "Provenance": 1,
    }


def test_vital_signs_dose_scores_and_side_effect_carry_codes_values_and_units(
    ctx: ServiceContext, clinic: int, nurse: Actor
) -> None:
    resources = _bundle(ctx)
    bps = of_code(resources, "85354-9")
    values = [
        (
            component(o, "8480-6")["valueQuantity"]["value"],
            component(o, "8462-4")["valueQuantity"]["value"],
        )
        for o in bps
    ]
    assert values == [(122, 78), (131, 82)]
    assert {component(o, "8480-6")["valueQuantity"]["code"] for o in bps} == {"mm[Hg]"}
    assert all(o["meta"]["profile"] == ["http://hl7.org/fhir/StructureDefinition/bp"] for o in bps)
    assert [o["status"] for o in bps] == ["final", "entered-in-error"]  # the one marked
    assert all(o["category"][0]["coding"][0]["code"] == "vital-signs" for o in bps)
    hr = of_code(resources, "8867-4")[0]
    assert hr["valueQuantity"] == {
        "value": 72,
        "unit": "beats/minute",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    }
    spo2 = of_code(resources, "59408-5")[0]
    assert spo2["valueQuantity"]["value"] == 98
    assert spo2["valueQuantity"]["code"] == "%"
    practitioners = {
        r["identifier"][0]["value"]: f"urn:uuid:{r['id']}"
        for r in resources
        if r["resourceType"] == "Practitioner"
    }
    assert hr["performer"] == [{"reference": practitioners["nurse"]}]
    [dose] = [r for r in resources if r["resourceType"] == "MedicationAdministration"]
    assert dose["status"] == "completed"
    assert dose["medicationCodeableConcept"] == {"text": "racemic ketamine"}
    assert dose["dosage"]["dose"] == {
        "value": 35,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert dose["dosage"]["route"]["coding"][0]["code"] == "78421000"  # intramuscular
    assert {"text": "Lot number: LOT-42"} in dose["note"]
    assert dose["performer"] == [{"actor": {"reference": practitioners["nurse"]}}]
    [phq] = of_code(resources, "44249-1")
    assert [c["valueInteger"] for c in phq["component"]] == [*PHQ9, sum(PHQ9)]
    assert component(phq, "44261-6")["valueInteger"] == sum(PHQ9)
    assert component(phq, "44260-8")["valueInteger"] == PHQ9[8]  # item 9
    [gad] = of_code(resources, "69737-5")
    assert component(gad, "70274-6")["valueInteger"] == sum(GAD7)
    [nausea] = [r for r in resources if r.get("code", {}).get("text") == "Side effect: Nausea"]
    assert nausea["valueCodeableConcept"]["coding"][0]["code"] == "255604002"  # mild


def test_signature_is_a_provenance_of_the_session_encounter(
    ctx: ServiceContext, clinic: int
) -> None:
    resources = _bundle(ctx)
    [prov] = [r for r in resources if r["resourceType"] == "Provenance"]
    [enc] = [
        r
        for r in resources
        if r["resourceType"] == "Encounter" and r["type"][0]["text"] == "Ketamine dosing session"
    ]
    assert prov["target"][0]["reference"] == f"urn:uuid:{enc['id']}"
    assert enc["status"] == "finished"
    signer = prov["agent"][0]["who"]["reference"]
    [who] = [r for r in resources if f"urn:uuid:{r['id']}" == signer]
    assert who["identifier"][0]["value"] == "clinician"


def test_ids_are_stable_and_the_stream_has_the_same_resources(
    ctx: ServiceContext, clinic: int
) -> None:
    first = {r["id"] for r in _bundle(ctx)}
    assert first == {r["id"] for r in _bundle(ctx)}
    service = FhirExportService(ctx)
    with service.all_resources() as stream:
        streamed = list(stream)
    for resource in streamed:
        validate(resource)
    assert first <= {r["id"] for r in streamed}
    ids = {f"{r['resourceType']}/{r['id']}" for r in streamed}
    assert set(references(streamed)) <= ids


def test_export_is_audited_with_counts_and_unknown_mrn_is_refused(
    ctx: ServiceContext, clinic: int
) -> None:
    service = FhirExportService(ctx)
    with pytest.raises(NotFound, match="MRN 'NOPE'"):
        service.patient_bundle("NOPE")
    export = service.patient_bundle("MRN-1")
    counts = Counter(e["resource"]["resourceType"] for e in export.bundle["entry"])
    with audit_probe(ctx.db) as probe:
        service.audit_console_export(
            "patient", counts, target="p.json", patient_id=export.patient_id
        )
    [entry] = probe.entries
    assert (entry.action, entry.entity, entry.entity_id) == (
        "export.fhir_console",
        "patient",
        str(export.patient_id),
    )
    after = entry.after_data or {}
    assert after["resources"] == len(export.bundle["entry"])
    assert after["by_type"]["Observation"] == 9
    assert after["actor"].startswith("console:")


def test_a_side_effect_later_recorded_absent_is_exported_absent(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor
) -> None:
    """Each entry is an Observation at its time: a receiver that had 'nausea present' sees
    the later 'absent' too (only the present ones were exported: the nausea stayed
    present for the receiver, while the chart, course summary and cohort count it gone)."""
    from kapdesk.services.side_effects import SideEffectService

    kit = Kit(ctx, clock, nurse)
    sid = kit.dosed(mrn="MRN-1")
    effects = SideEffectService(ctx)
    effects.record(nurse, sid, "nausea", severity="mild")
    clock.advance(minutes=10)
    effects.record(nurse, sid, "nausea", present=False)
    resources = _bundle(ctx)
    nausea = [r for r in resources if r.get("code", {}).get("text") == "Side effect: Nausea"]
    assert [("valueCodeableConcept" in r, r.get("valueBoolean")) for r in nausea] == [
        (True, None),
        (False, False),
    ]
    first, later = (r["effectivePeriod"]["start"] for r in nausea)
    assert first < later
