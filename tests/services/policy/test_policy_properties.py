"""Property tests: any schema-valid check-in, under any policy switches, evaluates safely."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teleframe.services.evaluation import EvaluationResult, SessionFacts, evaluate
from teleframe.services.reference import load_reference

from .conftest import START, clinician, policy_with

REFERENCE = load_reference()
CODES = {
    "JURISDICTION_NOT_LICENSED", "JURISDICTION_UNKNOWN", "JURISDICTION_COMPACT_UNVERIFIED",
    "EMERGENCY_NUMBER_UNREVIEWED", "LOCATION_INCOMPLETE", "PLACE_UNSAFE",
    "PRIVACY_NOT_PRIVATE", "OTHERS_PRESENT_WITHOUT_CONSENT", "MINOR_PRESENT",
    "BACKUP_PHONE_MISSING", "BACKUP_PHONE_INVALID", "EMERGENCY_CONTACT_MISSING", "NOT_READY",
    "CHECKIN_OUTSIDE_WINDOW", "CUSTOM_RULE", "PRACTICE_RULE", "CUSTOM_RULE_ERROR",
}  # fmt: skip
SUBDIVISIONS = ["US-CA", "US-NC", "US-AL", "US-MD", "US-TX", "CA-ON", "GB-ENG", "FR-75", "AU-NSW"]
PHONES = ["+15105550123", "+14155550188", "+33142685300", "+442079460958", "+1123", "+999"]
PLACES = ["home", "work", "school", "healthcare_facility", "vehicle", "public", "other"]
SECRET = "Zq-private-marker"  # free text the client typed; must never come back out

maybe_bool = st.one_of(st.none(), st.booleans())
phone = st.one_of(
    st.none(), st.sampled_from(PHONES), st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)
)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def section(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return optional(st.fixed_dictionaries({}, optional=fields))


checkins = st.fixed_dictionaries(
    {},
    optional={
        "location": section(
            country=optional(st.sampled_from(["US", "CA", "GB", "FR", "AU", "MX"])),
            subdivision=optional(st.sampled_from(SUBDIVISIONS)),
            locality=optional(st.just(SECRET)),
            address=optional(st.just(SECRET)),
            place_type=optional(st.sampled_from(PLACES)),
            same_as_last_time=maybe_bool,
        ),
        "privacy": section(
            private_space=maybe_bool, can_speak_freely=maybe_bool, headphones=maybe_bool
        ),
        "others_present": optional(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "relationship": optional(st.just(SECRET)),
                        "minor": maybe_bool,
                        "client_consents_to_hear": maybe_bool,
                    },
                ),
                max_size=4,
            )
        ),
        "backup": section(
            callback_phone=phone,
            emergency_contact=section(
                name=optional(st.just(SECRET)),
                relationship=optional(st.text(max_size=5)),
                phone=phone,
            ),
        ),
        "readiness": section(
            good_time_to_proceed=maybe_bool, not_driving=maybe_bool, identity_confirmed=maybe_bool
        ),
    },
)

RULE_SECTIONS = [
    "jurisdiction",
    "location",
    "place",
    "privacy",
    "others_present",
    "backup",
    "readiness",
    "checkin_window",
]
CUSTOM = [
    {"id": "work", "expression": 'checkin.location.place_type == "work"', "message": "m"},
    {"id": "crowd", "expression": "has(checkin.others_present) && size(checkin.others_present) > 1",
     "code": "PRACTICE_RULE", "severity": "block", "message": "m"},
    {"id": "soon", "expression": "session.minutes_until_start < 0", "severity": "info", "message": "m"},
]  # fmt: skip
policies = st.fixed_dictionaries(
    {
        "rules": st.fixed_dictionaries(
            {name: st.fixed_dictionaries({"enabled": st.booleans()}) for name in RULE_SECTIONS}
        ),
        "custom_rules": st.lists(st.sampled_from(CUSTOM), unique_by=lambda r: r["id"], max_size=3),
    }
)
sessions = st.builds(
    SessionFacts,
    scheduled_start=st.just(START),
    scheduled_end=st.just(START + timedelta(minutes=50)),
    client_date_of_birth=optional(st.dates(date(1930, 1, 1), date(2026, 12, 1))),
)
clinicians = st.sampled_from(
    [clinician(), clinician(licences=(("US-NC", None),), compacts=("PSYPACT",), home="US-NC"),
     clinician(licences=(), compacts=("Counseling Compact",), home=None)]
)  # fmt: skip
submitted = st.datetimes(datetime(2026, 11, 30), datetime(2026, 12, 2), timezones=st.just(UTC))


def run(
    checkin: dict[str, Any], policy: dict[str, Any], session: SessionFacts, who: Any, at: datetime
) -> EvaluationResult:
    return evaluate(checkin, session, who, policy_with(policy), REFERENCE, submitted_at=at)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(checkins, policies, sessions, clinicians, submitted)
def test_never_raises_and_status_follows_severities(
    checkin: dict[str, Any], policy: dict[str, Any], session: SessionFacts, who: Any, at: datetime
) -> None:
    result = run(checkin, policy, session, who, at)
    severities = {finding.severity for finding in result.findings}
    expected = (
        "blocked" if "block" in severities else "attention" if "warn" in severities else "clear"
    )
    assert result.status == expected
    assert severities <= {"block", "warn", "info"}
    for finding in result.findings:
        assert finding.code in CODES
        assert finding.message and finding.clinician_message
        assert finding.rule.startswith(("rules.", "custom_rules.", "reference_overrides."))


@settings(max_examples=150, deadline=None)
@given(checkins, policies, sessions, clinicians, submitted)
def test_deterministic_json_ready_and_free_of_client_text(
    checkin: dict[str, Any], policy: dict[str, Any], session: SessionFacts, who: Any, at: datetime
) -> None:
    first = run(checkin, policy, session, who, at).to_dict()
    again = run(json.loads(json.dumps(checkin)), policy, session, who, at).to_dict()
    assert first == again
    dumped = json.dumps(first)
    assert SECRET not in dumped
    backup = checkin.get("backup") or {}
    contact = backup.get("emergency_contact") or {}
    for number in (backup.get("callback_phone"), contact.get("phone")):
        assert not number or number not in dumped
    assert {"jurisdiction", "covered_by", "place_of_service", "emergency", "minor_client",
            "policy_hash"} <= set(first["facts"])  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(checkins, sessions, submitted)
def test_turning_every_rule_off_clears_everything(
    checkin: dict[str, Any], session: SessionFacts, at: datetime
) -> None:
    off = {"rules": {name: {"enabled": False} for name in RULE_SECTIONS}}
    assert run(checkin, off, session, clinician(), at).status == "clear"
