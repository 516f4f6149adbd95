"""The schema of a whole policy document: rules, client settings, disruption timing, custom
rules and the practice's overrides of the shipped reference data."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..continuity.protocol import Protocol
from ..reference import config_path, vocabulary
from .consent import Consent
from .fields import (
    LocalisedText,
    StrictBoolean,
    StrictInteger,
    flag,
    seconds,
    section,
    severity_choice,
)
from .rules import Rules

MAX_CUSTOM_RULES = 50
JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


class ClientSettings(Schema):
    age_of_majority = StrictInteger(load_default=18, validate=validate.Range(14, 25))


class Disruption(Schema):
    # the defaults are the protocol's own: one source for a document that leaves them out
    reconnect_wait_seconds = seconds(Protocol.reconnect_wait_seconds)
    backup_plan_due_after_seconds = seconds(Protocol.backup_plan_due_after_seconds)
    suggest_reschedule_after_seconds = seconds(Protocol.suggest_reschedule_after_seconds)

    @validates_schema
    def _ordered(self, data: dict[str, int], **kwargs: Any) -> None:
        if data["backup_plan_due_after_seconds"] < data["reconnect_wait_seconds"]:
            raise ValidationError(
                "Must not be shorter than reconnect_wait_seconds.",
                "backup_plan_due_after_seconds",
            )
        if data["suggest_reschedule_after_seconds"] < data["backup_plan_due_after_seconds"]:
            raise ValidationError(
                "Must not be shorter than backup_plan_due_after_seconds.",
                "suggest_reschedule_after_seconds",
            )


class CustomRule(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="Use lower-case letters, digits, _ . or -."
        ),
    )
    enabled = flag(True)
    expression = fields.String(required=True, validate=validate.Length(1, 4000))
    code = fields.String(
        load_default="CUSTOM_RULE",
        validate=validate.Regexp(r"^[A-Z][A-Z0-9_]{0,63}$", error="Use UPPER_SNAKE_CASE."),
    )
    severity = severity_choice("warn")
    # The severity of the CUSTOM_RULE_ERROR finding when the rule cannot be evaluated on a
    # check-in (an error, or the check-in's budget spent): by default it blocks (fails closed).
    on_error = severity_choice("block")
    field = fields.String(load_default=None, allow_none=True)
    message = LocalisedText(500, required=True)
    clinician_message = fields.String(load_default=None, allow_none=True)


class EmergencyOverride(Schema):
    emergency_number = fields.String(allow_none=True)
    crisis_line = fields.String(allow_none=True)
    source = fields.String(load_default="practice override")


def _known_profession(value: str) -> None:
    if value not in vocabulary().labels:
        known = ", ".join(sorted(vocabulary().labels))
        raise ValidationError(f"Unknown profession (known: {known}).")


class CompactOverride(Schema):
    full_name = fields.String()
    scope = fields.String(validate=validate.OneOf(["all_members", "per_state", "licensure_only"]))
    home_must_be_member = StrictBoolean()
    operational = StrictBoolean()
    professions = fields.List(fields.String(validate=_known_profession))
    members = fields.List(fields.String(validate=validate.Regexp(JURISDICTION)))


class ReferenceOverrides(Schema):
    emergency = fields.Dict(
        keys=fields.String(validate=validate.Regexp(JURISDICTION, error="Not an ISO 3166 code.")),
        values=fields.Nested(EmergencyOverride),
        load_default=dict,
    )
    compacts = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[A-Z][A-Z0-9_]*$")),
        values=fields.Nested(CompactOverride),
        load_default=dict,
    )


class PolicyDocument(Schema):
    version = StrictInteger(load_default=1, validate=validate.OneOf([1]))
    name = fields.String(load_default="Frame policy", validate=validate.Length(1, 200))
    rules = section(Rules)
    client = section(ClientSettings)
    disruption = section(Disruption)
    consent = section(Consent)
    custom_rules = fields.List(
        fields.Nested(CustomRule),
        load_default=list,
        validate=validate.Length(max=MAX_CUSTOM_RULES, error="At most {max} custom rules."),
    )
    reference_overrides = section(ReferenceOverrides)


def default_policy_text() -> str:
    return config_path("policy", "default.yaml").read_text(encoding="utf-8")
