"""teleframe's own event format, for platforms that sign with Standard Webhooks.

    POST /hooks/standard/{integration_id}
    webhook-id: msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
    webhook-timestamp: 1796144523
    webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body" with the whsec_ key>

    {"type": "participant.left", "timestamp": "2026-12-01T17:12:03Z",
     "data": {"room_id": "86431910364", "participant_key": "p-7f3a", "role": "client",
              "reason": "network", "modality": null}}

`type` is one of the event kinds; `data` fields are optional except `modality` for
`modality.changed`. `participant_key` is an opaque id, never a name, email or phone number.
The dedupe key is the `webhook-id`. The same JSON (without signature headers, with an optional
`id`) is what `POST /v1/sessions/{id}/events` accepts; see `event_from_report`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook

from teleframe.services.providers import (
    KINDS,
    LEAVE_REASONS,
    MAX_KEY_LENGTH,
    MODALITIES,
    REPLAY_WINDOW,
    ROLES,
    Event,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
    body_key,
    bounded_key,
    check_fresh,
    parse_json_object,
    parse_time,
    require_header,
    rfc3339,
    same_digest,
    storable,
    text,
    unix_header_time,
)

NAME = "standard"
REPORTED = "report"
MAX_TEXT = 200
LOOKS_LIKE_PHONE = re.compile(r"\+?[\d\s().\-]{7,}")


class StandardProvider:
    name = NAME

    def __init__(self, replay_window: timedelta = REPLAY_WINDOW) -> None:
        self.replay_window = replay_window

    def verify(self, request: InboundRequest, secret: str, *, now: datetime) -> None:
        """The HMAC is the library's (`Webhook.sign`); `Webhook.verify` itself is not used
        because it reads the wall clock (the replay window could not be checked against `now`)
        and raises ValueError on a malformed signature entry. A property test holds this
        verdict equal to `Webhook.verify`'s."""
        msg_id = require_header(request, "webhook-id")
        signatures = _v1_signatures(require_header(request, "webhook-signature"))
        sent_at = unix_header_time(request, "webhook-timestamp")
        expected = _expected(secret, msg_id, sent_at, request.body)
        if not any(same_digest(expected, given) for given in signatures):
            raise SignatureInvalid("webhook-signature does not match")
        check_fresh(sent_at, now, self.replay_window, what="webhook-timestamp")

    def challenge_response(self, request: InboundRequest, secret: str) -> dict[str, Any] | None:
        return None

    def dedupe_key(self, request: InboundRequest) -> str:
        msg_id = request.header("webhook-id")
        return bounded_key(NAME, msg_id) if msg_id else body_key(NAME, request.body)

    def room_id(self, request: InboundRequest) -> str | None:
        try:
            data = parse_json_object(request.body).get("data")
        except PayloadInvalid:
            return None
        return text(data.get("room_id")) if isinstance(data, dict) else None

    def normalize(self, request: InboundRequest) -> list[Event]:
        envelope = parse_json_object(request.body)
        if envelope.get("type") not in KINDS:
            return []
        return [event_from_payload(envelope, provider=NAME, dedupe_key=self.dedupe_key(request))]


def event_from_report(
    data: Mapping[str, Any], *, received_at: datetime, idempotency_key: str | None = None
) -> Event:
    """An event reported through the API: the webhook JSON shape, `timestamp` defaulting to now.

    The dedupe key comes from `idempotency_key` (e.g. the Idempotency-Key header) or the body's
    `id`, else from a hash of the content; callers scope it to the session when they store it.
    """
    if not isinstance(data, Mapping):
        raise PayloadInvalid("an event is a JSON object")
    given_key = idempotency_key or data.get("id")
    if given_key is not None and (
        not isinstance(given_key, str) or not given_key.strip() or not storable(given_key)
    ):
        message = "a non-empty string without control characters"
        raise PayloadInvalid(f"id must be {message}", {"id": message})
    event = event_from_payload(
        data, provider=REPORTED, dedupe_key="pending", default_time=received_at
    )
    key = bounded_key(REPORTED, given_key) if given_key else _content_key(event)
    return dataclasses.replace(event, dedupe_key=key, received_at=received_at)


def event_from_payload(
    envelope: Mapping[str, Any],
    *,
    provider: str,
    dedupe_key: str,
    default_time: datetime | None = None,
) -> Event:
    errors: dict[str, str] = {}
    kind = envelope.get("type")
    if kind not in KINDS:
        errors["type"] = "one of " + ", ".join(sorted(KINDS))
    occurred_at = _timestamp(envelope.get("timestamp"), default_time, errors)
    data = envelope.get("data")
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        errors["data"] = "an object"
        data = {}
    fields = _data_fields(str(kind), data, errors)
    if errors or occurred_at is None:
        raise PayloadInvalid("the event is not valid", errors)
    return Event(
        kind=str(kind),
        occurred_at=occurred_at,
        provider=provider,
        dedupe_key=dedupe_key,
        **fields,
    )


def _timestamp(value: object, default: datetime | None, errors: dict[str, str]) -> datetime | None:
    if value is None and default is not None:
        return default
    try:
        return parse_time(value, "timestamp")
    except PayloadInvalid:
        errors["timestamp"] = "an RFC 3339 time with an offset"
        return None


def _data_fields(kind: str, data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    participant_key = _opaque_id(data.get("participant_key"), errors)
    role = data.get("role")
    if role is not None and role not in ROLES:
        errors["data.role"] = "client, clinician or null"
    modality = data.get("modality")
    if modality is not None and modality not in MODALITIES:
        errors["data.modality"] = "video, audio_only, phone or null"
    if kind == "modality.changed" and modality is None:
        errors["data.modality"] = "required for modality.changed"
    reason = data.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_TEXT):
        errors["data.reason"] = f"a string of at most {MAX_TEXT} characters"
    if kind == "participant.left" and reason is not None and reason not in LEAVE_REASONS:
        errors["data.reason"] = "network, client_left, removed or unknown"
    return {
        "participant_key": participant_key,
        "role": role,
        "reason": reason,
        "modality": modality,
    }


def _opaque_id(value: object, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_KEY_LENGTH:
        errors["data.participant_key"] = "a non-empty string id"
        return None
    if "@" in value or LOOKS_LIKE_PHONE.fullmatch(value):
        errors["data.participant_key"] = "an opaque id, never an email or phone number"
        return None
    return value


def _content_key(event: Event) -> str:
    content = {
        "type": event.kind,
        "timestamp": rfc3339(event.occurred_at),
        "data": {
            "participant_key": event.participant_key,
            "role": event.role,
            "reason": event.reason,
            "modality": event.modality,
        },
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return f"{REPORTED}:sha256:{hashlib.sha256(canonical.encode()).hexdigest()}"


def _v1_signatures(header: str) -> list[bytes]:
    """Every well-formed `v1,<base64>` entry (several during key rotation; others skipped)."""
    found = []
    for entry in header.split(" "):
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            found.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not found:
        raise SignatureInvalid("malformed webhook-signature header")
    return found


def _expected(secret: str, msg_id: str, sent_at: datetime, body: bytes) -> bytes:
    try:
        webhook = Webhook(secret)
    except Exception:
        raise SignatureInvalid("the integration's secret is not a whsec_ key") from None
    try:
        payload = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SignatureInvalid("body is not UTF-8") from None
    signature = webhook.sign(msg_id=msg_id, timestamp=sent_at, data=payload)
    return base64.b64decode(signature.split(",", 1)[1])
