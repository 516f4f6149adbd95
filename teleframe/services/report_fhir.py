"""A frame report as a FHIR R4 Bundle, validated with fhir.resources' R4B models."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from fhir.resources.R4B.bundle import Bundle

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
_NAMESPACE = uuid.UUID("5d0f3c1e-8a4b-4f51-9b63-2f1e7c9a0d42")


@cache
def questionnaire() -> dict[str, Any]:
    """The published check-in Questionnaire shipped in config/fhir."""
    path = resources.files("config").joinpath(*QUESTIONNAIRE_FILE)
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def questionnaire_canonical() -> str:
    q = questionnaire()
    return f"{q['url']}|{q['version']}"


def to_fhir_bundle(report: Mapping[str, Any]) -> dict[str, Any]:
    """A `collection` Bundle: Patient, Practitioner, Location, Encounter, QuestionnaireResponse,
    and a Provenance for the signature once signed."""
    refs = _References(str(report["session"]["id"]))
    entries = [
        (refs.patient, _patient(report, refs)),
        (refs.practitioner, _practitioner(report, refs)),
    ]
    if report.get("location"):
        entries.append((refs.location, _location(report)))
    entries.append((refs.encounter, _encounter(report, refs)))
    if report.get("checkin"):
        entries.append((refs.response, _questionnaire_response(report, refs)))
    if report["attestation"]["signed"]:
        entries.append((refs.provenance, _provenance(report, refs)))
    for number, entry in enumerate(report.get("addenda") or (), start=1):
        entries.append((refs.addendum(number), _addendum_provenance(report, entry, refs)))
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": _system("frame-report"), "value": str(report["session"]["id"])},
        "type": "collection",
        "timestamp": report["generated_at"],
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
    validated = Bundle.model_validate(bundle)
    result: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return result


class _References:
    """Stable urn:uuid full URLs, so the same report always gives the same bundle."""

    def __init__(self, session_id: str) -> None:
        for name in ("patient", "practitioner", "location", "encounter", "response", "provenance"):
            setattr(self, name, f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{session_id}/{name}')}")

    def addendum(self, number: int) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.patient}/addendum/{number}')}"

    patient: str
    practitioner: str
    location: str
    encounter: str
    response: str
    provenance: str


def _system(kind: str) -> str:
    base = questionnaire()["url"].rsplit("/Questionnaire/", 1)[0]
    return f"{base}/sid/{kind}"


def _compact(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v not in (None, "", [], {})}


def _patient(report: Mapping[str, Any], refs: _References) -> dict[str, Any]:
    client = report["client"]
    name = client.get("display_name")
    return _compact(
        {
            "resourceType": "Patient",
            "identifier": [{"system": _system("client"), "value": str(client["id"])}],
            "name": [{"text": name}] if name else None,
            "birthDate": client.get("date_of_birth"),
        }
    )


def _practitioner(report: Mapping[str, Any], refs: _References) -> dict[str, Any]:
    clinician = report["clinician"]
    return _compact(
        {
            "resourceType": "Practitioner",
            "identifier": [{"system": _system("clinician"), "value": str(clinician["id"])}],
            "name": [{"text": clinician["name"]}] if clinician.get("name") else None,
            "qualification": [_qualification(lic) for lic in clinician.get("licenses") or ()],
        }
    )


def _qualification(lic: Mapping[str, Any]) -> dict[str, Any]:
    return _compact(
        {
            "identifier": [{"value": lic["number"]}] if lic.get("number") else None,
            "code": {"text": lic.get("kind") or "licence"},
            "period": {"end": lic["expires_on"]} if lic.get("expires_on") else None,
            "issuer": {"display": lic["jurisdiction"]} if lic.get("jurisdiction") else None,
        }
    )


def _location(report: Mapping[str, Any]) -> dict[str, Any]:
    loc = report["location"]
    pos = report["billing"]["place_of_service"]
    subdivision = loc.get("subdivision") or ""
    address = _compact(
        {
            "line": [loc["address"]] if loc.get("address") else None,
            "city": loc.get("locality"),
            "state": subdivision.split("-", 1)[-1] or None,
            "country": loc.get("country"),
        }
    )
    pos_type = None
    if pos:  # unknown before the verdict, or when the client gave no place type
        coding = {"system": POS_SYSTEM, "code": pos["code"], "display": pos["description"]}
        pos_type = {"coding": [coding]}
    return _compact(
        {
            "resourceType": "Location",
            "mode": "instance",
            "description": "Client's location at the time of the session",
            "type": [pos_type] if pos_type else None,
            "address": address,
        }
    )


def _encounter(report: Mapping[str, Any], refs: _References) -> dict[str, Any]:
    session = report["session"]
    status = ENCOUNTER_STATUS.get(session.get("status") or "", "unknown")
    if session.get("actual_end"):
        status = "finished"
    effective = session.get("effective_contact_minutes")
    return _compact(
        {
            "resourceType": "Encounter",
            "identifier": [{"system": _system("session"), "value": str(session["id"])}],
            "status": status,
            "statusHistory": list(_status_history(report)),
            "class": {"system": ACT_CODE, "code": "VR", "display": "virtual"},
            "type": _modality_types(session),
            "subject": {"reference": refs.patient},
            "participant": [
                {
                    "type": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                    "code": "PPRF",
                                    "display": "primary performer",
                                }
                            ]
                        }
                    ],
                    "individual": {"reference": refs.practitioner},
                }
            ],
            "period": _compact(
                {
                    "start": session.get("actual_start") or session.get("scheduled_start"),
                    "end": session.get("actual_end") or session.get("scheduled_end"),
                }
            ),
            "length": (
                {
                    "value": effective,
                    "unit": "min",
                    "system": "http://unitsofmeasure.org",
                    "code": "min",
                }
                if effective is not None
                else None
            ),
            "location": (
                [{"location": {"reference": refs.location}}] if report.get("location") else None
            ),
        }
    )


def _status_history(report: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """arrived (check-in to start), in-progress split by onleave for each outage, finished."""
    session, checkin = report["session"], report.get("checkin")
    start, end = session.get("actual_start"), session.get("actual_end")
    arrived = checkin.get("submitted_at") if checkin else None
    # a check-in after the session began is not an arrival: per-1 needs start <= end
    if arrived and (not start or _moment(arrived) <= _moment(start)):
        yield {"status": "arrived", "period": _compact({"start": arrived, "end": start})}
    if not start:
        return
    cursor = start
    for outage in (report.get("continuity") or {}).get("outages") or ():
        if not outage.get("start_at"):
            continue
        yield {"status": "in-progress", "period": {"start": cursor, "end": outage["start_at"]}}
        yield {
            "status": "onleave",
            "period": _compact({"start": outage["start_at"], "end": outage.get("end_at")}),
        }
        cursor = outage.get("end_at") or outage["start_at"]
    yield {"status": "in-progress", "period": _compact({"start": cursor, "end": end})}
    if end:
        yield {"status": "finished", "period": {"start": end}}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _modality_types(session: Mapping[str, Any]) -> list[dict[str, Any]]:
    codes: dict[str, str] = {}
    for segment in session.get("modality_segments") or ():
        code = MODALITY_TYPES.get(segment.get("modality") or "")
        if code:
            codes.setdefault(*code)
    return [{"coding": [{"system": SNOMED, "code": c, "display": d}]} for c, d in codes.items()]


def _questionnaire_response(report: Mapping[str, Any], refs: _References) -> dict[str, Any]:
    checkin = report["checkin"]
    return _compact(
        {
            "resourceType": "QuestionnaireResponse",
            "identifier": {"system": _system("checkin"), "value": str(checkin["id"])},
            "questionnaire": questionnaire_canonical(),
            "status": "completed",
            "subject": {"reference": refs.patient},
            "encounter": {"reference": refs.encounter},
            "authored": checkin.get("submitted_at"),
            "source": {"reference": refs.patient},
            "item": _response_items(report),
        }
    )


def _response_items(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = [
        _group("location", report.get("location"), _location_answers),
        _group("privacy", report.get("privacy"), _boolean_or_string_answers),
    ]
    others = report.get("others_present")
    if others is not None:
        items.append(_answered("others_present.any", {"valueBoolean": bool(others)}))
        items.extend(
            _group("others_present", person, _boolean_or_string_answers) for person in others
        )
    backup = report["backup_plan"]
    items.append(_backup_group(backup))
    items.append(_group("readiness", report.get("readiness"), _boolean_or_string_answers))
    return [item for item in items if item]


def _answered(link_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [answer]}


def _answer(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, str) and value:
        return {"valueString": value}
    return None


def _boolean_or_string_answers(prefix: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, value in values.items():
        answer = _answer(value)
        if answer:
            out.append(_answered(f"{prefix}.{key}", answer))
    return out


def _location_answers(prefix: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    asked = {
        k: values.get(k)
        for k in ("country", "subdivision", "locality", "address", "same_as_last_time")
    }
    out = _boolean_or_string_answers(prefix, asked)
    place = values.get("place_type")
    if place:
        option = _place_option(place)
        answer = {"valueCoding": option} if option else {"valueString": place}
        out.insert(4, _answered(f"{prefix}.place_type", answer))
    return out


def _place_option(code: str) -> dict[str, Any] | None:
    for item in questionnaire()["item"][0]["item"]:
        for option in item.get("answerOption", ()):
            if option["valueCoding"]["code"] == code:
                coding: dict[str, Any] = option["valueCoding"]
                return coding
    return None


def _group(link_id: str, values: Any, answers: Any) -> dict[str, Any] | None:
    if not isinstance(values, Mapping):
        return None
    inner = answers(link_id, values)
    return {"linkId": link_id, "item": inner} if inner else None


def _backup_group(backup: Mapping[str, Any]) -> dict[str, Any] | None:
    inner = _boolean_or_string_answers("backup", {"callback_phone": backup.get("callback_phone")})
    contact = _group(
        "backup.emergency_contact", backup.get("emergency_contact"), _boolean_or_string_answers
    )
    if contact:
        inner.append(contact)
    return {"linkId": "backup", "item": inner} if inner else None


def _provenance(report: Mapping[str, Any], refs: _References) -> dict[str, Any]:
    attestation = report["attestation"]
    practitioner = {"reference": refs.practitioner}
    targets = [{"reference": refs.encounter}]
    if report.get("checkin"):
        targets.append({"reference": refs.response})
    version = report.get("version") or {}
    entity = None
    if version.get("content_hash"):
        entity = [
            {
                "role": "source",
                "what": {
                    "identifier": {
                        "system": _system("report-version"),
                        "value": version["content_hash"],
                    }
                },
            }
        ]
    return _compact(
        {
            "resourceType": "Provenance",
            "target": targets,
            "recorded": attestation["signed_at"],
            "reason": [{"text": attestation["statement"]}],
            "activity": _method(attestation, "Report signed"),
            "agent": [
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                "code": "attester",
                                "display": "Attester",
                            }
                        ]
                    },
                    "who": {**practitioner, "display": _signer_display(attestation)},
                }
            ],
            "entity": entity,
            "signature": [
                {
                    "type": [
                        {
                            "system": "urn:iso-astm:E1762-95:2013",
                            "code": "1.2.840.10065.1.12.1.5",
                            "display": "Verification Signature",
                        }
                    ],
                    "when": attestation["signed_at"],
                    "who": practitioner,
                }
            ],
        }
    )


def _signer_display(attestation: Mapping[str, Any]) -> str:
    signer = attestation.get("signed_by") or attestation.get("author") or {}
    return ", ".join(p for p in (signer.get("name"), signer.get("credentials")) if p)


def _method(entry: Mapping[str, Any], act: str) -> dict[str, Any] | None:
    """How the person proved who they were, in words (FHIR has no code for it)."""
    method = entry.get("method")
    return {"text": f"{act} ({method})"} if method else {"text": act}


def _addendum_provenance(
    report: Mapping[str, Any], entry: Mapping[str, Any], refs: _References
) -> dict[str, Any]:
    """One Provenance per addendum: its author, time and method."""
    author = {"reference": refs.practitioner, "display": _signer_display(entry)}
    return _compact(
        {
            "resourceType": "Provenance",
            "target": [{"reference": refs.encounter}],
            "recorded": entry["written_at"],
            "reason": [{"text": "Addendum to the signed frame report"}],
            "activity": _method(entry, "Addendum written"),
            "agent": [
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                "code": "author",
                                "display": "Author",
                            }
                        ]
                    },
                    "who": author,
                }
            ],
        }
    )
