from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from teleframe.api.fields import BoundedDate, Jurisdiction, printable, text
from teleframe.services.reference import load_reference, vocabulary


class LicenceKind(fields.String):
    """A licence kind from the profession vocabulary, stored in its reviewed spelling."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text_value = super()._deserialize(value, attr, data, **kwargs)
        printable(text_value)
        kind = vocabulary().kind(text_value)
        if kind is None:
            known = ", ".join(vocabulary().known_kinds())
            raise ValidationError(f"Unknown licence kind. Known kinds: {known}.")
        return kind.spelling


class CompactName(fields.String):
    """A compact named by key or alias, stored as its key (PSYPACT, COUNSELING_COMPACT...)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text_value = super()._deserialize(value, attr, data, **kwargs)
        printable(text_value)
        key = load_reference().compact_key(text_value)
        if key is None:
            known = ", ".join(sorted(load_reference().compacts))
            raise ValidationError(f"Unknown compact. Known compacts: {known}.")
        return key


class LicenceSchema(Schema):
    jurisdiction = Jurisdiction(required=True)
    kind = LicenceKind(required=True, validate=validate.Length(1, 50))
    number = text(100, required=True)
    expires_on = BoundedDate(allow_none=True)
    profession = fields.String(
        load_default=None, validate=validate.Length(1, 50), metadata={"description": "One of "
        "the professions the kind names; defaults to the kind's first (MD: psychiatrist)."}
    )  # fmt: skip
    compact = CompactName(
        load_default=None,
        validate=validate.Length(1, 50),
        metadata={"description": "Set on a per-state compact privilege (Counseling Compact)."},
    )

    @validates_schema
    def profession_fits_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = vocabulary().kind(data.get("kind"))
        stated = data.get("profession")
        if kind is not None and stated is not None and stated not in kind.professions:
            allowed = ", ".join(kind.professions)
            raise ValidationError(
                f"A {kind.spelling} licence names one of: {allowed}.", field_name="profession"
            )

    @post_load
    def state_profession(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["profession"] = vocabulary().profession_of(data["kind"], data.get("profession"))
        return data


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
    profession = fields.String(allow_none=True)
    compact = fields.String(allow_none=True)
    number = fields.String()
    expires_on = fields.String(allow_none=True)


class ClinicianSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    home_jurisdiction = fields.String(allow_none=True)
    licenses = fields.List(fields.Nested(LicenceOutSchema))
    compacts = fields.List(fields.String())
    created_at = fields.DateTime()
