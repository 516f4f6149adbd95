from marshmallow import Schema, fields, validate

from teleframe.api.fields import ChangeSchema, text
from teleframe.operations.practice import RETENTION_YEARS


class PracticeSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    retention_years = fields.Integer(
        metadata={"description": "years after a client's last session that records are kept"}
    )
    created_at = fields.DateTime()


class PracticePatchSchema(ChangeSchema):
    name = text(200)
    retention_years = fields.Integer(
        strict=True,
        validate=validate.Range(min=RETENTION_YEARS[0], max=RETENTION_YEARS[1]),
        metadata={
            "description": "years after the last date of service (or three years after a client "
            "first seen as a minor turns 18, whichever is later) that records are kept; "
            "at least your state's rule"
        },
    )
