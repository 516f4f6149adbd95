"""Parked work: what kept failing, where, and why (a reason code, never a payload)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from teleframe.api.pagination import PageArgsSchema
from teleframe.operations.parked_work import KINDS


class ParkedWorkArgsSchema(PageArgsSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class ParkedWorkSchema(Schema):
    id = fields.UUID(metadata={"description": "the parked row (staged task, webhook, delivery)"})
    kind = fields.String(metadata={"description": ", ".join(KINDS)})
    task = fields.String()
    refers_to = fields.List(
        fields.String(), metadata={"description": "ids: check-in, session, integration, ..."}
    )
    provider = fields.String(metadata={"description": "for a webhook: the video platform"})
    attempts = fields.Integer()
    reason = fields.String(
        metadata={"description": "error class or the fields that could not be read"}
    )
    parked_at = fields.DateTime()
    created_at = fields.DateTime()
