from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from teleframe.api.fields import BoundedDateTime, ChangeSchema, printable, text
from teleframe.api.pagination import PageArgsSchema
from teleframe.services.delivery import EVENT_TYPES


class WebhookEndpointCreateSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=8, max=2000),
        metadata={"description": "http or https; must resolve only to public addresses"},
    )
    event_types = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
    )
    description = text(500)


class WebhookEndpointSchema(Schema):
    id = fields.UUID()
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String()
    created_at = fields.DateTime()
    enabled = fields.Boolean(metadata={"description": "false: it receives nothing"})
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(
        allow_none=True,
        metadata={"description": "why it stopped: by the practice, 410 Gone, 5 days failing"},
    )
    previous_secret_expires_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "after a rotation, until when the old secret also signs"},
    )
    secret = fields.String(
        metadata={
            "description": "The whsec_ signing secret: only in the creation and rotation answers"
        }
    )


class AttemptSchema(Schema):
    at = fields.String()
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "error class, if no answer"})


class DeliverySchema(Schema):
    id = fields.UUID()
    event_id = fields.UUID(metadata={"description": "also the webhook-id header"})
    event_type = fields.String()
    status = fields.String(
        metadata={"description": "pending, succeeded, exhausted, gone or parked"}
    )
    attempt_count = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptSchema))


class DeliveryListArgsSchema(PageArgsSchema):
    status = fields.String(
        validate=validate.OneOf(("pending", "succeeded", "exhausted", "gone", "parked"))
    )


class ReplaySchema(Schema):
    delivery_id = fields.UUID()
    since = BoundedDateTime()

    @validates_schema
    def _one_of(self, data: dict, **kwargs: object) -> None:
        if ("delivery_id" in data) == ("since" in data):
            raise ValidationError("Give either delivery_id or since.", "_schema")


class ReplayResultSchema(Schema):
    requeued = fields.Integer()


class WebhookEndpointPatchSchema(ChangeSchema):
    url = fields.String(
        validate=validate.Length(min=8, max=2000),
        metadata={"description": "vetted again: must resolve only to public addresses"},
    )
    event_types = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
    )
    description = fields.String(validate=[validate.Length(max=500), printable])
    enabled = fields.Boolean(
        metadata={"description": "false disables; true re-enables (clears the reason)"}
    )


class EndpointListArgsSchema(PageArgsSchema):
    after = fields.UUID(
        metadata={"description": "the id of the last endpoint seen (older form of `cursor`)"}
    )
