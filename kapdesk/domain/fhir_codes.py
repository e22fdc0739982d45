"""Code systems and codes of the FHIR R4 export (LOINC as ../shared/CLINICAL.md lists them).

Only codes that say exactly what kapdesk records are used; where there is none (the
medication, a side effect of the clinic's catalogue) the text is exported without a code.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final

LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
UCUM: Final = "http://unitsofmeasure.org"
OBS_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPANT_TYPE: Final = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SIGNATURE_TYPE: Final = "urn:iso-astm:E1762-95:2013"
MRN_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
MRN_SYSTEM: Final = "urn:kapdesk:mrn"  # a clinic's own MRNs: no registered system
USER_SYSTEM: Final = "urn:kapdesk:username"

PROFILE: Final = "http://hl7.org/fhir/StructureDefinition/"

# Vital signs (FHIR R4 vital-signs profiles: bp, heartrate, oxygensat).
BP_PANEL: Final = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC: Final = ("8480-6", "Systolic blood pressure")
DIASTOLIC: Final = ("8462-4", "Diastolic blood pressure")
HEART_RATE: Final = ("8867-4", "Heart rate")
# The oxygensat profile requires 2708-6; CLINICAL.md's code (by pulse oximetry) goes with it.
SPO2_CODES: Final = (
    ("2708-6", "Oxygen saturation in Arterial blood"),
    ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
)

# Instruments: panel, total, items in order (LOINC).
INSTRUMENT_CODES: Final[MappingProxyType[str, dict[str, Any]]] = MappingProxyType(
    {
        "PHQ-9": {
            "panel": ("44249-1", "PHQ-9 quick depression assessment panel"),
            "total": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score"),
            "items": (
                "44250-9",
                "44255-8",
                "44259-0",
                "44254-1",
                "44251-7",
                "44258-2",
                "44252-5",
                "44253-3",
                "44260-8",
            ),
        },
        "GAD-7": {
            "panel": ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
            "total": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"),
            "items": (
                "69725-0",
                "68509-9",
                "69733-4",
                "69734-2",
                "69735-9",
                "69689-8",
                "69736-7",
            ),
        },
    }
)

# Routes (SNOMED CT, Route of administration value set).
ROUTES: Final[MappingProxyType[str, tuple[str, str]]] = MappingProxyType(
    {
        "iv": ("47625008", "Intravenous route"),
        "im": ("78421000", "Intramuscular route"),
        "sc": ("34206005", "Subcutaneous route"),
        "sublingual": ("37839007", "Sublingual route"),
        "buccal": ("54471007", "Buccal route"),
        "intranasal": ("46713006", "Nasal route"),
        "oral": ("26643006", "Oral route"),
    }
)

# Side-effect severity (SNOMED CT severity qualifiers), after CTCAE grades 1-4.
SEVERITIES: Final[MappingProxyType[str, tuple[str, str]]] = MappingProxyType(
    {
        "mild": ("255604002", "Mild"),
        "moderate": ("6736007", "Moderate"),
        "severe": ("24484000", "Severe"),
        "life_threatening": ("442452003", "Life threatening severity"),
    }
)

GENDERS: Final = frozenset({"male", "female", "other", "unknown"})


def coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def loinc(code: tuple[str, str], text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [coding(LOINC, *code)]}
    if text:
        concept["text"] = text
    return concept


def ucum(value: float | int, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}
