"""The check-in page's form, filled in as a client would, and helpers to reach it."""

from __future__ import annotations

from urllib.parse import urlsplit

GOOD_FORM = {
    "location.country": "US",
    "location.subdivision": "CA",
    "location.locality": "Oakland",
    "location.address": "1200 Lakeshore Ave",
    "location.place_type": "home",
    "privacy.private_space": "yes",
    "privacy.can_speak_freely": "yes",
    "privacy.headphones": "yes",
    "others_present.any": "yes",
    "others_present.0.relationship": "partner",
    "others_present.0.minor": "no",
    "others_present.0.client_consents_to_hear": "yes",
    "backup.callback_phone": "+1 510 555 0123",
    "backup.emergency_contact.name": "Alex Client",
    "backup.emergency_contact.relationship": "sibling",
    "backup.emergency_contact.phone": "+14155550188",
    "readiness.good_time_to_proceed": "yes",
    "readiness.driving": "no",
}


def new_link(practice, session: str, **body: object) -> str:  # type: ignore[no-untyped-def]
    """The path of a fresh link (`/c/<token>`)."""
    response = practice.post(f"/v1/sessions/{session}/checkin-links", body)
    assert response.status_code == 201, response.get_json()
    return urlsplit(response.get_json()["url"]).path
