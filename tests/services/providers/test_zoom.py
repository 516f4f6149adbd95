"""Zoom: the documented signature and URL-validation vectors, dedupe keys and normalisation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from teleframe.services.providers import (
    PROVIDERS,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
)
from teleframe.services.providers.zoom import leave_reason

from . import signing

zoom = PROVIDERS["zoom"]


def signed(path: str) -> InboundRequest:
    return signing.zoom(signing.fixture(path), timestamp=1796144523)


def test_zoom_documented_signature_vector_verifies() -> None:
    body = b'{"event":"meeting.started","event_ts":1654503849680,"payload":{}}'
    headers = {
        "x-zm-request-timestamp": "1654503849",
        "x-zm-signature": "v0=87a214ebd2bbd28d3c2e257eb56cb1b85cfda98e5d4e27a2eae015043d4c3263",
    }
    request = InboundRequest("https://teleframe.example/hooks/zoom/1", headers, body)
    zoom.verify(request, "secretValueTest", now=datetime.fromtimestamp(1654503850, UTC))


def test_url_validation_is_answered_with_the_hmac_of_the_plain_token() -> None:
    request = signing.zoom(
        signing.fixture("zoom/url_validation.json"), secret="secretValueTest", timestamp=1654503849
    )
    answer = zoom.challenge_response(request, "secretValueTest")
    assert answer == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": "70c1f2e2e6ca2d39297490d1f9142c7d701415ea8e6151f6562a08fa657a40ff",
    }


def test_an_unsigned_url_validation_gets_no_answer() -> None:
    request = signing.zoom(signing.fixture("zoom/url_validation.json"), timestamp=1654503849)
    with pytest.raises(SignatureInvalid):
        zoom.challenge_response(request, "secretValueTest")
    with pytest.raises(SignatureInvalid, match="missing x-zm-signature"):
        zoom.challenge_response(signing.with_headers(request, x_zm_signature=None), "x")


def test_url_validation_cannot_be_used_to_sign_an_event() -> None:
    """A plainToken shaped like a signed message would turn the answer into a forgery oracle."""
    forged = {"event": "endpoint.url_validation", "payload": {"plainToken": 'v0:1:{"event":"x"}'}}
    request = signing.zoom(json.dumps(forged).encode(), timestamp=1654503849)
    with pytest.raises(SignatureInvalid, match="plainToken"):
        zoom.challenge_response(request, signing.ZOOM_SECRET)


def test_ordinary_events_are_not_challenges() -> None:
    assert zoom.challenge_response(signed("zoom/meeting_started.json"), signing.ZOOM_SECRET) is None


def test_participants_are_keyed_by_participant_uuid_with_the_host_as_clinician() -> None:
    [started, joined] = zoom.normalize(signed("zoom/participant_joined.json"))
    assert started.kind == "session.started"
    assert started.occurred_at == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert joined.kind == "participant.joined"
    assert joined.participant_key == "0C9D8E7F-1A2B-4C3D-9E8F-7A6B5C4D3E2F"
    assert joined.role is None
    assert joined.occurred_at == datetime(2026, 12, 1, 14, 1, tzinfo=UTC)
    scenario = json.loads(signing.fixture("zoom/session_drop_rejoin_phone.json"))
    host_body = json.dumps(scenario["deliveries"][2]["body"]).encode()
    host = zoom.normalize(signing.zoom(host_body, timestamp=1))[-1]
    assert host.role == "clinician"


def test_normalised_zoom_events_carry_no_names_emails_phones_or_addresses() -> None:
    for path in ("zoom/participant_joined.json", "zoom/participant_left_network.json"):
        rendered = json.dumps([e.to_dict() for e in zoom.normalize(signed(path))])
        for phi in ("Sam", "Client", "example.test", "+1510", "198.51.100.7", "16779264"):
            assert phi not in rendered


def test_a_network_disconnect_is_a_drop() -> None:
    [_, left] = zoom.normalize(signed("zoom/participant_left_network.json"))
    assert (left.kind, left.reason) == ("participant.left", "network")


def test_a_move_to_a_breakout_room_is_not_a_leave() -> None:
    kinds = [e.kind for e in zoom.normalize(signed("zoom/participant_left_breakout.json"))]
    assert kinds == ["session.started"]


@pytest.mark.parametrize(
    ("text", "is_host", "expected"),
    [
        ("left the meeting. Reason : left the meeting", False, "client_left"),
        ("Sam got disconnected from the meeting. Reason : Client Close.", False, "network"),
        ("left the meeting. Reason : Network connection error. ", False, "network"),
        ("left the meeting. Reason : Host ended the meeting.", False, "removed"),
        ("left the meeting. Reason : Host ended the meeting.", True, "client_left"),
        ("Removed by host.", False, "removed"),
        ("Unknown reason.", False, "unknown"),
        (None, False, "unknown"),
        ("left the meeting. Reason : left the meeting to join breakout room", False, None),
        (
            "left the meeting. Reason : left the meeting leave breakout room to join main meeting",
            False,
            None,
        ),
    ],
)
def test_leave_reasons_are_matched_on_substrings(
    text: str | None, is_host: bool, expected: str | None
) -> None:
    assert leave_reason(text, is_host=is_host) == expected


def test_dedupe_key_is_composite_and_stable_across_retries() -> None:
    body = json.loads(signing.fixture("zoom/participant_left_network.json"))
    first = signing.zoom(json.dumps(body).encode(), timestamp=1)
    retry = signing.zoom(
        json.dumps({**body, "event_ts": body["event_ts"] + 300_000}).encode(), timestamp=2
    )
    assert zoom.dedupe_key(first) == zoom.dedupe_key(retry)
    assert zoom.dedupe_key(first) == (
        "zoom:meeting.participant_left|hwkAADUySwyG3GyUkqc0vA==|"
        "0C9D8E7F-1A2B-4C3D-9E8F-7A6B5C4D3E2F|2026-12-01T14:10:00Z"
    )
    [_, left] = zoom.normalize(first)
    assert left.dedupe_key == zoom.dedupe_key(first)


def test_a_rejoin_has_its_own_dedupe_key() -> None:
    body = json.loads(signing.fixture("zoom/participant_joined.json"))
    body["payload"]["object"]["participant"]["join_time"] = "2026-12-01T14:11:30Z"
    rejoin = signing.zoom(json.dumps(body).encode(), timestamp=1)
    assert zoom.dedupe_key(rejoin) != zoom.dedupe_key(signed("zoom/participant_joined.json"))


def test_session_start_is_the_same_event_from_any_delivery() -> None:
    [from_started] = zoom.normalize(signed("zoom/meeting_started.json"))
    [from_join, _] = zoom.normalize(signed("zoom/participant_joined.json"))
    assert from_started.dedupe_key == from_join.dedupe_key
    assert zoom.dedupe_key(signed("zoom/meeting_started.json")) == from_started.dedupe_key


def test_meeting_end_and_room_id() -> None:
    request = signed("zoom/meeting_ended.json")
    assert [e.kind for e in zoom.normalize(request)] == ["session.started", "session.ended"]
    assert zoom.normalize(request)[-1].occurred_at == datetime(2026, 12, 1, 14, 50, tzinfo=UTC)
    assert zoom.room_id(request) == "86431910364"


def test_unused_events_normalise_to_nothing() -> None:
    body = b'{"event":"meeting.sharing_started","payload":{"object":{"id":"1"}},"event_ts":1}'
    assert zoom.normalize(signing.zoom(body, timestamp=1)) == []


def test_an_unreadable_body_still_has_a_dedupe_key_but_does_not_normalise() -> None:
    request = signing.zoom(b"not json", timestamp=1)
    assert zoom.dedupe_key(request).startswith("zoom:sha256:")
    assert zoom.room_id(request) is None
    with pytest.raises(PayloadInvalid):
        zoom.normalize(request)
    with pytest.raises(PayloadInvalid):
        zoom.normalize(signing.zoom(b'{"event":"meeting.participant_joined"}', timestamp=1))
