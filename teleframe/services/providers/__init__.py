"""Inbound video-platform webhooks: verification, dedupe keys and normalisation.

Pure functions over an `InboundRequest` (the URL, headers and raw body exactly as received).
The edge answers a provider handshake first, then verifies, stores under `dedupe_key` and
answers 2xx; a worker calls `normalize` later:

    answer = provider.challenge_response(request, secret)   # may raise SignatureInvalid
    if answer is not None: return 200, answer                # store nothing
    provider.verify(request, secret, now=now)                # SignatureInvalid -> 401
    store(provider.dedupe_key(request), provider.room_id(request), request.body)

`normalize` raises `PayloadInvalid` for a signed body it cannot read; it returns [] for events
teleframe does not use. Event fields never carry names, emails or phone numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from teleframe.services.moments import OutOfRange, bounded_utc, rfc3339
from teleframe.services.providers import event_schema

KINDS = frozenset(event_schema.KINDS)
ROLES = frozenset(event_schema.ROLES)
LEAVE_REASONS = frozenset(event_schema.LEAVE_REASONS)
MODALITY_REASONS = frozenset(event_schema.MODALITY_REASONS)
MODALITIES = frozenset(event_schema.MODALITIES)
REPLAY_WINDOW: timedelta = timedelta(seconds=300)
MAX_KEY_LENGTH: int = event_schema.MAX_KEY_LENGTH
# what the event columns hold (VARCHAR(255), room ids VARCHAR(200)); longer is refused here,
# where it is a bad payload, not in the database, where it would be a failed batch
MAX_STORED_KEY: int = 255
MAX_ROOM_LENGTH: int = 200


class SignatureInvalid(Exception):
    """The request is not authentic or not fresh; the message says why, never what was sent."""


class PayloadInvalid(ValueError):
    """A body (or a reported event) teleframe cannot read; `errors` maps field to message."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})


