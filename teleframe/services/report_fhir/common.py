"""What every part of the FHIR bundle shares: code systems, stable references, the
published Questionnaire."""

from __future__ import annotations

import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

QUESTIONNAIRE_FILE = ("fhir", "frame-checkin-questionnaire.json")
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SNOMED = "http://snomed.info/sct"
POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
ENCOUNTER_STATUS = {
    "scheduled": "planned",
    "checked_in": "arrived",
    "in_progress": "in-progress",
    "ended": "finished",
    "report_signed": "finished",
    "cancelled": "cancelled",
}
MODALITY_TYPES = {
    "video": ("453131000124105", "Videotelephony encounter"),
    "audio_only": ("185317003", "Telephone encounter"),
    "phone": ("185317003", "Telephone encounter"),
}
NAMESPACE = uuid.UUID("5d0f3c1e-8a4b-4f51-9b63-2f1e7c9a0d42")


@cache
def questionnaire() -> dict[str, Any]:
    """The published check-in Questionnaire shipped in config/fhir."""
    path = resources.files("config").joinpath(*QUESTIONNAIRE_FILE)
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def questionnaire_canonical() -> str:
    q = questionnaire()
    return f"{q['url']}|{q['version']}"


class References:
    """Stable urn:uuid full URLs, so the same report always gives the same bundle."""

    def __init__(self, session_id: str) -> None:
        for name in ("patient", "practitioner", "location", "encounter", "response", "provenance"):
            setattr(self, name, f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{session_id}/{name}')}")

    def addendum(self, number: int) -> str:
        return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{self.patient}/addendum/{number}')}"

    patient: str
    practitioner: str
    location: str
    encounter: str
    response: str
    provenance: str


def system(kind: str) -> str:
    base = questionnaire()["url"].rsplit("/Questionnaire/", 1)[0]
    return f"{base}/sid/{kind}"


def compact(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v not in (None, "", [], {})}
