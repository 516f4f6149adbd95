from datetime import date

from marshmallow import Schema, fields

from teleframe.api.fields import BoundedDate, text


class ClientCreateSchema(Schema):
    display_name = text(200, required=True)
    date_of_birth = BoundedDate(allow_none=True, earliest=date(1900, 1, 1))
    external_ref = text(200, allow_none=True)


class ClientSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()
    date_of_birth = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    created_at = fields.DateTime()
