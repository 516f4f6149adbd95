"""The check-in of DESIGN.md's example: all clear under the default policy.

Shared by the tests and the benchmark, so both send the same realistic body.
"""

from __future__ import annotations

from typing import Any

GOOD_CHECKIN: dict[str, Any] = {
    "location": {
        "country": "US",
        "subdivision": "US-CA",
        "locality": "Oakland",
        "address": "1200 Lakeshore Ave",
        "place_type": "home",
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
    "readiness": {"good_time_to_proceed": True, "not_driving": True},
}
