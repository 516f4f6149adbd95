from marshmallow import Schema, fields, validate

from teleframe.api.fields import BoundedDate, Jurisdiction, text


class LicenceSchema(Schema):
    jurisdiction = Jurisdiction(required=True)
    kind = text(50, required=True)
    number = text(100, required=True)
    expires_on = BoundedDate(allow_none=True)


class ClinicianCreateSchema(Schema):
    name = text(200, required=True)
    home_jurisdiction = Jurisdiction(allow_none=True)
    licenses = fields.List(
        fields.Nested(LicenceSchema), load_default=list, validate=validate.Length(max=100)
    )
    compacts = fields.List(text(50), load_default=list, validate=validate.Length(max=20))


class LicenceOutSchema(Schema):
    jurisdiction = fields.String()
    kind = fields.String()
    number = fields.String()
    expires_on = fields.String(allow_none=True)


class ClinicianSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    home_jurisdiction = fields.String(allow_none=True)
    licenses = fields.List(fields.Nested(LicenceOutSchema))
    compacts = fields.List(fields.String())
    created_at = fields.DateTime()
