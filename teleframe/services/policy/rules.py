"""The `rules` section of a policy: one schema per built-in check, each with its defaults."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .fields import StrictInteger, codes, flag, section, severity_choice

PLACE_TYPES = ("home", "work", "school", "healthcare_facility", "vehicle", "public", "other")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class JurisdictionRules(Schema):
    enabled = flag(True)
    severity = severity_choice("block")
    unknown_severity = severity_choice("block")
    licensed_by_subdivision = codes(["US", "CA"], COUNTRY)
    check_license_expiry = flag(True)
    accept_compacts = fields.List(fields.String(), load_default=lambda: ["PSYPACT"])
    compact_home_check = flag(True)


class LocationRules(Schema):
    enabled = flag(True)
    severity = severity_choice("block")
    require_subdivision = flag(True)
    require_locality = flag(False)
    require_address = flag(False)
    require_place_type = flag(True)


class PlaceRules(Schema):
    enabled = flag(True)
    severity = severity_choice("block")
    unsafe_place_types = fields.List(
        fields.String(validate=validate.OneOf(PLACE_TYPES)),
        load_default=lambda: ["vehicle", "public"],
    )


class PrivacyRules(Schema):
    enabled = flag(True)
    severity = severity_choice("warn")
    require_private_space = flag(True)
    require_can_speak_freely = flag(True)
    require_headphones = flag(False)


class OthersPresentRules(Schema):
    enabled = flag(True)
    require_answer = flag(True)
    require_consent = flag(True)
    consent_severity = severity_choice("block")
    flag_minors = flag(True)
    minor_severity = severity_choice("warn")


class BackupRules(Schema):
    enabled = flag(True)
    require_callback_phone = flag(True)
    missing_severity = severity_choice("block")
    invalid_severity = severity_choice("block")
    phone_region = fields.String(
        load_default="client_country", validate=validate.OneOf(["client_country", "any"])
    )
    region_mismatch_severity = severity_choice("warn")
    require_emergency_contact = flag(True)
    emergency_contact_severity = severity_choice("warn")
    emergency_contact_must_differ = flag(True)


class ReadinessRules(Schema):
    enabled = flag(True)
    severity = severity_choice("block")
    require_good_time = flag(True)
    require_not_driving = flag(True)
    require_identity_confirmation = flag(False)


MAX_LEAD_MINUTES = 10_080


class CheckinWindowRules(Schema):
    enabled = flag(True)
    opens_minutes_before_start = StrictInteger(
        load_default=60, validate=validate.Range(0, MAX_LEAD_MINUTES)
    )
    closes_minutes_after_start = StrictInteger(load_default=15, validate=validate.Range(0, 1_440))
    early_severity = severity_choice("block")
    late_severity = severity_choice("warn")
    # `checkin.missing` goes out this long before the start when no check-in has come
    missing_notice_minutes_before_start = StrictInteger(
        load_default=30, validate=validate.Range(0, MAX_LEAD_MINUTES)
    )

    @validates_schema
    def _inside_window(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["missing_notice_minutes_before_start"] > data["opens_minutes_before_start"]:
            raise ValidationError(
                "Must not be longer than opens_minutes_before_start: the window must be open.",
                "missing_notice_minutes_before_start",
            )


def checkin_window(document: dict[str, Any]) -> dict[str, Any]:
    """The check-in window rules of a stored document, with any field it predates defaulted."""
    stored = (document.get("rules") or {}).get("checkin_window") or {}
    loaded: dict[str, Any] = CheckinWindowRules().load(stored)
    return loaded


class Rules(Schema):
    jurisdiction = section(JurisdictionRules)
    location = section(LocationRules)
    place = section(PlaceRules)
    privacy = section(PrivacyRules)
    others_present = section(OthersPresentRules)
    backup = section(BackupRules)
    readiness = section(ReadinessRules)
    checkin_window = section(CheckinWindowRules)
