"""A frame report as a FHIR R4 Bundle, validated with fhir.resources' R4B models."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from teleframe.services.report_fhir.answers import questionnaire_response
from teleframe.services.report_fhir.common import (
    References,
    questionnaire,
    questionnaire_canonical,
    system,
)
from teleframe.services.report_fhir.encounter import encounter, location, patient, practitioner
from teleframe.services.report_fhir.provenance import addendum_provenance, provenance

__all__ = ["questionnaire", "questionnaire_canonical", "to_fhir_bundle"]


def to_fhir_bundle(report: Mapping[str, Any]) -> dict[str, Any]:
    """A `collection` Bundle: Patient, Practitioner, Location, Encounter, QuestionnaireResponse,
    and a Provenance for the signature once signed."""
    refs = References(str(report["session"]["id"]))
    entries = [
        (refs.patient, patient(report, refs)),
        (refs.practitioner, practitioner(report, refs)),
    ]
    if report.get("location"):
        entries.append((refs.location, location(report)))
    entries.append((refs.encounter, encounter(report, refs)))
    if report.get("checkin"):
        entries.append((refs.response, questionnaire_response(report, refs)))
    if report["attestation"]["signed"]:
        entries.append((refs.provenance, provenance(report, refs)))
    for number, entry in enumerate(report.get("addenda") or (), start=1):
        entries.append((refs.addendum(number), addendum_provenance(report, entry, refs)))
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": system("frame-report"), "value": str(report["session"]["id"])},
        "type": "collection",
        "timestamp": report["generated_at"],
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
    validated = Bundle.model_validate(bundle)
    result: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return result
