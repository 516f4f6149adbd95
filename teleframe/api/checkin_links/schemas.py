from marshmallow import Schema, fields, validate

MAX_MINUTES = 7 * 24 * 60


class CheckInLinkCreateSchema(Schema):
    expires_in_minutes = fields.Integer(
        strict=True,
        validate=validate.Range(min=5, max=MAX_MINUTES),
        metadata={"description": "Defaults to the session's scheduled end"},
    )


class CheckInLinkSchema(Schema):
    url = fields.String(metadata={"description": "Give it to the client; shown only once"})
    expires_at = fields.DateTime()
