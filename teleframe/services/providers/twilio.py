"""Twilio Programmable Video room status callbacks (form-encoded, `X-Twilio-Signature`).

The signature is base64 HMAC-SHA1 of the URL exactly as Twilio called it followed by every POST
parameter sorted by name (`name+value`, no separators); Twilio's own validator accepts the URL
with and without its default port, and so does this one. Twilio signs no send time, so the
replay window applies to the signed `Timestamp` parameter (the event time, sent at once).
Twilio sends no event id: the dedupe key is RoomSid, event, ParticipantSid, TrackSid, Timestamp.
A disconnect carries no reason; the continuity fold infers drops from quick reconnections.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from teleframe.services.providers import (
    REPLAY_WINDOW,
    Event,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
    parse_time,
)
from teleframe.services.providers.payload import (
    bounded_key,
    check_fresh,
    hmac_digest,
    pseudonym,
    require_header,
    room_text,
    same_digest,
)

NAME = "twilio"
DEFAULT_PORTS = {"https": 443, "http": 80}
KINDS = {
    "room-created": "session.started",
    "room-ended": "session.ended",
    "participant-connected": "participant.joined",
    "participant-disconnected": "participant.left",
}

Params = dict[str, list[str]]


class TwilioProvider:
    name = NAME

    def __init__(self, replay_window: timedelta = REPLAY_WINDOW) -> None:
        self.replay_window = replay_window

    def verify(self, request: InboundRequest, secret: str, *, now: datetime) -> None:
        given = _signature(request)
        params = _signed_params(request)
        key = secret.encode()
        if not any(
            same_digest(compute_signature(url, params, key), given) for url in _urls(request.url)
        ):
            raise SignatureInvalid("X-Twilio-Signature does not match")
        if stamp := _first(params, "Timestamp"):
            try:
                occurred_at = parse_time(stamp, "Timestamp")
            except PayloadInvalid:
                raise SignatureInvalid("malformed Timestamp parameter") from None
            check_fresh(occurred_at, now, self.replay_window, what="Timestamp")

    def challenge_response(self, request: InboundRequest, secret: str) -> dict[str, Any] | None:
        return None

    def dedupe_key(self, request: InboundRequest) -> str:
        params = _form(request.body)
        fields = ("RoomSid", "StatusCallbackEvent", "ParticipantSid", "TrackSid", "Timestamp")
        return bounded_key(NAME, *(_first(params, name) for name in fields))

    def room_id(self, request: InboundRequest) -> str | None:
        """The room's unique name (what a platform knows before the room exists), else its SID."""
        try:
            params = _form(request.body)
            return room_text(_first(params, "RoomName") or _first(params, "RoomSid"))
        except PayloadInvalid:
            return None  # stored without one; the worker parks it when it reads the body

    def normalize(self, request: InboundRequest) -> list[Event]:
        params = _form(request.body)
        kind = KINDS.get(_first(params, "StatusCallbackEvent") or "")
        if kind is None:
            return []
        room_text(_first(params, "RoomName") or _first(params, "RoomSid"))
        identity = _first(params, "ParticipantIdentity")
        return [
            Event(
                kind=kind,
                occurred_at=parse_time(_first(params, "Timestamp"), "Timestamp"),
                provider=NAME,
                dedupe_key=self.dedupe_key(request),
                participant_key=pseudonym(identity) if identity else None,
                reason="unknown" if kind == "participant.left" else None,
                connection_key=_first(params, "ParticipantSid"),
            )
        ]


def compute_signature(url: str, params: Params, key: bytes) -> bytes:
    message = url + "".join(
        name + value for name in sorted(params) for value in sorted(set(params[name]))
    )
    return hmac_digest(key, message.encode(), "sha1")


def _signature(request: InboundRequest) -> bytes:
    raw = require_header(request, "x-twilio-signature")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("malformed X-Twilio-Signature header") from None


def _signed_params(request: InboundRequest) -> Params:
    """Form parameters, or none when the URL carries `bodySHA256` (a JSON body)."""
    query = parse_qs(urlsplit(request.url).query)
    if "bodySHA256" not in query:
        try:
            return _form(request.body)
        except PayloadInvalid:
            raise SignatureInvalid("body is not form-encoded UTF-8") from None
    expected = hashlib.sha256(request.body).hexdigest().encode()
    if not same_digest(expected, query["bodySHA256"][0].lower().encode()):
        raise SignatureInvalid("bodySHA256 does not match the body")
    return {}


def _urls(url: str) -> list[str]:
    """The URL as given, plus the same URL with its default port added or removed."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    try:
        port = parts.port
    except ValueError:
        return [url]
    if port is not None:
        other = userinfo + host.rsplit(":", 1)[0]
    elif parts.scheme in DEFAULT_PORTS:
        other = f"{userinfo}{host}:{DEFAULT_PORTS[parts.scheme]}"
    else:
        return [url]
    return [url, urlunsplit(parts._replace(netloc=other))]


def _form(body: bytes) -> Params:
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise PayloadInvalid("body is not form-encoded UTF-8") from None


def _first(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values and values[0] else None
