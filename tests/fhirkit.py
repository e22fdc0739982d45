"""FHIR R4 (4.0.1) validation for the export's tests, with the models of fhir.resources
6.4.x (a test dependency only: 6.5 and later default to R4B/R5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fhir.resources
from fhir.resources import construct_fhir_element
from fhir.resources.bundle import Bundle

assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__

Resource = dict[str, Any]


# The models check structure and types, not the codes of required bindings: those used.
REQUIRED_CODES = {
    ("Observation", "status"): {
        "registered", "preliminary", "final", "amended", "corrected", "cancelled",
        "entered-in-error", "unknown",
    },
    ("MedicationAdministration", "status"): {
        "in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped",
        "unknown",
    },
    ("Encounter", "status"): {
        "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
        "entered-in-error", "unknown",
    },
    ("EpisodeOfCare", "status"): {
        "planned", "waitlist", "active", "onhold", "finished", "cancelled", "entered-in-error",
    },
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
}  # fmt: skip


def validate(resource: Resource) -> None:
    """Raises (pydantic's ValidationError) unless ``resource`` is a valid R4 resource;
    AssertionError for a code outside a required binding's value set."""
    construct_fhir_element(resource["resourceType"], resource)
    for (kind, key), allowed in REQUIRED_CODES.items():
        if resource["resourceType"] == kind:
            assert resource[key] in allowed, (kind, key, resource[key])


def validate_bundle(bundle: Resource) -> list[Resource]:
    """The Bundle and each of its resources validated; its resources."""
    Bundle.parse_obj(bundle)
    assert bundle["type"] in {"transaction", "collection"}
    assert all(e["request"]["method"] == "PUT" for e in bundle["entry"])
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        validate(resource)
    return resources


def references(value: object) -> Iterator[str]:
    """Every Reference.reference inside ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def of_code(resources: list[Resource], code: str) -> list[Resource]:
    """The resources whose code has a coding with ``code``."""
    return [
        r for r in resources if any(c["code"] == code for c in r.get("code", {}).get("coding", []))
    ]


def component(resource: Resource, code: str) -> Resource:
    [found] = [c for c in resource["component"] if c["code"]["coding"][0]["code"] == code]
    return found
