from marshmallow import Schema, fields, validate

from teleframe.api.fields import text


class UserCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.String(required=True, validate=validate.OneOf(["admin", "clinician"]))
    clinician_id = fields.UUID(
        load_default=None, metadata={"description": "Required for clinician users"}
    )


class UserSchema(Schema):
    id = fields.UUID()
    email = text(254)
    role = fields.String()
    clinician_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


class UserCreatedSchema(UserSchema):
    setup_url = fields.String(
        metadata={"description": "One-time set-up link (72 hours); shown once, only its hash kept"}
    )
    setup_expires_in_hours = fields.Integer()
