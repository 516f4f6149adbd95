from marshmallow import Schema, fields


class EventSchema(Schema):
    kind = fields.String()
    occurred_at = fields.DateTime()
    received_at = fields.DateTime()
    provider = fields.String()
    participant_key = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    modality = fields.String(allow_none=True)


class EventAcceptedSchema(Schema):
    status = fields.String()
    dedupe_key = fields.String()


class OutboundEventSchema(Schema):
    id = fields.UUID()
    type = fields.String()
    session_id = fields.UUID(allow_none=True)
    payload = fields.Dict()
    created_at = fields.DateTime()


class ReportedEventSchema(Schema):
    """teleframe's event shape; `services.providers.standard` checks the fields inside `data`."""

    id = fields.String(metadata={"description": "Your idempotency key for this event"})
    type = fields.String(required=True, metadata={"description": "An event kind"})
    timestamp = fields.String(metadata={"description": "RFC 3339; defaults to now"})
    data = fields.Dict(
        metadata={"description": "participant_key, role, reason, modality (as the kind needs)"}
    )
