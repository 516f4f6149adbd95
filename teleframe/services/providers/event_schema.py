"""teleframe's own event shape, one schema for both doors: the `standard` provider's signed
webhooks and `POST /v1/sessions/{id}/events`. The API's OpenAPI document is generated from it,
so platforms see every field rule.

Free text is where PHI leaks ("called +1 510 555 0123"): reasons are codes from fixed
vocabularies, anything else goes in `note`, which is stored encrypted like other PHI, and
participant keys are stored hashed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

KINDS = (
    "session.started",
    "session.ended",
    "participant.joined",
    "participant.left",
    "media.degraded",
    "modality.changed",
    "backup_plan.invoked",
)
ROLES = ("client", "clinician")
MODALITIES = ("video", "audio_only", "phone")
LEAVE_REASONS = ("network", "client_left", "removed", "unknown")
# why the session left video: what Medicare's 93/FQ modifiers ask to be documented
MODALITY_REASONS = (
    "client_not_capable",
    "client_declined_video",
    "video_failed",
    "clinician_decision",
    "other",
)
MAX_KEY_LENGTH = 200
MAX_NOTE = 500


def _printable(value: str) -> None:
    if any(unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\n" for char in value):
        raise ValidationError("Must not contain control characters.")


def _opaque(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must be a non-empty id.")
    _printable(value)


class EventDataSchema(Schema):
    participant_key = fields.String(
        allow_none=True,
        validate=[validate.Length(max=MAX_KEY_LENGTH), _opaque],
        metadata={"description": "The platform's id of the participant; stored hashed"},
    )
    role = fields.String(allow_none=True, validate=validate.OneOf(ROLES))
    modality = fields.String(
        allow_none=True,
        validate=validate.OneOf(MODALITIES),
        metadata={"description": "Required for modality.changed"},
    )
    reason = fields.String(
        allow_none=True,
        validate=validate.OneOf(LEAVE_REASONS + MODALITY_REASONS),
        metadata={
            "description": "participant.left: " + ", ".join(LEAVE_REASONS) + ". "
            "modality.changed: " + ", ".join(MODALITY_REASONS) + ". Codes only: say more in note"
        },
    )
    note = fields.String(
        allow_none=True,
        validate=[validate.Length(max=MAX_NOTE), _printable],
        metadata={"description": "Free text; may hold PHI, so it is stored encrypted"},
    )
    room_id = fields.String(
        allow_none=True,
        validate=[validate.Length(max=200), _opaque],
        metadata={"description": "The video room (webhooks only; the API takes the session id)"},
    )


class EventEnvelopeSchema(Schema):
    id = fields.String(
        validate=[validate.Length(min=1, max=MAX_KEY_LENGTH), _opaque],
        metadata={"description": "Your idempotency key for this event"},
    )
    type = fields.String(required=True, validate=validate.OneOf(KINDS))
    timestamp = fields.AwareDateTime(
        metadata={"description": "RFC 3339 with an offset; defaults to the time received"}
    )
    data = fields.Nested(EventDataSchema, load_default=dict)

    @validates_schema
    def _kind_rules(self, envelope: dict[str, Any], **kwargs: Any) -> None:
        data = envelope.get("data") or {}
        kind, reason = envelope.get("type"), data.get("reason")
        if kind == "modality.changed" and data.get("modality") is None:
            raise ValidationError("Required for modality.changed.", "data.modality")
        if kind == "participant.left" and reason is not None and reason not in LEAVE_REASONS:
            raise ValidationError("One of " + ", ".join(LEAVE_REASONS) + ".", "data.reason")
        if kind != "participant.left" and reason in LEAVE_REASONS:
            raise ValidationError("One of " + ", ".join(MODALITY_REASONS) + ".", "data.reason")


class WebhookEventDataSchema(EventDataSchema):
    """Senders add fields of their own inside `data`; teleframe keeps only its own."""

    class Meta:
        unknown = EXCLUDE


class WebhookEventSchema(EventEnvelopeSchema):
    class Meta:
        unknown = EXCLUDE

    data = fields.Nested(WebhookEventDataSchema, load_default=dict)


def flat_errors(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as {"data.role": "..."}, the shape callers already use."""
    if isinstance(messages, list):
        return {prefix or "_schema": "; ".join(str(item) for item in messages)}
    flat: dict[str, str] = {}
    for name, value in messages.items():
        key = name if name in ("_schema",) or not prefix else f"{prefix}.{name}"
        flat.update(flat_errors(value, key if name != "_schema" else prefix or "_schema"))
    return flat
