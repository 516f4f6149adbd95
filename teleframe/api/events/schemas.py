from marshmallow import Schema, fields

from teleframe.services.providers.event_schema import EventEnvelopeSchema


class EventSchema(Schema):
    id = fields.UUID()
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


# the same schema the `standard` provider loads signed webhooks with
ReportedEventSchema = EventEnvelopeSchema
