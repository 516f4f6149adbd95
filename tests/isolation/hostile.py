"""Practice B's poison: signed webhooks no platform should send, each a reproduction of a
batch that once stopped every practice's work."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from tests.hooks.conftest import HookClient
from tests.services.providers import signing

ZOOM_ROOM = "86431910364"


def now() -> int:
    return int(time.time())


def zoom_body(room: str, edit: Callable[[dict[str, Any]], None] | None = None) -> bytes:
    """A participant leave in `room` today, a unique participant each time."""
    data = json.loads(signing.fixture("zoom/participant_left_network.json"))
    obj = data["payload"]["object"]
    obj["id"] = room
    obj["start_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now() - 600))
    obj["participant"]["leave_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now()))
    obj["participant"]["participant_uuid"] = str(uuid.uuid4())
    if edit is not None:
        edit(data)
    return json.dumps(data).encode()


def _event_ts_zzz(data: dict[str, Any]) -> None:
    data["payload"]["object"]["participant"]["leave_time"] = ""
    data["event_ts"] = "zzz"


def _long_uuid(data: dict[str, Any]) -> None:
    data["payload"]["object"]["participant"]["participant_uuid"] = "u" * 300


def zoom_poison(hook: HookClient) -> dict[str, Any]:
    return {
        "zoom event_ts zzz": signing.zoom(zoom_body(ZOOM_ROOM, _event_ts_zzz), timestamp=now()),
        "zoom 300-character participant_uuid": signing.zoom(
            zoom_body(ZOOM_ROOM, _long_uuid), timestamp=now()
        ),
    }


def daily_poison() -> dict[str, Any]:
    body = json.loads(signing.fixture("daily/participant_left.json"))
    body["payload"]["joined_at"] = now() - 60
    nan = json.dumps({**body, "id": str(uuid.uuid4())}).replace(
        '"duration": 530.888', '"duration": NaN'
    )
    huge = json.dumps(
        {**body, "id": str(uuid.uuid4()), "payload": {**body["payload"], "duration": 1e300}}
    )
    return {
        "daily NaN duration": signing.daily(nan.encode(), timestamp=now()),
        "daily huge duration": signing.daily(huge.encode(), timestamp=now()),
    }


def standard_poison(secret: str) -> dict[str, Any]:
    body = json.loads(signing.fixture("standard/participant_left.json"))
    body["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now()))
    body["data"]["room_id"] = "appt-\x00981"
    return {
        "standard room_id with NUL": signing.standard(
            json.dumps(body).encode(),
            secret=secret,
            timestamp=now(),
            msg_id=f"msg_{uuid.uuid4().hex}",
        )
    }


def poison_hooks(practice: Any) -> list[tuple[str, HookClient, Any]]:
    """(name, hook, signed request) for each poison, on practice B's own integrations."""
    zoom = HookClient(practice, "zoom", signing.ZOOM_SECRET)
    daily = HookClient(practice, "daily", signing.DAILY_SECRET)
    standard = HookClient(practice, "standard", signing.STANDARD_SECRET)
    found = [(name, zoom, request) for name, request in zoom_poison(zoom).items()]
    found += [(name, daily, request) for name, request in daily_poison().items()]
    found += [
        (name, standard, request)
        for name, request in standard_poison(signing.STANDARD_SECRET).items()
    ]
    return found
