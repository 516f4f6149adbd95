"""Zoom Meetings webhooks: `x-zm-signature` (v0, HMAC-SHA256) and the URL-validation handshake.

Zoom sends no event id, so the dedupe key is composite: event, meeting instance `uuid`, the
participant's `participant_uuid` (else `user_id`) and the occurrence time (else `event_ts`).
Participants are keyed by `participant_uuid`; `user_id` changes on every reconnection.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from teleframe.services.providers import (
    REPLAY_WINDOW,
    Event,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
    parse_time,
)
from teleframe.services.providers.payload import (
    body_key,
    bounded_key,
    check_fresh,
    from_epoch,
    hmac_digest,
    number,
    parse_json_object,
    require_header,
    room_text,
    same_digest,
    text,
    unix_header_time,
)

NAME = "zoom"
PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_\-]{1,128}")
PARTICIPANT_EVENTS = {
    "meeting.participant_joined": ("participant.joined", "join_time"),
    "meeting.participant_left": ("participant.left", "leave_time"),
}
EVENTS = frozenset({"meeting.started", "meeting.ended", *PARTICIPANT_EVENTS})
MAX_EPOCH_MILLIS = 1e15  # year 33658: beyond it a Unix time in milliseconds is garbage
# Free text, matched on substrings in this order (Zoom's own list plus strings seen in webhooks).
NOT_A_LEAVE = ("breakout room", "join main meeting")
HOST_ENDED = ("host ended", "host closed", "host started a new meeting", "free meeting minutes")
DISCONNECTED = ("got disconnected", "network", "connection error", "client close")


class ZoomProvider:
    name = NAME

    def __init__(self, replay_window: timedelta = REPLAY_WINDOW) -> None:
        self.replay_window = replay_window

    def verify(self, request: InboundRequest, secret: str, *, now: datetime) -> None:
        sent_at = unix_header_time(request, "x-zm-request-timestamp")
        self._check_signature(request, secret)
        check_fresh(sent_at, now, self.replay_window, what="x-zm-request-timestamp")

    def challenge_response(self, request: InboundRequest, secret: str) -> dict[str, Any] | None:
        """Answer `endpoint.url_validation`; refuses an unsigned one, so it is never an oracle."""
        try:
            data = parse_json_object(request.body)
        except PayloadInvalid:
            return None
        if data.get("event") != "endpoint.url_validation":
            return None
        self._check_signature(request, secret)
        payload = data.get("payload")
        token = payload.get("plainToken") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not PLAIN_TOKEN.fullmatch(token):
            raise SignatureInvalid("malformed plainToken in url_validation")
        encrypted = hmac_digest(secret.encode(), token.encode()).hex()
        return {"plainToken": token, "encryptedToken": encrypted}

    def dedupe_key(self, request: InboundRequest) -> str:
        try:
            data = parse_json_object(request.body)
            return _event_key(data, str(data.get("event", "")))
        except (PayloadInvalid, AttributeError):
            return body_key(NAME, request.body)

    def room_id(self, request: InboundRequest) -> str | None:
        try:
            return room_text(_object(parse_json_object(request.body)).get("id"))
        except PayloadInvalid:
            return None

    def normalize(self, request: InboundRequest) -> list[Event]:
        data = parse_json_object(request.body)
        event = data.get("event")
        if event in EVENTS:
            room_text(_object(data).get("id"))  # refuses an id no session could hold
        if event == "meeting.started":
            return _started(data)
        if event == "meeting.ended":
            return [*_started(data), _ended(data)]
        if event in PARTICIPANT_EVENTS:
            return [*_started(data), *_participant(data, str(event))]
        return []

    def _check_signature(self, request: InboundRequest, secret: str) -> None:
        signature = require_header(request, "x-zm-signature")
        timestamp = require_header(request, "x-zm-request-timestamp")
        given = _hex_after(signature, "v0=")
        message = b"v0:" + timestamp.encode() + b":" + request.body
        if not same_digest(hmac_digest(secret.encode(), message), given):
            raise SignatureInvalid("x-zm-signature does not match")


def _hex_after(signature: str, prefix: str) -> bytes:
    if not signature.startswith(prefix):
        raise SignatureInvalid("malformed x-zm-signature header")
    try:
        return bytes.fromhex(signature[len(prefix) :])
    except ValueError:
        raise SignatureInvalid("malformed x-zm-signature header") from None


def _object(data: dict[str, Any]) -> dict[str, Any]:
    payload = data.get("payload")
    obj = payload.get("object") if isinstance(payload, dict) else None
    if not isinstance(obj, dict):
        raise PayloadInvalid("payload.object is missing", {"payload.object": "required"})
    return obj


def _participant_dict(obj: dict[str, Any]) -> dict[str, Any]:
    participant = obj.get("participant")
    if not isinstance(participant, dict):
        raise PayloadInvalid("payload.object.participant is missing")
    return participant


def _participant_key(participant: dict[str, Any]) -> str | None:
    for name in ("participant_uuid", "participant_user_id", "id", "user_id"):
        if value := text(participant.get(name)):
            return value
    return None


def _event_key(data: dict[str, Any], event: str) -> str:
    obj = _object(data)
    uuid = text(obj.get("uuid")) or text(obj.get("id"))
    if event in PARTICIPANT_EVENTS:
        participant = _participant_dict(obj)
        who = text(participant.get("participant_uuid")) or text(participant.get("user_id"))
        who = who or text(participant.get("id"))
        at = text(participant.get(PARTICIPANT_EVENTS[event][1]))
        return bounded_key(NAME, event, uuid, who, at or data.get("event_ts"))
    at = {"meeting.started": "start_time", "meeting.ended": "end_time"}.get(event)
    moment = text(obj.get(at)) if at else None
    return bounded_key(NAME, event, uuid, None, moment or data.get("event_ts"))


def _time(value: object, data: dict[str, Any], field_name: str) -> datetime:
    if text(value):
        return parse_time(value, field_name)
    if data.get("event_ts") is None:
        raise PayloadInvalid(f"{field_name} is missing", {field_name: "required"})
    millis = number(data["event_ts"], "event_ts", low=0, high=MAX_EPOCH_MILLIS)
    return from_epoch(millis / 1000, "event_ts")


def _started(data: dict[str, Any]) -> list[Event]:
    """Every meeting and participant event carries the instance's start_time; use it."""
    obj = _object(data)
    start = text(obj.get("start_time"))
    if data.get("event") != "meeting.started" and not start:
        return []
    started = {**data, "event": "meeting.started"}
    return [
        Event(
            kind="session.started",
            occurred_at=_time(start, data, "start_time"),
            provider=NAME,
            dedupe_key=_event_key(started, "meeting.started"),
        )
    ]


