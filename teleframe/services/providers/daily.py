"""Daily (daily.co) webhooks: `X-Webhook-Signature` over `timestamp.body` with the base64 secret.

The envelope is `{version, type, id, payload, event_ts}`; `id` is the dedupe key. Participants
are keyed by `user_id` (stable when the app sets it in the meeting token, so pseudonymised: it
may be a name or email); `session_id` is one connection. Leaves carry no reason.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any

from teleframe.services.providers import (
    REPLAY_WINDOW,
    Event,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
)
from teleframe.services.providers.payload import (
    body_key,
    bounded_key,
    check_fresh,
    from_epoch,
    hmac_digest,
    number,
    parse_json_object,
    pseudonym,
    require_header,
    room_text,
    same_digest,
    text,
    unix_header_time,
)

NAME = "daily"
KINDS = {
    "meeting.started": "session.started",
    "meeting.ended": "session.ended",
    "participant.joined": "participant.joined",
    "participant.left": "participant.left",
}
MAX_DURATION = 7 * 24 * 3600  # seconds in a call; more is a broken or hostile payload


class DailyProvider:
    name = NAME

    def __init__(self, replay_window: timedelta = REPLAY_WINDOW) -> None:
        self.replay_window = replay_window

    def verify(self, request: InboundRequest, secret: str, *, now: datetime) -> None:
        signature = _b64(require_header(request, "x-webhook-signature"), "X-Webhook-Signature")
        timestamp = require_header(request, "x-webhook-timestamp")
        sent_at = unix_header_time(request, "x-webhook-timestamp")
        message = timestamp.encode() + b"." + request.body
        if not same_digest(hmac_digest(_key(secret), message), signature):
            raise SignatureInvalid("X-Webhook-Signature does not match")
        check_fresh(sent_at, now, self.replay_window, what="X-Webhook-Timestamp")

    def challenge_response(self, request: InboundRequest, secret: str) -> dict[str, Any] | None:
        """Daily checks a new webhook URL with an unsigned test POST that needs only a 200."""
        try:
            data = parse_json_object(request.body)
        except PayloadInvalid:
            return None
        is_event = "type" in data or "payload" in data
        return None if is_event else {"ok": True}

    def dedupe_key(self, request: InboundRequest) -> str:
        try:
            event_id = text(parse_json_object(request.body).get("id"))
        except PayloadInvalid:
            event_id = None
        return bounded_key(NAME, event_id) if event_id else body_key(NAME, request.body)

    def room_id(self, request: InboundRequest) -> str | None:
        try:
            return room_text(_payload(parse_json_object(request.body)).get("room"))
        except PayloadInvalid:
            return None

    def normalize(self, request: InboundRequest) -> list[Event]:
        data = parse_json_object(request.body)
        kind = KINDS.get(str(data.get("type")))
        if kind is None:
            return []
        payload = _payload(data)
        room_text(payload.get("room"))  # refuses an id no session could hold
        return [
            Event(
                kind=kind,
                occurred_at=_occurred_at(kind, payload, data),
                provider=NAME,
                dedupe_key=self.dedupe_key(request),
                participant_key=_participant_key(payload)
                if kind.startswith("participant")
                else None,
                role="clinician" if payload.get("owner") is True else None,
                reason="unknown" if kind == "participant.left" else None,
                connection_key=text(payload.get("session_id")),
            )
        ]


def _b64(value: str, name: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid(f"malformed {name} header") from None


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("the integration's Daily secret is not base64") from None


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise PayloadInvalid("payload is missing", {"payload": "required"})
    return payload


def _participant_key(payload: dict[str, Any]) -> str | None:
    user_id = text(payload.get("user_id"))
    return pseudonym(user_id) if user_id else text(payload.get("session_id"))


def _occurred_at(kind: str, payload: dict[str, Any], data: dict[str, Any]) -> datetime:
    """Occurrence time; a leave is `joined_at + duration`. `event_ts` (send time) is a fallback."""
    left = kind == "participant.left" and payload.get("joined_at") is not None
    if left and payload.get("duration") is not None:
        duration = number(payload["duration"], "duration", low=0, high=MAX_DURATION)
        return from_epoch(payload["joined_at"], "joined_at") + timedelta(seconds=duration)
    moment = {
        "session.started": "start_ts",
        "session.ended": "end_ts",
        "participant.joined": "joined_at",
    }.get(kind)
    value = payload.get(moment) if moment else None
    if value is None:
        value = data.get("event_ts")
    if value is None:
        raise PayloadInvalid("event time is missing", {"payload": "no occurrence time"})
    return from_epoch(value, "event_ts")
