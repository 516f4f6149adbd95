"""The check-in evaluation: a pure function of check-in, session, clinician, policy and
reference data.

Deterministic and cheap (no I/O; tens of microseconds plus any custom CEL rules). Findings
and facts never carry the client's address, locality or phone numbers: they travel to logs
and webhook receivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import phonenumbers
from celpy import celtypes

from .policy import CelError, CompiledPolicy, CompiledRule, cel_activation
from .reference import ReferenceData

STATUS_BY_SEVERITY = (("block", "blocked"), ("warn", "attention"))


@dataclass(frozen=True)
class LicenceFacts:
    jurisdiction: str
    kind: str
    number: str
    expires_on: date | None


@dataclass(frozen=True)
class ClinicianFacts:
    home_jurisdiction: str | None
    licenses: tuple[LicenceFacts, ...]
    compacts: tuple[str, ...]


@dataclass(frozen=True)
class SessionFacts:
    scheduled_start: datetime
    scheduled_end: datetime
    client_date_of_birth: date | None


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "block" | "warn" | "info"
    field: str | None
    message: str  # plain words, for the client
    clinician_message: str
    rule: str  # the policy path of the rule that raised it

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "clinician_message": self.clinician_message,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class EvaluationResult:
    status: str  # "clear" | "attention" | "blocked"
    findings: tuple[Finding, ...]
    facts: dict[str, Any]
    policy_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "findings": [finding.to_dict() for finding in self.findings],
            "facts": self.facts,
            "policy_hash": self.policy_hash,
        }


@dataclass(frozen=True)
class _Context:
    checkin: dict[str, Any]
    session: SessionFacts
    clinician: ClinicianFacts
    policy: CompiledPolicy
    reference: ReferenceData
    submitted_at: datetime
    country: str | None
    subdivision: str | None
    facts: dict[str, Any]


Rule = Callable[[_Context], Iterator[Finding]]


def _section(checkin: dict[str, Any], name: str) -> dict[str, Any]:
    value = checkin.get(name)
    return value if isinstance(value, dict) else {}


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- jurisdiction -------------------------------------------------------------------------


def _location_codes(location: dict[str, Any]) -> tuple[str | None, str | None]:
    country, subdivision = location.get("country"), location.get("subdivision")
    if subdivision and not country:
        country = subdivision.split("-")[0]
    return country or None, subdivision or None


def _jurisdiction(
    country: str | None, subdivision: str | None, per_subdivision: frozenset[str]
) -> str | None:
    if subdivision and country and subdivision.split("-")[0] == country:
        return subdivision
    if country and country not in per_subdivision and not subdivision:
        return country
    return None


def _licence_covering(ctx: _Context, jurisdiction: str) -> LicenceFacts | None:
    rules = ctx.policy.rules["jurisdiction"]
    day = _utc(ctx.session.scheduled_start).date()
    national = ctx.country if ctx.country not in ctx.policy.licensed_by_subdivision else None
    for licence in ctx.clinician.licenses:
        if licence.jurisdiction not in (jurisdiction, national):
            continue
        if rules["check_license_expiry"] and licence.expires_on and licence.expires_on < day:
            continue
        return licence
    return None


def _compact_covering(ctx: _Context, jurisdiction: str) -> str | None:
    reference, policy = ctx.reference, ctx.policy
    candidates = reference.compacts_covering(jurisdiction) & policy.accept_compacts
    for name in ctx.clinician.compacts:
        key = reference.compact_key(name)
        compact = reference.compacts.get(key) if key in candidates else None
        if compact is None or compact.scope != "all_members":
            continue
        home_ok = ctx.clinician.home_jurisdiction in compact.members
        if (
            policy.rules["jurisdiction"]["compact_home_check"]
            and compact.home_must_be_member
            and not home_ok
        ):
            continue
        return compact.key
    return None


def _unknown_jurisdiction(ctx: _Context) -> Finding:
    severity = ctx.policy.rules["jurisdiction"]["unknown_severity"]
    field = "location.country" if not ctx.country else "location.subdivision"
    if ctx.subdivision and ctx.country and not ctx.subdivision.startswith(ctx.country + "-"):
        return Finding(
            "JURISDICTION_UNKNOWN",
            severity,
            field,
            "The state or region you chose is not in the country you chose. Please check both.",
            f"Location does not agree: subdivision {ctx.subdivision} is not in country {ctx.country}.",
            "rules.jurisdiction",
        )
    return Finding(
        "JURISDICTION_UNKNOWN",
        severity,
        field,
        "Please tell us which country and state or region you are in right now.",
        "Client's jurisdiction is unknown: the licence that applies cannot be checked.",
        "rules.jurisdiction",
    )


def _check_jurisdiction(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["jurisdiction"]
    jurisdiction = ctx.facts["jurisdiction"]
    if not rules["enabled"]:
        return
    if jurisdiction is None:
        yield _unknown_jurisdiction(ctx)
        return
    licence = _licence_covering(ctx, jurisdiction)
    if licence is not None:
        ctx.facts["covered_by"] = {
            "kind": "license",
            "jurisdiction": licence.jurisdiction,
            "number": licence.number,
        }
        return
    compact = _compact_covering(ctx, jurisdiction)
    if compact is not None:
        ctx.facts["covered_by"] = {"kind": "compact", "name": compact}
        return
    yield Finding(
        "JURISDICTION_NOT_LICENSED",
        rules["severity"],
        "location.subdivision" if ctx.subdivision else "location.country",
        "Your clinician cannot hold this session while you are in this location. "
        "Please contact your clinician.",
        f"No current licence or accepted compact covers {jurisdiction}, where the client "
        "is located for this session.",
        "rules.jurisdiction",
    )


# --- location and place -------------------------------------------------------------------

_LOCATION_ASKS = (
    ("require_subdivision", "subdivision", "the state or region you are in"),
    ("require_locality", "locality", "the town or city you are in"),
    ("require_address", "address", "the address where you are right now"),
    ("require_place_type", "place_type", "what kind of place you are in"),
)


def _check_location(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["location"]
    if not rules["enabled"]:
        return
    location = _section(ctx.checkin, "location")
    reported = ctx.policy.rules["jurisdiction"]["enabled"] and ctx.facts["jurisdiction"] is None
    if not reported and not ctx.country:
        yield _incomplete(rules, "country", "the country you are in", "rules.location")
    for flag, key, words in _LOCATION_ASKS:
        if key == "subdivision" and reported:
            continue  # already JURISDICTION_UNKNOWN
        if rules[flag] and not location.get(key):
            yield _incomplete(rules, key, words, f"rules.location.{flag}")


def _incomplete(rules: dict[str, Any], key: str, words: str, rule: str) -> Finding:
    return Finding(
        "LOCATION_INCOMPLETE",
        rules["severity"],
        f"location.{key}",
        f"Please add {words}.",
        f"Check-in lacks location.{key}, which the practice policy requires each session.",
        rule,
    )


_PLACE_WORDS = {
    "vehicle": "a vehicle",
    "public": "a public place",
    "work": "your workplace",
    "school": "school",
    "healthcare_facility": "a healthcare facility",
    "home": "home",
}


def _check_place(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["place"]
    place = _section(ctx.checkin, "location").get("place_type")
    if rules["enabled"] and place in ctx.policy.unsafe_places:
        yield Finding(
            "PLACE_UNSAFE",
            rules["severity"],
            "location.place_type",
            "Please join from somewhere safe and private rather than "
            f"{_PLACE_WORDS.get(place, 'where you are now')}.",
            f"Client reports place type '{place}', which the practice policy treats as unsafe.",
            "rules.place.unsafe_place_types",
        )


# --- privacy, others present --------------------------------------------------------------

_PRIVACY_ASKS = (
    ("require_private_space", "private_space", "a private space where no one can overhear you"),
    ("require_can_speak_freely", "can_speak_freely", "a place where you can speak freely"),
    ("require_headphones", "headphones", "headphones"),
)


def _check_privacy(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["privacy"]
    if not rules["enabled"]:
        return
    privacy = _section(ctx.checkin, "privacy")
    for flag, key, words in _PRIVACY_ASKS:
        if rules[flag] and privacy.get(key) is not True:
            answered = "said no" if privacy.get(key) is False else "did not answer"
            yield Finding(
                "PRIVACY_NOT_PRIVATE",
                rules["severity"],
                f"privacy.{key}",
                f"Please make sure you have {words} before the session starts.",
                f"Client {answered} to privacy.{key}.",
                f"rules.privacy.{flag}",
            )


def _check_others(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["others_present"]
    if not rules["enabled"]:
        return
    others = ctx.checkin.get("others_present")
    if others is None:
        if rules["require_answer"]:
            yield Finding(
                "OTHERS_PRESENT_WITHOUT_CONSENT",
                rules["consent_severity"],
                "others_present",
                "Please tell us whether anyone else is with you, even if no one is.",
                "Client did not say who else is present (COMAR 10.42.10.04: identify everyone present).",
                "rules.others_present.require_answer",
            )
        return
    for index, person in enumerate(others):
        person = person if isinstance(person, dict) else {}
        yield from _check_person(rules, index, person)


def _check_person(rules: dict[str, Any], index: int, person: dict[str, Any]) -> Iterator[Finding]:
    who = f"person {index + 1}"  # never echo free text the client typed
    if rules["require_consent"] and person.get("client_consents_to_hear") is not True:
        yield Finding(
            "OTHERS_PRESENT_WITHOUT_CONSENT",
            rules["consent_severity"],
            f"others_present[{index}].client_consents_to_hear",
            f"You listed someone ({who}) as present. Please confirm you are comfortable with them hearing "
            "the session, or find a space on your own.",
            f"Others present: {who} has no confirmation of the client's consent to them hearing health information.",
            "rules.others_present.require_consent",
        )
    if rules["flag_minors"] and person.get("minor") is True:
        yield Finding(
            "MINOR_PRESENT",
            rules["minor_severity"],
            f"others_present[{index}].minor",
            "You said a child is with you. Your clinician will talk with you about this.",
            f"A minor ({who}) is present with the client.",
            "rules.others_present.flag_minors",
        )


# --- backup plan --------------------------------------------------------------------------


def _parse_phone(number: Any) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(str(number), None)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def _check_backup(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["backup"]
    if not rules["enabled"]:
        return
    backup = _section(ctx.checkin, "backup")
    callback = _parse_phone(backup["callback_phone"]) if backup.get("callback_phone") else None
    if not backup.get("callback_phone"):
        if rules["require_callback_phone"]:
            yield Finding(
                "BACKUP_PHONE_MISSING",
                rules["missing_severity"],
                "backup.callback_phone",
                "Please add a phone number where your clinician can call you if the video drops.",
                "No callback phone: no alternative way to reach the client if video fails "
                "(COMAR 10.42.10.04; IC 25-33-3-5(7)).",
                "rules.backup.require_callback_phone",
            )
    elif callback is None:
        yield _invalid_phone(rules, "backup.callback_phone", "your phone number")
    elif (
        rules["phone_region"] == "client_country"
        and ctx.country
        and not (phonenumbers.is_valid_number_for_region(callback, ctx.country))
    ):
        yield Finding(
            "BACKUP_PHONE_INVALID",
            rules["region_mismatch_severity"],
            "backup.callback_phone",
            "Please check your phone number: it does not look like a number for the country "
            "you are in.",
            f"Callback phone is not a number for {ctx.country}; confirm it works from there.",
            "rules.backup.phone_region",
        )
    yield from _check_contact(rules, backup, callback)


def _invalid_phone(rules: dict[str, Any], field: str, words: str) -> Finding:
    return Finding(
        "BACKUP_PHONE_INVALID",
        rules["invalid_severity"],
        field,
        f"Please check {words}: it is not a phone number we can call.",
        f"{field} is not a valid, dialable phone number.",
        "rules.backup",
    )


def _check_contact(
    rules: dict[str, Any], backup: dict[str, Any], callback: phonenumbers.PhoneNumber | None
) -> Iterator[Finding]:
    contact = backup.get("emergency_contact")
    contact = contact if isinstance(contact, dict) else {}
    if not contact.get("phone") or not contact.get("name"):
        if rules["require_emergency_contact"]:
            yield Finding(
                "EMERGENCY_CONTACT_MISSING",
                rules["emergency_contact_severity"],
                "backup.emergency_contact",
                "Please add an emergency contact: someone we can call if we are worried about "
                "your safety, with their phone number.",
                "No emergency contact (name and phone) for this session.",
                "rules.backup.require_emergency_contact",
            )
        return
    phone = _parse_phone(contact["phone"])
    if phone is None:
        yield _invalid_phone(
            rules, "backup.emergency_contact.phone", "your emergency contact's number"
        )
    elif rules["emergency_contact_must_differ"] and phone == callback:
        yield Finding(
            "EMERGENCY_CONTACT_MISSING",
            rules["emergency_contact_severity"],
            "backup.emergency_contact.phone",
            "Your emergency contact needs a phone number different from your own.",
            "Emergency contact's phone is the same as the callback phone.",
            "rules.backup.emergency_contact_must_differ",
        )


# --- readiness and timing -----------------------------------------------------------------

_READINESS_ASKS = (
    (
        "require_good_time",
        "good_time_to_proceed",
        "Please check in when it is a good time to talk.",
    ),
    (
        "require_not_driving",
        "not_driving",
        "Please do not join while driving. Park somewhere safe or join from elsewhere.",
    ),
    (
        "require_identity_confirmation",
        "identity_confirmed",
        "Please confirm your identity to continue.",
    ),
)


def _check_readiness(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["readiness"]
    if not rules["enabled"]:
        return
    readiness = _section(ctx.checkin, "readiness")
    for flag, key, words in _READINESS_ASKS:
        if rules[flag] and readiness.get(key) is not True:
            answered = "said no" if readiness.get(key) is False else "did not answer"
            yield Finding(
                "NOT_READY",
                rules["severity"],
                f"readiness.{key}",
                words,
                f"Client {answered} to readiness.{key}.",
                f"rules.readiness.{flag}",
            )


def _check_window(ctx: _Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["checkin_window"]
    minutes = ctx.facts["minutes_before_start"]
    if not rules["enabled"]:
        return
    if minutes > rules["opens_minutes_before_start"]:
        yield Finding(
            "CHECKIN_OUTSIDE_WINDOW",
            rules["early_severity"],
            None,
            "This is too early to check in. Please check in again closer to your session.",
            f"Check-in submitted {minutes} minutes before the start; it counts from "
            f"{rules['opens_minutes_before_start']} minutes before.",
            "rules.checkin_window.opens_minutes_before_start",
        )
    elif -minutes > rules["closes_minutes_after_start"]:
        yield Finding(
            "CHECKIN_OUTSIDE_WINDOW",
            rules["late_severity"],
            None,
            "This check-in came in late. Your clinician will confirm the details with you.",
            f"Check-in submitted {-minutes} minutes after the scheduled start.",
            "rules.checkin_window.closes_minutes_after_start",
        )


# --- custom rules -------------------------------------------------------------------------


def _session_map(ctx: _Context) -> dict[str, Any]:
    start, end = _utc(ctx.session.scheduled_start), _utc(ctx.session.scheduled_end)
    session = {
        "scheduled_start": start,
        "scheduled_end": end,
        "submitted_at": ctx.submitted_at,
        "minutes_until_start": ctx.facts["minutes_before_start"],
        "duration_minutes": int((end - start).total_seconds() // 60),
        "client_minor": ctx.facts["minor_client"],
    }
    return session


def _custom_failure(rule: CompiledRule, reason: str) -> Finding:
    return Finding(
        rule.code,
        "info",
        rule.field,
        "One of your practice's own checks could not be completed; your clinician will review it.",
        f"Custom rule '{rule.id}' could not be evaluated on this check-in: {reason}.",
        rule.rule,
    )


def _check_custom(ctx: _Context) -> Iterator[Finding]:
    if not ctx.policy.custom_rules:
        return
    activation = cel_activation(ctx.checkin, _session_map(ctx))
    for rule in ctx.policy.custom_rules:
        try:
            result = rule.program(activation)
        except CelError as exc:
            yield _custom_failure(rule, str(exc))
            continue
        if not isinstance(result, bool | celtypes.BoolType):
            yield _custom_failure(rule, "the result was not true or false")
        elif result:
            yield Finding(
                rule.code,
                rule.severity,
                rule.field,
                rule.message,
                rule.clinician_message,
                rule.rule,
            )


RULES: tuple[Rule, ...] = (
    _check_jurisdiction,
    _check_location,
    _check_place,
    _check_privacy,
    _check_others,
    _check_backup,
    _check_readiness,
    _check_window,
    _check_custom,
)


def _base_facts(
    checkin: dict[str, Any],
    session: SessionFacts,
    policy: CompiledPolicy,
    reference: ReferenceData,
    submitted_at: datetime,
    country: str | None,
    subdivision: str | None,
) -> dict[str, Any]:
    start = _utc(session.scheduled_start)
    place = _section(checkin, "location").get("place_type")
    born = session.client_date_of_birth
    return {
        "jurisdiction": _jurisdiction(country, subdivision, policy.licensed_by_subdivision),
        "covered_by": None,
        "place_type": place,
        "place_of_service": None if not place else ("10" if place == "home" else "02"),
        "emergency": reference.emergency_for(country, subdivision),
        "reference_reviewed_on": reference.reviewed_on,
        "minor_client": None
        if born is None
        else _age_on(born, start.date()) < policy.age_of_majority,
        "minutes_before_start": int((start - submitted_at).total_seconds() // 60),
        "policy_hash": policy.policy_hash,
    }


def _status(findings: tuple[Finding, ...]) -> str:
    severities = {finding.severity for finding in findings}
    for severity, status in STATUS_BY_SEVERITY:
        if severity in severities:
            return status
    return "clear"


def evaluate(
    checkin: dict[str, Any],
    session: SessionFacts,
    clinician: ClinicianFacts,
    policy: CompiledPolicy,
    reference: ReferenceData,
    *,
    submitted_at: datetime,
) -> EvaluationResult:
    """Check one check-in against the practice's policy; never raises on a schema-valid check-in."""
    checkin = checkin if isinstance(checkin, dict) else {}
    submitted_at = _utc(submitted_at)
    country, subdivision = _location_codes(_section(checkin, "location"))
    facts = _base_facts(checkin, session, policy, reference, submitted_at, country, subdivision)
    ctx = _Context(
        checkin, session, clinician, policy, reference, submitted_at, country, subdivision, facts
    )
    findings = tuple(finding for rule in RULES for finding in rule(ctx))
    return EvaluationResult(_status(findings), findings, facts, policy.policy_hash)
