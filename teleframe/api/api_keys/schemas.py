from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from teleframe.api.auth import ROLES
from teleframe.api.fields import text


class ApiKeyCreateSchema(Schema):
    label = text(200, required=True, metadata={"description": "What the key is for"})
    name = text(200, load_only=True, metadata={"description": "Another spelling of `label`"})
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata={"description": "admin: also the practice's set-up; platform: the day's work"},
    )

    @pre_load
    def name_is_label(self, data: Any, **_: Any) -> Any:
        """A platform that says `name`, as many key APIs do, means the label."""
        if not isinstance(data, dict) or "name" not in data:
            return data
        data = dict(data)
        name = data.pop("name")
        if "label" in data and data["label"] != name:
            raise ValidationError("Give the label once: as `label` or as `name`.", "name")
        return {**data, "label": name}


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
