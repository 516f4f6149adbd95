"""Twilio Video status callbacks: the documented vector, URL forms, normalisation and keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from teleframe.services.providers import PROVIDERS, InboundRequest, SignatureInvalid

from . import signing

twilio = PROVIDERS["twilio"]
NOW = datetime(2026, 12, 1, 17, 10, 5, tzinfo=UTC)


def signed(path: str) -> InboundRequest:
    return signing.twilio(signing.fixture(path))


def test_twilio_documented_vector_verifies() -> None:
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    request = InboundRequest(
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        {"X-Twilio-Signature": "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
        urlencode(params).encode(),
    )
    twilio.verify(request, "12345", now=NOW)
    with pytest.raises(SignatureInvalid):
        twilio.verify(request, "12346", now=NOW)


@pytest.mark.parametrize(
    ("signed_url", "received_url"),
    [
        (
            "https://teleframe.example:443/hooks/twilio/int_7d1c",
            "https://teleframe.example/hooks/twilio/int_7d1c",
        ),
        (
            "https://teleframe.example/hooks/twilio/int_7d1c",
            "https://teleframe.example:443/hooks/twilio/int_7d1c",
        ),
    ],
)
def test_the_url_is_accepted_with_or_without_its_default_port(
    signed_url: str, received_url: str
) -> None:
    request = signing.twilio(
        signing.fixture("twilio/participant_disconnected.form"), url=signed_url
    )
    twilio.verify(
        InboundRequest(received_url, request.headers, request.body), signing.TWILIO_TOKEN, now=NOW
    )


def test_a_different_url_is_refused() -> None:
    request = signed("twilio/participant_disconnected.form")
    moved = InboundRequest(
        "https://teleframe.example/hooks/twilio/int_other", request.headers, request.body
    )
    with pytest.raises(SignatureInvalid, match="does not match"):
        twilio.verify(moved, signing.TWILIO_TOKEN, now=NOW)


def test_a_json_body_is_checked_through_body_sha256() -> None:
    body = b'{"StatusCallbackEvent":"room-created"}'
    url = f"{signing.TWILIO_URL}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    digest = hmac.new(signing.TWILIO_TOKEN.encode(), url.encode(), hashlib.sha1).digest()
    request = InboundRequest(url, {"X-Twilio-Signature": base64.b64encode(digest).decode()}, body)
    twilio.verify(request, signing.TWILIO_TOKEN, now=NOW)
    with pytest.raises(SignatureInvalid, match="bodySHA256"):
        twilio.verify(
            InboundRequest(url, request.headers, body + b" "), signing.TWILIO_TOKEN, now=NOW
        )


def test_a_malformed_timestamp_parameter_is_refused() -> None:
    body = signing.fixture("twilio/participant_connected.form").replace(
        b"2026-12-01T17", b"yesterday"
    )
    with pytest.raises(SignatureInvalid, match="malformed Timestamp"):
        twilio.verify(signing.twilio(body), signing.TWILIO_TOKEN, now=NOW)


def test_participants_are_pseudonymous_identities_with_one_connection_each() -> None:
    [joined] = twilio.normalize(signed("twilio/participant_connected.form"))
    [left] = twilio.normalize(signed("twilio/participant_disconnected.form"))
    assert (joined.kind, left.kind) == ("participant.joined", "participant.left")
    assert joined.participant_key == left.participant_key
    assert "client-4411" not in json.dumps([joined.to_dict(), left.to_dict()])
    assert joined.connection_key == "PA8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
    assert left.reason == "unknown"  # Twilio gives none; the fold infers drops
    assert left.occurred_at == datetime(2026, 12, 1, 17, 10, 3, 907000, tzinfo=UTC)


def test_room_lifecycle_and_ignored_track_events() -> None:
    assert [e.kind for e in twilio.normalize(signed("twilio/room_created.form"))] == [
        "session.started"
    ]
    assert [e.kind for e in twilio.normalize(signed("twilio/room_ended.form"))] == ["session.ended"]
    assert twilio.normalize(signed("twilio/track_added.form")) == []


def test_room_id_is_the_unique_name() -> None:
    assert twilio.room_id(signed("twilio/participant_connected.form")) == "appt-981"
    assert twilio.challenge_response(signed("twilio/room_created.form"), "x") is None


def test_dedupe_key_is_the_documented_composite() -> None:
    request = signed("twilio/participant_disconnected.form")
    assert twilio.dedupe_key(request) == (
        "twilio:RM2f9c1b7e5d3a4c6e8f0a1b2c3d4e5f6a|participant-disconnected|"
        "PA8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e||2026-12-01T17:10:03.907Z"
    )
    [left] = twilio.normalize(request)
    assert left.dedupe_key == twilio.dedupe_key(request)
    reconnect = signing.fixture("twilio/participant_connected.form").replace(b"PA8b", b"PA9c")
    assert twilio.dedupe_key(signing.twilio(reconnect)) != twilio.dedupe_key(
        signed("twilio/participant_connected.form")
    )
