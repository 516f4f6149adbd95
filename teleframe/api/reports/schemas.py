from marshmallow import Schema, ValidationError, fields, validate, validates

from teleframe.api.fields import text


class ReportSignSchema(Schema):
    clinician_id = fields.UUID(
        metadata={"description": "Ignored: the signer is the authenticated clinician"}
    )
    content_hash = fields.String(
        validate=validate.Regexp(r"^sha256:[0-9a-f]{64}$"),
        metadata={"description": "The draft's hash as reviewed; 409 if the draft has changed"},
    )


class AddendumCreateSchema(Schema):
    author_id = fields.UUID(
        metadata={"description": "Ignored: the author is the authenticated clinician"}
    )
    text = text(5000, required=True)

    @validates("text")
    def _not_blank(self, value, **kwargs):
        if not value.strip():
            raise ValidationError("An addendum needs text.")


class ReportVersionSchema(Schema):
    number = fields.Integer()
    kind = fields.String(metadata={"description": "draft, signed or amended"})
    content_hash = fields.String()
    previous_hash = fields.String(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()


class ReportSchema(Schema):
    session_id = fields.UUID()
    version = fields.Nested(ReportVersionSchema, metadata={"description": "The head version"})
    versions = fields.List(fields.Nested(ReportVersionSchema))
    report = fields.Dict(metadata={"description": "The head version's body"})


class ChainVerdictSchema(Schema):
    session_id = fields.UUID()
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "Versions that verified"})
    broken_at = fields.Integer(allow_none=True, metadata={"description": "First bad version"})
    reason = fields.String(allow_none=True)
    head_hash = fields.String(allow_none=True)
