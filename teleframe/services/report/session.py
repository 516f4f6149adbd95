"""The session, the people in it and the check-in it was framed by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teleframe.services.report.values import as_mapping, minutes_between, pick


def session(session: Mapping[str, Any], continuity: Mapping[str, Any] | None) -> dict[str, Any]:
    cont = as_mapping(continuity)
    video = session.get("video")
    return {
        "id": session.get("id"),
        "status": session.get("status"),
        "external_ref": session.get("external_ref"),
        "video": pick(video, ("provider", "room_id")),
        "scheduled_start": session.get("scheduled_start"),
        "scheduled_end": session.get("scheduled_end"),
        "scheduled_minutes": minutes_between(
            session.get("scheduled_start"), session.get("scheduled_end")
        ),
        "actual_start": cont.get("started_at"),
        "actual_end": cont.get("ended_at"),
        "actual_minutes": minutes_between(cont.get("started_at"), cont.get("ended_at")),
        "effective_contact_minutes": cont.get("effective_contact_minutes"),
        "modality_segments": [
            {
                "modality": seg.get("modality"),
                "start_at": seg.get("start_at"),
                "end_at": seg.get("end_at"),
                "minutes": minutes_between(seg.get("start_at"), seg.get("end_at")),
                "reason": seg.get("reason"),
            }
            for seg in cont.get("modality_segments") or ()
        ],
    }


def clinician(clinician: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": clinician.get("id"),
        "name": clinician.get("name"),
        "home_jurisdiction": clinician.get("home_jurisdiction"),
        "licenses": [
            pick(lic, ("jurisdiction", "kind", "profession", "compact", "number", "expires_on"))
            for lic in clinician.get("licenses") or ()
        ],
        "compacts": list(clinician.get("compacts") or ()),
    }


def client(client: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": client.get("id"),
        "display_name": client.get("display_name"),
        "date_of_birth": client.get("date_of_birth"),
        "minor": facts.get("minor_client"),
    }


def checkin_ref(checkin: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if checkin is None:
        return None
    return {"id": checkin.get("id"), "submitted_at": checkin.get("submitted_at")}
