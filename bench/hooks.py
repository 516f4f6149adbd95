"""Hook ingest: signed Zoom events against `POST /hooks/zoom/<integration_id>`.

The row runs once teleframe has the route and `POST /v1/integrations`; until then
`missing_reason` says why it is skipped. Nothing else needs changing to enable it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

HOOK_PREFIX = "/hooks/"
INTEGRATIONS = "/v1/integrations"


def missing_reason(app: Flask) -> str | None:
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    if not any(rule.startswith(HOOK_PREFIX) for rule in rules):
        return "teleframe has no POST /hooks/<provider>/<integration_id> route yet"
    if INTEGRATIONS not in rules:
        return "teleframe has no POST /v1/integrations yet (needed for the signing secret)"
    return None


def create_integration(http: Any, headers: dict[str, str]) -> dict[str, str]:
    secret = secrets.token_urlsafe(24)
    response = http.post(INTEGRATIONS, json={"provider": "zoom", "secret": secret}, headers=headers)
    if response.status_code not in (200, 201):
        raise RuntimeError(
            f"{INTEGRATIONS}: {response.status_code} {response.get_data(as_text=True)}"
        )
    return {"id": str(response.get_json()["id"]), "secret": secret}


def sign(secret: str, timestamp: str, body: str) -> str:
    message = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _event(room_id: str, index: int, at: datetime) -> dict[str, Any]:
    started = at - timedelta(minutes=5)
    event = "meeting.participant_joined" if index % 2 == 0 else "meeting.participant_left"
    participant: dict[str, Any] = {
        "user_id": str(16_000_000 + index),
        "user_name": "Participant",
        "participant_uuid": str(uuid.UUID(int=index + 1)),
        "id": f"p{index % 3}",
    }
    moment = (at + timedelta(milliseconds=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if event.endswith("joined"):
        participant["join_time"] = moment
    else:
        participant["leave_time"] = moment
        participant["leave_reason"] = "left the meeting. Reason : got disconnected"
    return {
        "event": event,
        "event_ts": int(at.timestamp() * 1000) + index,
        "payload": {
            "account_id": "PX5yQAcnT5azdXF5ma2Apw",
            "object": {
                "uuid": f"bench-{room_id}==",
                "id": room_id,
                "host_id": "tUo7WohjTs6ELvl9WR3JAA",
                "topic": "Session",
                "type": 2,
                "start_time": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "participant": participant,
            },
        },
    }


def zoom_requests(
    integration: dict[str, str], room_ids: list[str], count: int, path_prefix: str = "/hooks/zoom/"
) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """Signed, distinct events (each a new dedupe key); signed now, so run within minutes."""
    timestamp = str(int(time.time()))
    now = datetime.now(UTC)
    path = f"{path_prefix}{integration['id']}"
    requests, headers = [], []
    for i in range(count):
        body = json.dumps(_event(room_ids[i % len(room_ids)], i, now), separators=(",", ":"))
        requests.append((path, body))
        headers.append({
            "Content-Type": "application/json; charset=utf-8",
            "x-zm-request-timestamp": timestamp,
            "x-zm-signature": sign(integration["secret"], timestamp, body),
            "x-zm-trackingid": f"bench-{i}",
        })  # fmt: skip
    return requests, headers
