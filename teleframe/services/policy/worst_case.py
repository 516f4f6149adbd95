"""The costliest check-in the check-in schema lets a client send, for trying custom rules.

Every answer is given, every text is as long as allowed and the one list, others_present, is
at its maximum; tests hold these limits to the API's CheckInCreateSchema.
"""

from __future__ import annotations

from typing import Any

MAX_OTHERS_PRESENT = 20
TEXT_LIMITS = {"locality": 200, "address": 300, "relationship": 100, "name": 200}


def _text(field: str) -> str:
    return "x" * TEXT_LIMITS[field]


WORST_CASE_CHECKIN: dict[str, Any] = {
    "location": {
        "country": "US",
        "subdivision": "US-CA",
        "locality": _text("locality"),
        "address": _text("address"),
        "place_type": "home",
        "same_as_last_time": True,
    },
    "privacy": {"private_space": True, "can_speak_freely": True, "headphones": True},
    "others_present": [
        {"relationship": _text("relationship"), "minor": True, "client_consents_to_hear": True}
        for _ in range(MAX_OTHERS_PRESENT)
    ],
    "backup": {
        "callback_phone": "+15105550123",
        "emergency_contact": {
            "name": _text("name"),
            "relationship": _text("relationship"),
            "phone": "+14155550188",
        },
    },
    "readiness": {"good_time_to_proceed": True, "not_driving": True, "identity_confirmed": True},
}
