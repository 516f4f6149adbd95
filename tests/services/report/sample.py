"""A fixed session for the report tests and the report benchmark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from teleframe.services.report import ReportInput

START = datetime(2026, 12, 1, 17, 0, 5, tzinfo=UTC)


def _at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


SESSION = {
    "id": "ses_01JD8Q3Z7W",
    "scheduled_start": "2026-12-01T17:00:00Z",
    "scheduled_end": "2026-12-01T17:50:00Z",
    "status": "ended",
    "external_ref": "appt-981",
    "video": {"provider": "zoom", "room_id": "86431910364"},
}
CLINICIAN = {
    "id": "cln_01JD8Q1",
    "name": "Dana Reyes",
    "home_jurisdiction": "US-CA",
    "licenses": [
        {
            "jurisdiction": "US-CA",
            "kind": "LMFT",
            "number": "LMFT-12345",
            "expires_on": "2027-06-30",
        }
    ],
    "compacts": ["PSYPACT"],
}
CLIENT = {"id": "cli_01JD8Q2", "display_name": "Sam Client", "date_of_birth": "1990-04-02"}
CHECKIN_DATA: dict[str, Any] = {
    "location": {
        "country": "US",
        "subdivision": "US-CA",
        "locality": "Oakland",
        "address": "1200 Lakeshore Ave",
        "place_type": "home",
        "same_as_last_time": True,
    },
    "privacy": {"private_space": True, "can_speak_freely": True, "headphones": True},
    "others_present": [
        {"relationship": "partner", "minor": False, "client_consents_to_hear": True}
    ],
    "backup": {
        "callback_phone": "+15105550123",
        "emergency_contact": {
            "name": "Alex Client",
            "relationship": "sibling",
            "phone": "+14155550188",
        },
    },
    "readiness": {"good_time_to_proceed": True, "not_driving": True, "identity_confirmed": True},
}
EVALUATION = {
    "status": "attention",
    "findings": [
        {
            "code": "CUSTOM_RULE",
            "severity": "info",
            "field": "location",
            "message": "Same place as last time.",
            "clinician_message": "Client is at the usual address.",
            "rule": "custom.same_place",
        },
        {
            "code": "CUSTOM_RULE",
            "severity": "warn",
            "field": "others_present[0]",
            "message": "Someone else is with you. Your clinician may check in about this.",
            "clinician_message": "Partner present; confirm privately that the client is comfortable.",
            "rule": "custom.others_present_confirm",
        },
    ],
    "facts": {
        "jurisdiction": "US-CA",
        "covered_by": {"kind": "license", "jurisdiction": "US-CA", "number": "LMFT-12345"},
        "place_of_service": "10",
        "emergency": {
            "emergency_number": "911",
            "crisis_line": "988",
            "source": "us-911-telemedicine, us-988-fcc",
        },
        "reference_reviewed_on": "2026-11-23",
        "minor_client": False,
    },
    "policy_hash": "sha256:" + "ab" * 32,
    "evaluated_at": "2026-12-01T16:52:31Z",
}
CONTINUITY = {
    "started_at": _at(0),
    "ended_at": _at(3000),
    "drops": 1,
    "outages": [{"start_at": _at(1200), "end_at": _at(1380), "seconds": 180, "reason": "network"}],
    "total_outage_seconds": 180,
    "longest_outage_seconds": 180,
    "effective_contact_minutes": 47.0,
    "modality_segments": [
        {"modality": "video", "start_at": _at(0), "end_at": _at(1200), "reason": None},
        {"modality": "phone", "start_at": _at(1380), "end_at": _at(3000), "reason": "not_capable"},
    ],
    "backup_plan": {"due_at": _at(1320), "invoked_at": _at(1350), "followed": True},
    "reschedule_suggested_at": None,
    "billing": {"modifier": "93", "audio_only_reason": "not_capable"},
    "events_after_signature": 0,
    "event_count": 6,
    "summary": "One network drop of 3 minutes; continued by phone.",
}
EVENTS = [
    {
        "kind": "session.started",
        "occurred_at": _at(0),
        "provider": "zoom",
        "participant_key": None,
        "role": None,
        "reason": None,
        "modality": None,
    },
    {
        "kind": "participant.joined",
        "occurred_at": _at(2),
        "provider": "zoom",
        "participant_key": "p1",
        "role": "client",
        "reason": None,
        "modality": None,
    },
    {
        "kind": "participant.left",
        "occurred_at": _at(1200),
        "provider": "zoom",
        "participant_key": "p1",
        "role": "client",
        "reason": "network",
        "modality": None,
    },
    {
        "kind": "backup_plan.invoked",
        "occurred_at": _at(1350),
        "provider": "standard",
        "participant_key": None,
        "role": "clinician",
        "reason": None,
        "modality": None,
    },
    {
        "kind": "modality.changed",
        "occurred_at": _at(1380),
        "provider": "standard",
        "participant_key": None,
        "role": "clinician",
        "reason": "not_capable",
        "modality": "phone",
    },
    {
        "kind": "session.ended",
        "occurred_at": _at(3000),
        "provider": "zoom",
        "participant_key": None,
        "role": None,
        "reason": None,
        "modality": None,
    },
]
GENERATED_AT = "2026-12-01T17:55:00Z"


def sample_input(**changes: Any) -> ReportInput:
    """The fixed session; keyword arguments replace whole fields of the input."""
    fields: dict[str, Any] = {
        "session": SESSION,
        "clinician": CLINICIAN,
        "client": CLIENT,
        "checkin": {
            "id": "chk_01JD8Q4",
            "submitted_at": "2026-12-01T16:52:30Z",
            "data": CHECKIN_DATA,
        },
        "evaluation": EVALUATION,
        "continuity": CONTINUITY,
        "events": EVENTS,
        "generated_at": GENERATED_AT,
    }
    fields.update(changes)
    return ReportInput(**fields)


def many_events(count: int) -> list[dict[str, Any]]:
    """`count` events over a 50-minute session: joins, network drops and degradations."""
    kinds = ("participant.left", "participant.joined", "media.degraded", "participant.joined")
    events = [EVENTS[0]]
    step = 3000 / max(count, 1)
    for i in range(1, count - 1):
        kind = kinds[i % len(kinds)]
        events.append(
            {
                "kind": kind,
                "occurred_at": _at(i * step),
                "provider": "zoom",
                "participant_key": f"p{i % 3}",
                "role": "client" if i % 3 else "clinician",
                "reason": "network" if kind == "participant.left" else None,
                "modality": None,
            }
        )
    events.append(EVENTS[-1])
    return events[:count]
