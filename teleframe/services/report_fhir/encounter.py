"""The people, the place and the visit: Patient, Practitioner, Location and Encounter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from teleframe.services.report_fhir.common import (
    ACT_CODE,
    ENCOUNTER_STATUS,
    MODALITY_TYPES,
    POS_SYSTEM,
    SNOMED,
    References,
    compact,
    system,
)


def patient(report: Mapping[str, Any], refs: References) -> dict[str, Any]:
    client = report["client"]
    name = client.get("display_name")
    return compact(
        {
            "resourceType": "Patient",
            "identifier": [{"system": system("client"), "value": str(client["id"])}],
            "name": [{"text": name}] if name else None,
            "birthDate": client.get("date_of_birth"),
        }
    )


def practitioner(report: Mapping[str, Any], refs: References) -> dict[str, Any]:
    clinician = report["clinician"]
    return compact(
        {
            "resourceType": "Practitioner",
            "identifier": [{"system": system("clinician"), "value": str(clinician["id"])}],
            "name": [{"text": clinician["name"]}] if clinician.get("name") else None,
            "qualification": [_qualification(lic) for lic in clinician.get("licenses") or ()],
        }
    )


def _qualification(lic: Mapping[str, Any]) -> dict[str, Any]:
    return compact(
        {
            "identifier": [{"value": lic["number"]}] if lic.get("number") else None,
            "code": {"text": lic.get("kind") or "licence"},
            "period": {"end": lic["expires_on"]} if lic.get("expires_on") else None,
            "issuer": {"display": lic["jurisdiction"]} if lic.get("jurisdiction") else None,
        }
    )


def location(report: Mapping[str, Any]) -> dict[str, Any]:
    loc = report["location"]
    pos = report["billing"]["place_of_service"]
    subdivision = loc.get("subdivision") or ""
    address = compact(
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
    return compact(
        {
            "resourceType": "Location",
            "mode": "instance",
            "description": "Client's location at the time of the session",
            "type": [pos_type] if pos_type else None,
            "address": address,
        }
    )


def encounter(report: Mapping[str, Any], refs: References) -> dict[str, Any]:
    session = report["session"]
    status = ENCOUNTER_STATUS.get(session.get("status") or "", "unknown")
    if session.get("actual_end"):
        status = "finished"
    effective = session.get("effective_contact_minutes")
    return compact(
        {
            "resourceType": "Encounter",
            "identifier": [{"system": system("session"), "value": str(session["id"])}],
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
            "period": compact(
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
        yield {"status": "arrived", "period": compact({"start": arrived, "end": start})}
    if not start:
        return
    cursor = start
    for outage in (report.get("continuity") or {}).get("outages") or ():
        if not outage.get("start_at"):
            continue
        yield {"status": "in-progress", "period": {"start": cursor, "end": outage["start_at"]}}
        yield {
            "status": "onleave",
            "period": compact({"start": outage["start_at"], "end": outage.get("end_at")}),
        }
        cursor = outage.get("end_at") or outage["start_at"]
    yield {"status": "in-progress", "period": compact({"start": cursor, "end": end})}
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