def _ended(data: dict[str, Any]) -> Event:
    obj = _object(data)
    return Event(
        kind="session.ended",
        occurred_at=_time(obj.get("end_time"), data, "end_time"),
        provider=NAME,
        dedupe_key=_event_key(data, "meeting.ended"),
    )


def _participant(data: dict[str, Any], event: str) -> list[Event]:
    obj = _object(data)
    participant = _participant_dict(obj)
    kind, time_field = PARTICIPANT_EVENTS[event]
    reason = None
    is_host = _is_host(obj, participant)
    if kind == "participant.left":
        reason = leave_reason(participant.get("leave_reason"), is_host=is_host)
        if reason is None:
            return []
    return [
        Event(
            kind=kind,
            occurred_at=_time(participant.get(time_field), data, time_field),
            provider=NAME,
            dedupe_key=_event_key(data, event),
            participant_key=_participant_key(participant),
            role="clinician" if is_host else None,
            reason=reason,
        )
    ]


def _is_host(obj: dict[str, Any], participant: dict[str, Any]) -> bool:
    host = text(obj.get("host_id"))
    ids = {text(participant.get("id")), text(participant.get("participant_user_id"))}
    return host is not None and host in ids


def leave_reason(value: object, *, is_host: bool = False) -> str | None:
    """Map Zoom's free-text `leave_reason`; None for a breakout move, which is not a leave."""
    words = str(value or "").lower()
    if any(marker in words for marker in NOT_A_LEAVE):
        return None
    if "removed by host" in words:
        return "removed"
    if any(marker in words for marker in HOST_ENDED):
        return "client_left" if is_host else "removed"
    if any(marker in words for marker in DISCONNECTED):
        return "network"
    if "left the meeting" in words:
        return "client_left"
    return "unknown"