@dataclass(frozen=True)
class InboundRequest:
    url: str
    headers: Mapping[str, str]
    body: bytes

    def __post_init__(self) -> None:
        lowered = {str(name).lower(): str(value) for name, value in self.headers.items()}
        object.__setattr__(self, "headers", lowered)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Event:
    kind: str
    occurred_at: datetime
    provider: str
    dedupe_key: str
    participant_key: str | None = None
    role: str | None = None
    reason: str | None = None
    modality: str | None = None
    # Optional beyond the contract: one connection of a participant (Twilio ParticipantSid,
    # Daily session_id), and when teleframe received the event (for "after signature").
    connection_key: str | None = None
    received_at: datetime | None = None
    note: str | None = None  # free text a person wrote: PHI, stored encrypted

    def __post_init__(self) -> None:
        _require(self.kind in KINDS, "kind", f"unknown event kind {self.kind!r}")
        _require(bool(self.provider), "provider", "provider is required")
        _require(bool(self.dedupe_key), "dedupe_key", "dedupe_key is required")
        _require(self.role is None or self.role in ROLES, "role", "role is client or clinician")
        _require(
            self.modality is None or self.modality in MODALITIES,
            "modality",
            "modality is video, audio_only or phone",
        )
        if self.kind == "participant.left" and self.reason is None:
            object.__setattr__(self, "reason", "unknown")
        _require(
            self.kind != "participant.left" or self.reason in LEAVE_REASONS,
            "reason",
            "a leave reason is network, client_left, removed or unknown",
        )
        _require(
            self.kind != "modality.changed" or self.modality is not None,
            "modality",
            "modality.changed needs the new modality",
        )
        _require(len(self.dedupe_key) <= MAX_STORED_KEY, "dedupe_key", "too long")
        _require(
            self.reason is None or self.reason in LEAVE_REASONS | MODALITY_REASONS,
            "reason",
            "a reason is a code (" + ", ".join(sorted(LEAVE_REASONS | MODALITY_REASONS)) + ")",
        )
        for name in ("participant_key", "connection_key", "note"):
            value = getattr(self, name)
            _require(value is None or isinstance(value, str), name, "a string is required")
            _require(value is None or storable(value), name, "control characters are not allowed")
            _require(value is None or len(value) <= MAX_STORED_KEY, name, "too long")
        object.__setattr__(self, "occurred_at", as_utc(self.occurred_at, "occurred_at"))
        if self.received_at is not None:
            object.__setattr__(self, "received_at", as_utc(self.received_at, "received_at"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "occurred_at": rfc3339(self.occurred_at),
            "provider": self.provider,
            "dedupe_key": self.dedupe_key,
            "participant_key": self.participant_key,
            "role": self.role,
            "reason": self.reason,
            "modality": self.modality,
            "connection_key": self.connection_key,
            "received_at": rfc3339(self.received_at) if self.received_at else None,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        received = data.get("received_at")
        return cls(
            kind=data["kind"],
            occurred_at=parse_time(data["occurred_at"], "occurred_at"),
            provider=data["provider"],
            dedupe_key=data["dedupe_key"],
            participant_key=data.get("participant_key"),
            role=data.get("role"),
            reason=data.get("reason"),
            modality=data.get("modality"),
            connection_key=data.get("connection_key"),
            received_at=parse_time(received, "received_at") if received else None,
            note=data.get("note"),
        )


class Provider(Protocol):
    name: str

    def verify(self, request: InboundRequest, secret: str, *, now: datetime) -> None: ...

    def challenge_response(self, request: InboundRequest, secret: str) -> dict[str, Any] | None: ...

    def dedupe_key(self, request: InboundRequest) -> str: ...

    def room_id(self, request: InboundRequest) -> str | None: ...

    def normalize(self, request: InboundRequest) -> list[Event]: ...


# Unicode's Cc (C0, DEL, C1) and Cs (surrogates) categories as one class: a regex scan, not a
# category lookup per character of every field of every webhook
_UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def storable(value: str) -> bool:
    """No control characters or lone surrogates: text a database column can hold as is."""
    return _UNSTORABLE.search(value) is None


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise PayloadInvalid(message, {field_name: message})


def as_utc(value: datetime, field_name: str = "time") -> datetime:
    _require(isinstance(value, datetime), field_name, "a datetime is required")
    _require(value.tzinfo is not None, field_name, "a time needs a UTC offset")
    try:
        return bounded_utc(value)
    except OutOfRange as error:
        raise PayloadInvalid(str(error), {field_name: str(error)}) from None


def parse_time(value: object, field_name: str = "time") -> datetime:
    """An RFC 3339 string with an offset, as UTC."""
    _require(isinstance(value, str), field_name, "an RFC 3339 time string is required")
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise PayloadInvalid("not an RFC 3339 time", {field_name: "not an RFC 3339 time"}) from None
    return as_utc(parsed, field_name)


# after the types above, which the payload helpers and the providers import from here
from teleframe.services.providers.daily import DailyProvider  # noqa: E402
from teleframe.services.providers.payload import (  # noqa: E402
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
from teleframe.services.providers.standard import StandardProvider  # noqa: E402
from teleframe.services.providers.twilio import TwilioProvider  # noqa: E402
from teleframe.services.providers.zoom import ZoomProvider  # noqa: E402

PROVIDERS: dict[str, Provider] = {
    "zoom": ZoomProvider(),
    "twilio": TwilioProvider(),
    "daily": DailyProvider(),
    "standard": StandardProvider(),
}

__all__ = [
    "KINDS",
    "PROVIDERS",
    "REPLAY_WINDOW",
    "Event",
    "InboundRequest",
    "PayloadInvalid",
    "Provider",
    "SignatureInvalid",
    "body_key",
    "bounded_key",
    "check_fresh",
    "from_epoch",
    "hmac_digest",
    "number",
    "parse_json_object",
    "pseudonym",
    "require_header",
    "room_text",
    "same_digest",
    "text",
    "unix_header_time",
]
