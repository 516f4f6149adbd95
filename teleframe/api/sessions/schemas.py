from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from teleframe.api.fields import (
    BoundedDate,
    BoundedDateTime,
    CountryCode,
    E164Phone,
    StrictBoolean,
    SubdivisionCode,
    text,
)
from teleframe.api.pagination import PageArgsSchema
from teleframe.services.policy import PLACE_TYPES
from teleframe.services.policy.worst_case import MAX_OTHERS_PRESENT
from teleframe.services.providers import PROVIDERS as ADAPTERS

PROVIDERS = tuple(ADAPTERS)


class VideoSchema(Schema):
    provider = fields.String(required=True, validate=validate.OneOf(PROVIDERS))
    room_id = text(200, required=True)


class SessionCreateSchema(Schema):
    clinician_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    scheduled_start = BoundedDateTime(required=True)
    scheduled_end = BoundedDateTime(required=True)
    external_ref = text(200, allow_none=True)
    video = fields.Nested(VideoSchema, allow_none=True)

    @validates_schema
    def _end_after_start(self, data, **kwargs):
        start, end = data.get("scheduled_start"), data.get("scheduled_end")
        if start and end and end <= start:
            raise ValidationError("Must be after scheduled_start.", "scheduled_end")


class SessionSchema(Schema):
    id = fields.UUID()
    clinician_id = fields.UUID()
    client_id = fields.UUID()
    scheduled_start = fields.DateTime()
    scheduled_end = fields.DateTime()
    external_ref = fields.String(allow_none=True)
    video = fields.Method("_video")
    state = fields.String()
    frame_status = fields.String(allow_none=True)
    created_at = fields.DateTime()

    def _video(self, session):
        if not session.video_provider:
            return None
        return {"provider": session.video_provider, "room_id": session.video_room_id}


class SessionListArgsSchema(PageArgsSchema):
    date = BoundedDate(required=True, metadata={"description": "UTC day, YYYY-MM-DD"})


class LocationSchema(Schema):
    country = CountryCode(allow_none=True)
    subdivision = SubdivisionCode(allow_none=True)
    locality = text(200, allow_none=True)
    address = text(300, allow_none=True)
    place_type = fields.String(allow_none=True, validate=validate.OneOf(PLACE_TYPES))
    same_as_last_time = StrictBoolean(allow_none=True)

    @validates_schema
    def _subdivision_in_country(self, data, **kwargs):
        country, subdivision = data.get("country"), data.get("subdivision")
        if country and subdivision and not subdivision.startswith(country + "-"):
            raise ValidationError(f"Not a subdivision of {country}.", "subdivision")


class PrivacySchema(Schema):
    private_space = StrictBoolean(allow_none=True)
    can_speak_freely = StrictBoolean(allow_none=True)
    headphones = StrictBoolean(allow_none=True)


class PersonPresentSchema(Schema):
    relationship = text(100, required=True)
    minor = StrictBoolean(required=True)
    client_consents_to_hear = StrictBoolean(required=True)


class EmergencyContactSchema(Schema):
    name = text(200, required=True)
    relationship = text(100, allow_none=True)
    phone = E164Phone(required=True)


class BackupSchema(Schema):
    callback_phone = E164Phone(allow_none=True)
    emergency_contact = fields.Nested(EmergencyContactSchema, allow_none=True)


class ReadinessSchema(Schema):
    good_time_to_proceed = StrictBoolean(allow_none=True)
    not_driving = StrictBoolean(allow_none=True)
    identity_confirmed = StrictBoolean(allow_none=True)


def _aware_datetime(value: str) -> None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("Not a date and time (RFC 3339).") from None
    if moment.tzinfo is None:
        raise ValidationError("Give the time with its offset, for example Z or +02:00.")


def _iso_date(value: str) -> None:
    if len(value) != 10:
        raise ValidationError("Not a date (YYYY-MM-DD).")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValidationError("Not a date (YYYY-MM-DD).") from None


class ConsentSchema(Schema):
    """Telehealth informed consent: agreement to one version of the practice's text."""

    agreed = StrictBoolean(allow_none=True)
    version = text(40, allow_none=True)
    # kept as the RFC 3339 text it was given in, so the stored answers stay plain JSON
    agreed_at = fields.String(allow_none=True, validate=_aware_datetime)


class IdentitySchema(Schema):
    """Who the client says they are, where the policy asks: compared with the client record."""

    full_name = text(200, allow_none=True)
    date_of_birth = fields.String(allow_none=True, validate=_iso_date)


class CheckInCreateSchema(Schema):
    """The client's answers. Missing answers are allowed here: the policy decides what blocks."""

    location = fields.Nested(LocationSchema, allow_none=True)
    privacy = fields.Nested(PrivacySchema, allow_none=True)
    others_present = fields.List(
        fields.Nested(PersonPresentSchema),
        allow_none=True,
        validate=validate.Length(max=MAX_OTHERS_PRESENT),  # custom rules are tried at this size
    )
    backup = fields.Nested(BackupSchema, allow_none=True)
    readiness = fields.Nested(ReadinessSchema, allow_none=True)
    consent = fields.Nested(ConsentSchema, allow_none=True)
    identity = fields.Nested(IdentitySchema, allow_none=True)


class CheckInAcceptedSchema(Schema):
    checkin_id = fields.UUID()
    session_id = fields.UUID()
    status = fields.String(metadata={"description": "Always 'pending': read the verdict"})
    frame_url = fields.String()
    verdict_url = fields.String(metadata={"description": "The verdict alone, without PHI"})


class VerdictSchema(Schema):
    """What a platform waiting on a check-in needs, and no more (HIPAA minimum necessary)."""

    checkin_id = fields.UUID()
    status = fields.String(metadata={"description": "pending, clear, attention or blocked"})
    codes = fields.List(fields.String(), metadata={"description": "The findings' codes"})
    submitted_at = fields.DateTime()
    evaluated_at = fields.DateTime(allow_none=True)


class FindingSchema(Schema):
    code = fields.String()
    severity = fields.String()
    field = fields.String(allow_none=True)
    message = fields.String()
    clinician_message = fields.String()
    rule = fields.String()


class EvaluationSchema(Schema):
    checkin_id = fields.UUID()
    status = fields.String()
    findings = fields.List(fields.Nested(FindingSchema))
    facts = fields.Dict()
    policy_version = fields.Dict()
    evaluated_at = fields.DateTime()


class CheckInSchema(CheckInCreateSchema):
    id = fields.UUID()
    submitted_at = fields.DateTime()


class FrameSchema(Schema):
    session_id = fields.UUID()
    state = fields.String()
    frame_status = fields.String(allow_none=True)
    checkin = fields.Nested(CheckInSchema, allow_none=True)
    evaluation = fields.Nested(EvaluationSchema, allow_none=True)
    evaluation_pending = fields.Boolean()
    continuity = fields.Dict(allow_none=True)
