"""Signed payloads a hostile or broken platform may send: each is refused as `PayloadInvalid`
(parked by the worker with the field's name), never another exception or a value the database
cannot hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from teleframe.services.parking import reason
from teleframe.services.providers import PROVIDERS, InboundRequest, PayloadInvalid

from . import signing


def _zoom(edit: Any) -> InboundRequest:
    data = json.loads(signing.fixture("zoom/participant_left_network.json"))
    edit(data)
    return signing.zoom(json.dumps(data).encode(), timestamp=1796134202)


def _daily(edit: Any) -> InboundRequest:
    data = json.loads(signing.fixture("daily/participant_left.json"))
    edit(data)
    return signing.daily(json.dumps(data).encode(), timestamp=1796145020)


def _standard(edit: Any) -> InboundRequest:
    data = json.loads(signing.fixture("standard/participant_left.json"))
    edit(data)
    return signing.standard(json.dumps(data).encode(), timestamp=1796145020)


def _participant(data: dict[str, Any]) -> dict[str, Any]:
    participant: dict[str, Any] = data["payload"]["object"]["participant"]
    return participant


def _zoom_event_ts(data: dict[str, Any]) -> None:
    _participant(data)["leave_time"] = ""  # so the time falls back to event_ts
    data["event_ts"] = "zzz"


POISON = {
    "zoom event_ts zzz": ("zoom", _zoom(_zoom_event_ts), "event_ts"),
    "zoom 300-character participant_uuid": (
        "zoom",
        _zoom(lambda d: _participant(d).update(participant_uuid="u" * 300)),
        "participant_key",
    ),
    "zoom meeting id with NUL": (
        "zoom",
        _zoom(lambda d: d["payload"]["object"].update(id="864\x0031910364")),
        "room_id",
    ),
    "daily NaN duration": (
        "daily",
        signing.daily(
            signing.fixture("daily/participant_left.json").replace(b"530.888", b"NaN"),
            timestamp=1796145020,
        ),
        None,  # NaN is not JSON: the body itself is unreadable
    ),
    "daily huge duration": (
        "daily",
        _daily(lambda d: d["payload"].update(duration=1e300)),
        "duration",
    ),
    "daily negative duration": (
        "daily",
        _daily(lambda d: d["payload"].update(duration=-5)),
        "duration",
    ),
    "daily joined in the year 2255": (
        "daily",
        _daily(lambda d: d["payload"].update(joined_at=9e9, duration=1)),
        "joined_at",
    ),
    "standard room_id with NUL": (
        "standard",
        _standard(lambda d: d["data"].update(room_id="appt-\x00981")),
        "room_id",
    ),
    "standard 201-character room_id": (
        "standard",
        _standard(lambda d: d["data"].update(room_id="r" * 201)),
        "room_id",
    ),
}


@pytest.mark.parametrize("name", sorted(POISON))
def test_poison_payloads_are_refused_as_invalid_with_the_field_named(name: str) -> None:
    provider, request, field = POISON[name]
    with pytest.raises(PayloadInvalid) as caught:
        PROVIDERS[provider].normalize(request)
    if field is not None:
        assert field in caught.value.errors
        assert reason(caught.value) == f"PayloadInvalid:{field}"


@pytest.mark.parametrize("name", ["standard room_id with NUL", "zoom meeting id with NUL"])
def test_the_edge_stores_no_room_id_it_could_not_hold(name: str) -> None:
    provider, request, _ = POISON[name]
    assert PROVIDERS[provider].room_id(request) is None


def test_a_reason_names_the_field_never_the_value() -> None:
    _, request, _ = POISON["zoom 300-character participant_uuid"]
    with pytest.raises(PayloadInvalid) as caught:
        PROVIDERS["zoom"].normalize(request)
    assert "uuu" not in reason(caught.value)
    assert reason(ValueError("Sam Client +15105550123")) == "ValueError"
