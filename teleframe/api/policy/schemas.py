from marshmallow import Schema, fields


class PolicyVersionSchema(Schema):
    id = fields.UUID()
    number = fields.Integer()
    content_hash = fields.String()
    created_at = fields.DateTime()


class PolicySchema(PolicyVersionSchema):
    document = fields.Dict(metadata={"description": "The normalised policy (defaults filled in)"})
    source_text = fields.String(metadata={"description": "The document as it was uploaded"})
