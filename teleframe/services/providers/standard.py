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
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from standardwebhooks.webhooks import Webhook

from teleframe.services.providers import (
    KINDS,
    REPLAY_WINDOW,
    Event,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
    rfc3339,
    storable,
)
from teleframe.services.providers.event_schema import (
    EventEnvelopeSchema,
    WebhookEventSchema,
    flat_errors,
)
from teleframe.services.providers.payload import (
    body_key,
    bounded_key,
    check_fresh,
    parse_json_object,
    pseudonym,
    require_header,
    room_text,
    same_digest,
    unix_header_time,
)

NAME = "standard"
REPORTED = "report"


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
        try:
            return room_text(data.get("room_id")) if isinstance(data, dict) else None
        except PayloadInvalid:
            return None  # stored without one; the worker parks it when it reads the body

    def normalize(self, request: InboundRequest) -> list[Event]:
        envelope = parse_json_object(request.body)
        if envelope.get("type") not in KINDS:  # another sender's event types: not ours
            return []
        data = envelope.get("data")
        if isinstance(data, Mapping):
            room_text(data.get("room_id"))  # refuses an id no session could hold
        return [event_from_payload(envelope, provider=NAME, dedupe_key=self.dedupe_key(request))]


def event_from_report(
    data: Mapping[str, Any], *, received_at: datetime, idempotency_key: str | None = None
) -> Event:
    """An event reported through the API (already loaded by `EventEnvelopeSchema`, or raw):
    the webhook JSON shape, `timestamp` defaulting to now.

    The dedupe key comes from `idempotency_key` (e.g. the Idempotency-Key header) or the body's
    `id`, else from a hash of the content; callers scope it to the session when they store it.
    """
    if idempotency_key is not None and not (idempotency_key.strip() and storable(idempotency_key)):
        raise PayloadInvalid("bad Idempotency-Key", {"Idempotency-Key": "a printable key"})
    loaded = _load(EventEnvelopeSchema(), data)
    event = _event(loaded, provider=REPORTED, dedupe_key="pending", default_time=received_at)
    given_key = idempotency_key or loaded.get("id")
    key = bounded_key(REPORTED, given_key) if given_key else _content_key(event)
    return dataclasses.replace(event, dedupe_key=key, received_at=received_at)


def event_from_payload(
    envelope: Mapping[str, Any],
    *,
    provider: str,
    dedupe_key: str,
    default_time: datetime | None = None,
) -> Event:
    loaded = _load(WebhookEventSchema(), envelope)
    return _event(loaded, provider=provider, dedupe_key=dedupe_key, default_time=default_time)


def _load(schema: EventEnvelopeSchema, data: object) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise PayloadInvalid("an event is a JSON object")
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        raise PayloadInvalid("the event is not valid", flat_errors(error.messages)) from None
    return loaded


def _event(
    loaded: Mapping[str, Any], *, provider: str, dedupe_key: str, default_time: datetime | None
) -> Event:
    occurred_at = loaded.get("timestamp") or default_time
    if occurred_at is None:
        message = "an RFC 3339 time with an offset"
        raise PayloadInvalid("the event is not valid", {"timestamp": message})
    data = loaded.get("data") or {}
    participant = data.get("participant_key")
    return Event(
        kind=loaded["type"],
        occurred_at=occurred_at,
        provider=provider,
        dedupe_key=dedupe_key,
        participant_key=pseudonym(participant) if participant else None,
        role=data.get("role"),
        reason=data.get("reason"),
        modality=data.get("modality"),
        note=data.get("note"),
    )


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
