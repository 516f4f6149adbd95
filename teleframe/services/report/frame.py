"""The frame around the session: where the client is, who is with them, backup plan, billing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from teleframe.services.report.values import as_mapping, pick

RESOURCE_KEYS = (
    "emergency_number",
    "services",
    "crisis_line",
    "crisis_lines",
    "source",
    "evidence",
    "reviewed",
    "message",
    "crisis_message",
)
POS_DESCRIPTIONS = {
    "02": "Telehealth provided other than in patient's home",
    "10": "Telehealth provided in patient's home",
}


def location(location: Any, facts: Mapping[str, Any]) -> dict[str, Any] | None:
    picked = pick(
        location,
        ("country", "subdivision", "locality", "address", "place_type", "same_as_last_time"),
    )
    if picked is None:
        return None
    picked["jurisdiction"] = facts.get("jurisdiction")
    picked["covered_by"] = facts.get("covered_by")
    return picked


def others_present(others: Any) -> list[dict[str, Any]] | None:
    if not isinstance(others, Sequence) or isinstance(others, str):
        return None
    return [
        {
            "relationship": person.get("relationship"),
            "minor": person.get("minor"),
            "client_consents_to_hear": person.get("client_consents_to_hear"),
        }
        for person in others
        if isinstance(person, Mapping)
    ]


def backup_plan(
    backup: Any, facts: Mapping[str, Any], continuity: Mapping[str, Any] | None
) -> dict[str, Any]:
    backup_map = as_mapping(backup)
    protocol = as_mapping(as_mapping(continuity).get("backup_plan"))
    return {
        "callback_phone": backup_map.get("callback_phone"),
        "emergency_contact": pick(
            backup_map.get("emergency_contact"), ("name", "relationship", "phone")
        ),
        "emergency_resources": _emergency_resources(facts),
        "protocol": {
            "due_at": protocol.get("due_at"),
            "invoked_at": protocol.get("invoked_at"),
            "followed": protocol.get("followed"),
            "reschedule_suggested_at": as_mapping(continuity).get("reschedule_suggested_at"),
        },
    }


def _emergency_resources(facts: Mapping[str, Any]) -> dict[str, Any] | None:
    resources = pick(facts.get("emergency"), RESOURCE_KEYS)
    if resources is not None:
        resources["reviewed_on"] = facts.get("reference_reviewed_on")
    return resources


def billing(facts: Mapping[str, Any], continuity: Mapping[str, Any] | None) -> dict[str, Any]:
    pos = facts.get("place_of_service")
    billing = as_mapping(as_mapping(continuity).get("billing"))
    return {
        "place_of_service": (
            {"code": pos, "description": POS_DESCRIPTIONS.get(str(pos))} if pos else None
        ),
        "modifier": billing.get("modifier"),
        "audio_only_reason": billing.get("audio_only_reason"),
    }
