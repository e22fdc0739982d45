"""FHIR R4 (4.0.1) resources from kapdesk's records, as plain JSON dicts.

Decisions a caller must know:

* Ids are UUID5s of the database's identity (:class:`Ids`) and the record's table and
  id: the same record gets the same id on every export, so a receiver updates it.
* References are ``urn:uuid:<id>`` inside a Bundle, ``Type/<id>`` in NDJSON files.
* A record marked entered in error is exported with status ``entered-in-error`` (not
  left out), so that a receiver that has the earlier export learns it is wrong.
* Vital signs: a blood-pressure panel (systolic and diastolic components), a heart rate
  and an SpO2 Observation per reading, with the R4 vital-signs profiles. PHQ-9 and GAD-7:
  one survey Observation per result (the panel code), a component per item and one for
  the total. Side effects: an Observation per entry (present, or absent), its severity a
  SNOMED CT qualifier. A dose: a MedicationAdministration (the medication as text: no
  code is agreed for it), route coded, dose in mg, lot in a note.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from kapdesk.domain import fhir_codes as c
from kapdesk.domain.fhir_facts import (
    CourseFacts,
    DoseFacts,
    InstrumentFacts,
    IntegrationFacts,
    PatientFacts,
    PatientRecord,
    ReadingFacts,
    SessionFacts,
    SideEffectFacts,
    SignatureFacts,
    UserFacts,
)

Resource = dict[str, Any]

_ENCOUNTER_STATUS = {
    "scheduled": "planned",
    "discharged": "finished",
    "cancelled": "cancelled",
    "dose_withheld": "cancelled",
}


class Ids:
    """Stable resource ids and references for one database (``identity``: e.g. the hash
    of its first audit entry); ``urn``: references as urn:uuid (a Bundle)."""

    def __init__(self, identity: str, *, urn: bool) -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:kapdesk:database:{identity}")
        self.urn = urn

    def id(self, kind: str, record_id: int) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}/{record_id}"))

    def ref(self, resource_type: str, kind: str, record_id: int) -> dict[str, str]:
        rid = self.id(kind, record_id)
        return {"reference": f"urn:uuid:{rid}" if self.urn else f"{resource_type}/{rid}"}

    def user(self, user_id: int) -> dict[str, str]:
        return self.ref("Practitioner", "user", user_id)


def _t(moment: datetime) -> str:
    return moment.isoformat()


def _d(day: date) -> str:
    return day.isoformat()


def practitioner(user: UserFacts, ids: Ids) -> Resource:
    return {
        "resourceType": "Practitioner",
        "id": ids.id("user", user.id),
        "identifier": [{"system": c.USER_SYSTEM, "value": user.username}],
        "name": [{"text": user.full_name}],
    }


def patient(p: PatientFacts, ids: Ids) -> Resource:
    mr = {"coding": [c.coding(c.MRN_TYPE, "MR", "Medical record number")]}
    return {
        "resourceType": "Patient",
        "id": ids.id("patient", p.id),
        "identifier": [{"use": "usual", "type": mr, "system": c.MRN_SYSTEM, "value": p.mrn}],
        "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
        "gender": p.sex if p.sex in c.GENDERS else "unknown",
        "birthDate": _d(p.date_of_birth),
    }


def episode_of_care(course: CourseFacts, ids: Ids) -> Resource:
    period = {"start": _d(course.started_on)}
    if course.ended_on is not None:
        period["end"] = _d(course.ended_on)
    protocol = f"protocol {course.protocol_id} v{course.protocol_version}"
    return {
        "resourceType": "EpisodeOfCare",
        "id": ids.id("course", course.id),
        "status": "finished" if course.ended_on is not None else "active",
        "type": [{"text": f"Ketamine-assisted psychotherapy course ({protocol})"}],
        "patient": ids.ref("Patient", "patient", course.patient_id),
        "period": period,
    }


def _encounter(ids: Ids, kind: str, record_id: int, patient_id: int) -> Resource:
    return {
        "resourceType": "Encounter",
        "id": ids.id(kind, record_id),
        "class": c.coding(c.ACT_CODE, "AMB", "ambulatory"),
        "subject": ids.ref("Patient", "patient", patient_id),
    }


def dosing_encounter(s: SessionFacts, patient_id: int, ids: Ids) -> Resource:
    enc = _encounter(ids, "session", s.id, patient_id)
    enc["status"] = _ENCOUNTER_STATUS.get(s.state, "in-progress")
    enc["type"] = [{"text": "Ketamine dosing session"}]
    enc["episodeOfCare"] = [ids.ref("EpisodeOfCare", "course", s.course_id)]
    period = {"start": _t(s.checked_in_at or s.scheduled_at)}
    if s.discharged_at is not None:
        period["end"] = _t(s.discharged_at)
    enc["period"] = period
    return enc


def integration_encounter(n: IntegrationFacts, patient_id: int, ids: Ids) -> Resource:
    enc = _encounter(ids, "integration", n.id, patient_id)
    enc["status"] = "finished" if n.status == "final" else "in-progress"
    enc["type"] = [{"text": "Integration psychotherapy session"}]
    enc["episodeOfCare"] = [ids.ref("EpisodeOfCare", "course", n.course_id)]
    enc["participant"] = [{"individual": ids.user(n.author_id)}]
    enc["period"] = {"start": _t(n.held_at)}
    return enc


def _status(error: bool, ok: str) -> str:
    return "entered-in-error" if error else ok


def _vital(
    r: ReadingFacts, patient_id: int, ids: Ids, kind: str, profile: str, code: dict[str, Any]
) -> Resource:
    category = {"coding": [c.coding(c.OBS_CATEGORY, "vital-signs", "Vital Signs")]}
    return {
        "resourceType": "Observation",
        "id": ids.id(kind, r.id),
        "meta": {"profile": [c.PROFILE + profile]},
        "status": _status(r.error, "final"),
        "category": [category],
        "code": code,
        "subject": ids.ref("Patient", "patient", patient_id),
        "encounter": ids.ref("Encounter", "session", r.session_id),
        "effectiveDateTime": _t(r.taken_at),
        "performer": [ids.user(r.recorded_by)],
    }


def vital_signs(r: ReadingFacts, patient_id: int, ids: Ids) -> Iterator[Resource]:
    """The BP panel, then heart rate and SpO2 when they were taken."""
    bp = _vital(r, patient_id, ids, "reading-bp", "bp", c.loinc(c.BP_PANEL, "Blood pressure"))
    bp["component"] = [
        {"code": c.loinc(code), "valueQuantity": c.ucum(value, "mmHg", "mm[Hg]")}
        for code, value in ((c.SYSTOLIC, r.systolic), (c.DIASTOLIC, r.diastolic))
    ]
    yield bp
    if r.pulse is not None:
        hr = _vital(r, patient_id, ids, "reading-hr", "heartrate", c.loinc(c.HEART_RATE))
        hr["valueQuantity"] = c.ucum(r.pulse, "beats/minute", "/min")
        yield hr
    if r.spo2 is not None:
        codings = [c.coding(c.LOINC, *code) for code in c.SPO2_CODES]
        spo2_code: dict[str, Any] = {"coding": codings, "text": "SpO2"}
        ox = _vital(r, patient_id, ids, "reading-spo2", "oxygensat", spo2_code)
        ox["valueQuantity"] = c.ucum(r.spo2, "%", "%")
        yield ox


def _dose_text(d: DoseFacts) -> str:
    entered = {"mg": f"{d.amount:g} mg", "mg_per_kg": f"{d.amount:g} mg/kg"}.get(d.unit)
    if entered is None:
        entered = f"{d.amount:g} {'device' if d.amount == 1 else 'devices'}"
    return f"{d.medication} {entered} {d.route} ({d.mg:g} mg)"


def medication_administration(d: DoseFacts, patient_id: int, ids: Ids) -> Resource:
    route = c.ROUTES.get(d.route)
    dosage: dict[str, Any] = {"text": _dose_text(d), "dose": c.ucum(d.mg, "mg", "mg")}
    dosage["route"] = (
        {"coding": [c.coding(c.SNOMED, *route)], "text": d.route} if route else {"text": d.route}
    )
    notes = [{"text": f"Lot number: {d.lot_number}"}]
    if d.is_booster:
        notes.append({"text": "Booster dose"})
    return {
        "resourceType": "MedicationAdministration",
        "id": ids.id("dose", d.id),
        "status": _status(d.error, "completed"),
        "medicationCodeableConcept": {"text": d.medication},
        "subject": ids.ref("Patient", "patient", patient_id),
        "context": ids.ref("Encounter", "session", d.session_id),
        "effectiveDateTime": _t(d.given_at),
        "performer": [{"actor": ids.user(d.given_by)}],
        "note": notes,
        "dosage": dosage,
    }


def side_effect(e: SideEffectFacts, patient_id: int, ids: Ids) -> Resource:
    obs: Resource = {
        "resourceType": "Observation",
        "id": ids.id("side-effect", e.id),
        "status": _status(e.error, "final"),
        "code": {"text": f"Side effect: {e.label}"},
        "subject": ids.ref("Patient", "patient", patient_id),
        "encounter": ids.ref("Encounter", "session", e.session_id),
        "performer": [ids.user(e.recorded_by)],
    }
    period = {"start": _t(e.onset_at or e.recorded_at)}
    if e.resolved_at is not None:
        period["end"] = _t(e.resolved_at)
    obs["effectivePeriod"] = period
    grade = c.SEVERITIES.get(e.severity or "")
    if not e.present:
        obs["valueBoolean"] = False  # recorded absent: it supersedes an earlier "present"
    elif grade is None:
        obs["valueBoolean"] = True  # present, no severity given
    else:
        obs["valueCodeableConcept"] = {"coding": [c.coding(c.SNOMED, *grade)], "text": grade[1]}
    if e.intervention:
        obs["note"] = [{"text": f"Intervention: {e.intervention}"}]
    return obs


def instrument(i: InstrumentFacts, patient_id: int, ids: Ids) -> Resource | None:
    codes = c.INSTRUMENT_CODES.get(i.instrument)
    if codes is None:
        return None
    components = [
        {"code": c.loinc((code, f"{i.instrument} item {n}")), "valueInteger": answer}
        for n, (code, answer) in enumerate(zip(codes["items"], i.answers, strict=False), 1)
    ]
    components.append({"code": c.loinc(codes["total"]), "valueInteger": i.total})
    obs: Resource = {
        "resourceType": "Observation",
        "id": ids.id("instrument", i.id),
        "status": _status(i.error, "final"),
        "category": [{"coding": [c.coding(c.OBS_CATEGORY, "survey", "Survey")]}],
        "code": c.loinc(codes["panel"], i.instrument),
        "subject": ids.ref("Patient", "patient", patient_id),
        "effectiveDateTime": _t(i.taken_at),
        "performer": [ids.user(i.recorded_by)],
        "interpretation": [{"text": i.band}],
        "component": components,
    }
    if i.session_id is not None:
        obs["encounter"] = ids.ref("Encounter", "session", i.session_id)
    return obs


def provenance(sig: SignatureFacts, ids: Ids) -> Resource | None:
    """Who signed what, when: the target is the encounter the signed record belongs to."""
    if sig.encounter is None:
        return None
    kind, record_id = sig.encounter
    target = ids.ref("Encounter", "session" if kind == "dosing_session" else kind, record_id)
    what = {"dosing_session": "dosing session", "note": "note", "addendum": "addendum"}
    signer = ids.user(sig.signer_id)
    sig_type = c.coding(c.SIGNATURE_TYPE, "1.2.840.10065.1.12.1.5", "Verification Signature")
    return {
        "resourceType": "Provenance",
        "id": ids.id("signature", sig.id),
        "target": [{**target, "display": f"signed {what.get(sig.entity, sig.entity)}"}],
        "recorded": _t(sig.signed_at),
        "activity": {"text": sig.meaning or "signed"},
        "agent": [
            {
                "type": {"coding": [c.coding(c.PARTICIPANT_TYPE, "attester", "Attester")]},
                "who": signer,
            }
        ],
        "signature": [{"type": [sig_type], "when": _t(sig.signed_at), "who": signer}],
    }


def patient_resources(record: PatientRecord, ids: Ids) -> Iterator[Resource]:
    """Every resource of one patient (Practitioners apart), patient first."""
    pid = record.patient.id
    yield patient(record.patient, ids)
    for course in record.courses:
        yield episode_of_care(course, ids)
    for session in record.sessions:
        yield dosing_encounter(session, pid, ids)
    for note in record.integrations:
        yield integration_encounter(note, pid, ids)
    for reading in record.readings:
        yield from vital_signs(reading, pid, ids)
    for dose in record.doses:
        yield medication_administration(dose, pid, ids)
    for effect in record.side_effects:
        yield side_effect(effect, pid, ids)
    for result in record.instruments:
        obs = instrument(result, pid, ids)
        if obs is not None:
            yield obs
    for sig in record.signatures:
        prov = provenance(sig, ids)
        if prov is not None:
            yield prov


def users_of(record: PatientRecord) -> set[int]:
    """The users a patient's resources refer to (Practitioner references)."""
    found = {n.author_id for n in record.integrations}
    found |= {r.recorded_by for r in record.readings}
    found |= {d.given_by for d in record.doses}
    found |= {e.recorded_by for e in record.side_effects}
    found |= {i.recorded_by for i in record.instruments}
    found |= {s.signer_id for s in record.signatures if s.encounter is not None}
    return found


def transaction_bundle(resources: list[Resource], bundle_id: str) -> Resource:
    """A transaction Bundle: each resource PUT at its stable id (a re-export updates)."""
    entries = [
        {
            "fullUrl": f"urn:uuid:{r['id']}",
            "resource": r,
            "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
        }
        for r in resources
    ]
    return {"resourceType": "Bundle", "id": bundle_id, "type": "transaction", "entry": entries}
