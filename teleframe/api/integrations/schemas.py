from marshmallow import Schema, fields, validate

from teleframe.api.fields import text
from teleframe.api.sessions.schemas import PROVIDERS


class IntegrationCreateSchema(Schema):
    provider = fields.String(required=True, validate=validate.OneOf(PROVIDERS))
    secret = fields.String(
        validate=validate.Length(min=8, max=500),
        metadata={
            "description": "The provider's signing secret; for 'standard', omit it "
            "and teleframe makes a whsec_ secret and shows it once"
        },
    )
    label = text(200)


class IntegrationSchema(Schema):
    id = fields.UUID()
    provider = fields.String()
    label = fields.String()
    hook_url = fields.String()
    created_at = fields.DateTime()
    secret = fields.String(
        metadata={"description": "Only in the creation answer, only when made by teleframe"}
    )
