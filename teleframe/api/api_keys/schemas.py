from marshmallow import Schema, fields, validate

from teleframe.api.auth import ROLES
from teleframe.api.fields import text


class ApiKeyCreateSchema(Schema):
    label = text(200, required=True)
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata={"description": "admin: also the practice's set-up; platform: the day's work"},
    )


class ApiKeySchema(Schema):
    id = fields.UUID()
    prefix = fields.String(metadata={"description": "The key's first 10 characters"})
    label = fields.String()
    role = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(
        allow_none=True, metadata={"description": "Updated at most once a minute"}
    )
    revoked_at = fields.DateTime(allow_none=True)
    key = fields.String(metadata={"description": "The key itself: only in the creation answer"})
