from datetime import timedelta

from marshmallow import Schema, fields, validate

from teleframe.api.fields import ChangeSchema, StrictBoolean, printable, text
from teleframe.api.sessions.schemas import PROVIDERS
from teleframe.services.secret_rotation import MAX_OVERLAP, OVERLAP

MAX_OVERLAP_HOURS = int(MAX_OVERLAP / timedelta(hours=1))

SIGNING_KEY_HELP = (
    "The provider's signing secret; for 'standard', omit it "
    "and teleframe makes a whsec_ secret and shows it once"
)


class IntegrationCreateSchema(Schema):
    provider = fields.String(required=True, validate=validate.OneOf(PROVIDERS))
    secret = fields.String(
        validate=validate.Length(min=8, max=500), metadata={"description": SIGNING_KEY_HELP}
    )
    label = text(200)


class IntegrationSchema(Schema):
    id = fields.UUID()
    provider = fields.String()
    label = fields.String()
    hook_url = fields.String()
    created_at = fields.DateTime()
    enabled = fields.Boolean(metadata={"description": "false: its hooks answer 410 Gone"})
    disabled_at = fields.DateTime(allow_none=True)
    previous_secret_expires_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "after a rotation, until when the old secret is accepted"},
    )
    secret = fields.String(
        metadata={
            "description": "Only in the creation and rotation answers, only when made by teleframe"
        }
    )


class IntegrationPatchSchema(ChangeSchema):
    enabled = StrictBoolean(
        metadata={"description": "false: hooks answer 410 and nothing is stored; true again"}
    )
    label = fields.String(validate=[validate.Length(max=200), printable])


class IntegrationRotateSchema(Schema):
    secret = fields.String(
        validate=validate.Length(min=8, max=500),
        metadata={"description": "The provider's new secret; for 'standard', omit it: made here"},
    )
    overlap_hours = fields.Integer(
        load_default=int(OVERLAP / timedelta(hours=1)),
        validate=validate.Range(min=0, max=MAX_OVERLAP_HOURS),
        metadata={"description": "how long hooks signed with the old secret are still accepted"},
    )
