"""Daily: signature over `timestamp.body`, the creation ping, normalisation and keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from teleframe.services.providers import PROVIDERS, InboundRequest, SignatureInvalid

from . import signing

daily = PROVIDERS["daily"]


def signed(path: str) -> InboundRequest:
    return signing.daily(signing.fixture(path), timestamp=1796145020)


def test_a_millisecond_timestamp_header_is_accepted() -> None:
    request = signing.daily(signing.fixture("daily/participant_left.json"), timestamp=1796145020123)
    daily.verify(request, signing.DAILY_SECRET, now=datetime.fromtimestamp(1796145021, UTC))


def test_a_secret_that_is_not_base64_is_refused_with_a_reason() -> None:
    with pytest.raises(SignatureInvalid, match="not base64"):
        daily.verify(signed("daily/participant_left.json"), "not base64!", now=datetime.now(UTC))


def test_the_unsigned_creation_ping_gets_a_200_answer_and_events_do_not() -> None:
    ping = InboundRequest(
        "https://t.example/hooks/daily/1", {}, signing.fixture("daily/verification_test.json")
    )
    assert daily.challenge_response(ping, signing.DAILY_SECRET) == {"ok": True}
    assert (
        daily.challenge_response(signed("daily/participant_left.json"), signing.DAILY_SECRET)
        is None
    )


def test_a_leave_happens_at_join_time_plus_duration() -> None:
    [left] = daily.normalize(signed("daily/participant_left.json"))
    joined_at = datetime.fromtimestamp(1796144470.112, UTC)
    assert left.kind == "participant.left"
    assert abs(left.occurred_at - (joined_at + timedelta(seconds=530.888))) < timedelta(
        milliseconds=1
    )
    assert left.reason == "unknown"


def test_participants_are_pseudonymous_and_the_owner_is_the_clinician() -> None:
    [client] = daily.normalize(signed("daily/participant_joined.json"))
    [left] = daily.normalize(signed("daily/participant_left.json"))
    [owner] = daily.normalize(signed("daily/participant_joined_owner.json"))
    assert client.participant_key == left.participant_key
    assert client.connection_key == "16168c97-f973-4eae-9642-b8b3b5a1e1e1"
    assert (client.role, owner.role) == (None, "clinician")
    rendered = json.dumps([e.to_dict() for e in (client, left, owner)])
    assert "client-4411" not in rendered and "Sam" not in rendered and "Dana" not in rendered


def test_meeting_lifecycle_room_and_dedupe_key() -> None:
    [started] = daily.normalize(signed("daily/meeting_started.json"))
    [ended] = daily.normalize(signed("daily/meeting_ended.json"))
    assert started.occurred_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert ended.kind == "session.ended"
    request = signed("daily/participant_left.json")
    assert daily.room_id(request) == "session-appt-981"
    key = daily.dedupe_key(request)
    assert key == "daily:ptcpt-left-16168c97-f973-4eae-9642-b8b3b5a1e1e1-1796145001"
    assert daily.normalize(request)[0].dedupe_key == key


def test_other_event_types_normalise_to_nothing() -> None:
    body = b'{"version":"1.0.0","type":"recording.started","id":"rec-1","payload":{},"event_ts":1}'
    assert daily.normalize(signing.daily(body, timestamp=1)) == []
