from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from teleframe.api.fields import BoundedDateTime, printable
from teleframe.api.pagination import PageArgsSchema
from teleframe.db.audit import ACTIONS
from teleframe.operations.audit_trail import ACTOR_TYPES


class AuditEventListArgsSchema(PageArgsSchema):
    client = fields.UUID(
        metadata={"description": "events about the client, its sessions and their check-ins"}
    )
    session = fields.UUID(metadata={"description": "events about the session and its check-ins"})
    actor = fields.String(
        validate=[validate.Length(min=1, max=200), printable],
        metadata={"description": f"an actor id, or a kind of actor: {', '.join(ACTOR_TYPES)}"},
    )
    action = fields.String(validate=validate.OneOf(sorted(ACTIONS)))
    since = BoundedDateTime(metadata={"description": "RFC 3339; events at or after it"})
    until = BoundedDateTime(metadata={"description": "RFC 3339; events before it"})

    @validates_schema
    def _ordered(self, data: dict, **kwargs: object) -> None:
        if "since" in data and "until" in data and data["since"] >= data["until"]:
            raise ValidationError("Must be after since.", "until")


class AuditEventSchema(Schema):
    id = fields.UUID()
    occurred_at = fields.DateTime()
    actor_type = fields.String(metadata={"description": ", ".join(ACTOR_TYPES)})
    actor_id = fields.String(metadata={"description": "a user or API key id, or a task name"})
    action = fields.String()
    resource_type = fields.String()
    resource_id = fields.String()
    remote_addr = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    detail = fields.Dict(metadata={"description": "ids and non-PHI facts only"})
