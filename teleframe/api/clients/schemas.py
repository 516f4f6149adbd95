from marshmallow import Schema, fields

from teleframe.api.fields import text


class ClientCreateSchema(Schema):
    display_name = text(200, required=True)
    date_of_birth = fields.Date(allow_none=True)
    external_ref = text(200, allow_none=True)


class ClientSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()
    date_of_birth = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    created_at = fields.DateTime()
