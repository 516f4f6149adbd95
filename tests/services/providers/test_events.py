"""The normalised event and the inbound request."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teleframe.services.providers import (
    KINDS,
    LEAVE_REASONS,
    MODALITY_REASONS,
    PROVIDERS,
    Event,
    InboundRequest,
    PayloadInvalid,
)

times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
# ids and reasons are stored in text columns: no control characters or lone surrogates
STORABLE = st.characters(exclude_categories=("Cc", "Cs"))
events = st.builds(
    Event,
    kind=st.sampled_from(sorted(KINDS - {"participant.left", "modality.changed"})),
    occurred_at=times,
    provider=st.sampled_from(sorted(PROVIDERS)),
    dedupe_key=st.text(min_size=1, max_size=40),
    participant_key=st.none() | st.text(STORABLE, max_size=40),
    role=st.sampled_from([None, "client", "clinician"]),
    reason=st.none() | st.sampled_from(sorted(LEAVE_REASONS | MODALITY_REASONS)),
    modality=st.sampled_from([None, "video", "audio_only", "phone"]),
    connection_key=st.none() | st.text(STORABLE, max_size=20),
    received_at=st.none() | times,
)


@given(events)
def test_events_round_trip_through_json(event: Event) -> None:
    assert Event.from_dict(json.loads(json.dumps(event.to_dict()))) == event


def test_times_are_rfc3339_in_utc() -> None:
    local = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=-8)))
    event = Event("session.started", local, "zoom", "k")
    assert event.to_dict()["occurred_at"] == "2026-12-01T17:30:00Z"
    assert event.occurred_at.tzinfo is UTC


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "participant.teleported"},
        {"occurred_at": datetime(2026, 12, 1, 17, 30)},
        {"role": "patient"},
        {"kind": "participant.left", "reason": "bored"},
        {"kind": "modality.changed"},
        {"dedupe_key": ""},
    ],
)
def test_invalid_events_are_refused(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "kind": "session.started",
        "occurred_at": datetime(2026, 12, 1, tzinfo=UTC),
        "provider": "zoom",
        "dedupe_key": "k",
        **changes,
    }
    with pytest.raises(PayloadInvalid):
        Event(**fields)  # type: ignore[arg-type]


def test_a_leave_without_a_reason_has_an_unknown_reason() -> None:
    event = Event("participant.left", datetime(2026, 12, 1, tzinfo=UTC), "report", "k")
    assert event.reason == "unknown"


def test_request_headers_are_case_insensitive() -> None:
    request = InboundRequest("https://t.example/h", {"X-Zm-Signature": "v0=ab"}, b"{}")
    assert request.header("x-zm-signature") == request.header("X-ZM-SIGNATURE") == "v0=ab"


def test_every_provider_is_registered_under_its_name() -> None:
    assert sorted(PROVIDERS) == ["daily", "standard", "twilio", "zoom"]
    assert all(provider.name == name for name, provider in PROVIDERS.items())


@pytest.mark.parametrize("bad", ["a\x00b", "tab\there", "\ud800"])
def test_control_characters_and_lone_surrogates_are_refused(bad: str) -> None:
    from teleframe.services.providers import PayloadInvalid

    with pytest.raises(PayloadInvalid):
        Event(
            kind="participant.left",
            occurred_at=datetime(2026, 12, 1, tzinfo=UTC),
            provider="report",
            dedupe_key="k",
            participant_key=bad,
        )
