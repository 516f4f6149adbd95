"""Scenario table: rules from the regulations and practice policies in reference/domain.md.

Each row is a check-in (a complete one with a change), a policy tweak, the clinician, and the
status and finding codes the client and clinician should see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from .conftest import (
    ADDRESS,
    CALLBACK,
    CONTACT_PHONE,
    LOCALITY,
    Evaluate,
    clinician,
    complete_checkin,
    deep_merge,
)

CA_ONLY = clinician()
PSYCHOLOGIST_NC = clinician(
    licences=(("US-NC", None),), compacts=("PSYPACT",), home="US-NC", kind="PsyD"
)
PSYCHOLOGIST_CO = clinician(
    licences=(("US-CO", None),), compacts=("PSYPACT",), home="US-CO", kind="PsyD"
)
PSYCHOLOGIST_CA_PSYPACT = clinician(compacts=("PSYPACT",), home="US-CA", kind="PhD")
COUNSELOR_CT = clinician(
    licences=(("US-CT", None),), compacts=("Counseling Compact",), home="US-CT"
)
NO_OTHERS_UNLESS_AGREED = {
    "custom_rules": [
        {
            "id": "no-one-else-in-the-room",
            "expression": "has(checkin.others_present) && size(checkin.others_present) > 0",
            "code": "OTHERS_PRESENT_NOT_AGREED",
            "severity": "block",
            "field": "others_present",
            "message": "Please join from a room where you are on your own.",
        }
    ]
}
ALL_OFF = {
    "rules": {
        name: {"enabled": False}
        for name in (
            "jurisdiction", "location", "place", "privacy", "others_present", "backup",
            "readiness", "checkin_window",
        )
    }
}  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    id: str
    source: str
    expect_status: str
    expect_codes: tuple[str, ...] = ()
    checkin: dict[str, Any] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)
    who: Any = CA_ONLY
    minutes_before: int = 10
    replace_checkin: dict[str, Any] | None = None


def loc(**values: Any) -> dict[str, Any]:
    return {"location": values}


SCENARIOS = [
    Scenario("complete-at-home-licensed", "DESIGN: every item answered", "clear"),
    # --- jurisdiction: the client's physical location decides ---------------------------
    Scenario("client-in-texas-unlicensed", "TSBEMFT; OAC 4757-5-13(A)(1)", "blocked",
             ("JURISDICTION_NOT_LICENSED",), loc(subdivision="US-TX")),
    Scenario("licence-expired-before-session", "licence with expiry", "blocked",
             ("JURISDICTION_NOT_LICENSED",),
             who=clinician(licences=(("US-CA", date(2026, 11, 30)),))),
    Scenario("licence-expiry-check-off", "policy switch", "clear",
             policy={"rules": {"jurisdiction": {"check_license_expiry": False}}},
             who=clinician(licences=(("US-CA", date(2026, 11, 30)),))),
    Scenario("licence-expires-on-session-day", "licence still valid that day", "clear",
             who=clinician(licences=(("US-CA", date(2026, 12, 1)),))),
    Scenario("psypact-receiving-state", "PSYPACT Receiving State; CO and AZ effective 2020-07-01",
             "clear", checkin=loc(subdivision="US-AZ"), who=PSYCHOLOGIST_CO),
    Scenario("psypact-home-effective-date-unsourced", "NC listed by CCHP, effective date UNSOURCED",
             "attention", ("JURISDICTION_COMPACT_UNVERIFIED",), loc(subdivision="US-AL"),
             who=PSYCHOLOGIST_NC),
    Scenario("psypact-home-state-not-member", "PSYPACT: initiate from Home State", "blocked",
             ("JURISDICTION_NOT_LICENSED",), loc(subdivision="US-VT"),
             who=PSYCHOLOGIST_CA_PSYPACT),
    Scenario("psypact-home-check-off", "policy switch", "clear", checkin=loc(subdivision="US-AZ"),
             policy={"rules": {"jurisdiction": {"compact_home_check": False}}},
             who=PSYCHOLOGIST_CA_PSYPACT),
    Scenario("psypact-not-accepted", "practice accepts no compacts", "blocked",
             ("JURISDICTION_NOT_LICENSED",), loc(subdivision="US-AL"),
             policy={"rules": {"jurisdiction": {"accept_compacts": []}}}, who=PSYCHOLOGIST_NC),
    Scenario("counseling-compact-needs-per-state-privilege", "Counseling Compact FAQ", "blocked",
             ("JURISDICTION_NOT_LICENSED",), loc(subdivision="US-MD"),
             policy={"rules": {"jurisdiction": {"accept_compacts": ["Counseling Compact"]}}},
             who=COUNSELOR_CT),
    Scenario("counseling-compact-privilege-recorded", "privilege recorded as a licence", "clear",
             checkin=loc(subdivision="US-MD"),
             who=clinician(licences=(("US-CT", None), ("US-MD", None)), home="US-CT")),
    Scenario("subdivision-missing-in-us", "US licences are per state", "blocked",
             ("JURISDICTION_UNKNOWN",), loc(subdivision=None)),
    Scenario("subdivision-in-another-country", "location that does not agree", "blocked",
             ("JURISDICTION_UNKNOWN",), loc(subdivision="CA-ON")),
    Scenario("country-missing", "location unknown", "blocked",
             ("JURISDICTION_UNKNOWN", "EMERGENCY_NUMBER_UNREVIEWED"),
             loc(country=None, subdivision=None)),
    Scenario("national-licence-covers-country", "licence per country outside US/CA", "clear",
             checkin=loc(country="GB", subdivision="GB-ENG"), who=clinician(licences=(("GB", None),)),
             policy={"rules": {"backup": {"phone_region": "any"}}}),
    Scenario("jurisdiction-rule-off", "policy switch", "clear", checkin=loc(subdivision="US-TX"),
             policy={"rules": {"jurisdiction": {"enabled": False}}}),
    # --- location specificity -------------------------------------------------------------
    Scenario("maryland-specific-location", "COMAR 10.42.10.04 (2) specific location", "blocked",
             ("LOCATION_INCOMPLETE", "LOCATION_INCOMPLETE"), loc(locality=None, address=None),
             policy={"rules": {"location": {"require_locality": True, "require_address": True}}}),
    Scenario("california-present-address", "16 CCR 1815.5: address each session", "clear",
             policy={"rules": {"location": {"require_address": True}}}),
    Scenario("address-optional-by-default", "default policy", "clear",
             checkin=loc(locality=None, address=None)),
    Scenario("place-type-missing", "place type required", "blocked", ("LOCATION_INCOMPLETE",),
             loc(place_type=None)),
    Scenario("country-missing-jurisdiction-off", "location rule alone", "blocked",
             ("LOCATION_INCOMPLETE", "LOCATION_INCOMPLETE", "EMERGENCY_NUMBER_UNREVIEWED"),
             loc(country=None, subdivision=None),
             policy={"rules": {"jurisdiction": {"enabled": False}}}),
    # --- place ---------------------------------------------------------------------------
    Scenario("in-a-vehicle", "practice policy: not driving", "blocked", ("PLACE_UNSAFE",),
             loc(place_type="vehicle")),
    Scenario("in-public", "practice policy: no public places", "blocked", ("PLACE_UNSAFE",),
             loc(place_type="public")),
    Scenario("at-work-allowed-by-default", "default unsafe list", "clear",
             checkin=loc(place_type="work")),
    Scenario("practice-adds-work", "tunable unsafe list", "attention", ("PLACE_UNSAFE",),
             loc(place_type="work"),
             policy={"rules": {"place": {"unsafe_place_types": ["work"], "severity": "warn"}}}),
    # --- privacy, others present ----------------------------------------------------------
    Scenario("not-private", "confidentiality (16 CCR 1815.5)", "attention",
             ("PRIVACY_NOT_PRIVATE",), {"privacy": {"private_space": False}}),
    Scenario("privacy-unanswered", "not confirmed is not private", "attention",
             ("PRIVACY_NOT_PRIVATE", "PRIVACY_NOT_PRIVATE"),
             {"privacy": {"private_space": None, "can_speak_freely": None}}),
    Scenario("privacy-blocks-when-asked", "tunable severity", "blocked", ("PRIVACY_NOT_PRIVATE",),
             {"privacy": {"can_speak_freely": False}},
             policy={"rules": {"privacy": {"severity": "block"}}}),
    Scenario("others-without-consent", "COMAR 10.42.10.04 (3)", "blocked",
             ("OTHERS_PRESENT_WITHOUT_CONSENT",),
             {"others_present": [{"relationship": "partner", "minor": False,
                                  "client_consents_to_hear": False}]}),
    Scenario("others-with-consent", "COMAR 10.42.10.04 (3)", "clear",
             checkin={"others_present": [{"relationship": "partner", "minor": False,
                                          "client_consents_to_hear": True}]}),
    Scenario("others-unanswered", "COMAR: identify all individuals present", "blocked",
             ("OTHERS_PRESENT_WITHOUT_CONSENT",), {"others_present": None}),
    Scenario("others-unanswered-allowed", "policy switch", "clear",
             checkin={"others_present": None},
             policy={"rules": {"others_present": {"require_answer": False}}}),
    Scenario("minor-present-warns", "TFI checklist: minors", "attention", ("MINOR_PRESENT",),
             {"others_present": [{"relationship": "child", "minor": True,
                                  "client_consents_to_hear": True}]}),
    Scenario("minor-present-blocks", "practice: no children present", "blocked",
             ("MINOR_PRESENT",),
             {"others_present": [{"relationship": "child", "minor": True,
                                  "client_consents_to_hear": True}]},
             policy={"rules": {"others_present": {"minor_severity": "block"}}}),
    Scenario("no-one-else-unless-agreed", "iyouwetherapy.com practice rule as CEL", "blocked",
             ("OTHERS_PRESENT_NOT_AGREED",),
             {"others_present": [{"relationship": "partner", "minor": False,
                                  "client_consents_to_hear": True}]},
             policy=NO_OTHERS_UNLESS_AGREED),
    Scenario("no-one-else-and-alone", "iyouwetherapy.com practice rule as CEL", "clear",
             policy=NO_OTHERS_UNLESS_AGREED),
    # --- backup plan ---------------------------------------------------------------------
    Scenario("no-callback-phone", "COMAR 10.42.10.04 (1); IC 25-33-3-5(7)", "blocked",
             ("BACKUP_PHONE_MISSING",), {"backup": {"callback_phone": None}}),
    Scenario("callback-not-dialable", "a number that cannot be called", "blocked",
             ("BACKUP_PHONE_INVALID",), {"backup": {"callback_phone": "+1123"}}),
    Scenario("callback-from-another-country", "valid for the client's country", "attention",
             ("BACKUP_PHONE_INVALID",), {"backup": {"callback_phone": "+33142685300"}}),
    Scenario("callback-any-region", "policy switch", "clear",
             checkin={"backup": {"callback_phone": "+33142685300"}},
             policy={"rules": {"backup": {"phone_region": "any"}}}),
    Scenario("no-emergency-contact", "practice policy: emergency contact", "attention",
             ("EMERGENCY_CONTACT_MISSING",), {"backup": {"emergency_contact": None}}),
    Scenario("emergency-contact-optional", "policy switch", "clear",
             checkin={"backup": {"emergency_contact": None}},
             policy={"rules": {"backup": {"require_emergency_contact": False}}}),
    Scenario("emergency-contact-is-client", "contact must differ from callback", "attention",
             ("EMERGENCY_CONTACT_MISSING",),
             {"backup": {"emergency_contact": {"phone": CALLBACK}}}),
    Scenario("emergency-contact-same-allowed", "policy switch", "clear",
             checkin={"backup": {"emergency_contact": {"phone": CALLBACK}}},
             policy={"rules": {"backup": {"emergency_contact_must_differ": False}}}),
    Scenario("emergency-contact-bad-number", "a number that cannot be called", "blocked",
             ("BACKUP_PHONE_INVALID",), {"backup": {"emergency_contact": {"phone": "+1555"}}}),
    # --- readiness -----------------------------------------------------------------------
    Scenario("driving", "practice policy: not driving", "blocked", ("NOT_READY",),
             {"readiness": {"not_driving": False}}),
    Scenario("not-a-good-time", "AMFTRB: is this a good time to proceed?", "blocked",
             ("NOT_READY",), {"readiness": {"good_time_to_proceed": False}}),
    Scenario("identity-asked-not-confirmed", "IC 25-33-3-5(6): verify identity", "blocked",
             ("NOT_READY",), {"readiness": {"identity_confirmed": None}},
             policy={"rules": {"readiness": {"require_identity_confirmation": True}}}),
    Scenario("identity-asked-confirmed", "IC 25-33-3-5(6): verify identity", "clear",
             policy={"rules": {"readiness": {"require_identity_confirmation": True}}}),
    Scenario("identity-not-asked", "default policy", "clear",
             checkin={"readiness": {"identity_confirmed": None}}),
    # --- check-in window -----------------------------------------------------------------
    Scenario("three-hours-early", "check-in window", "blocked", ("CHECKIN_OUTSIDE_WINDOW",),
             minutes_before=180),
    Scenario("an-hour-early", "check-in window edge", "clear", minutes_before=60),
    Scenario("half-an-hour-late", "check-in window", "attention", ("CHECKIN_OUTSIDE_WINDOW",),
             minutes_before=-30),
    Scenario("wider-window", "tunable window", "clear", minutes_before=180,
             policy={"rules": {"checkin_window": {"opens_minutes_before_start": 240}}}),
    # --- custom rules and switches -------------------------------------------------------
    Scenario("custom-rule-runtime-error", "CEL error fails closed, never raised", "blocked",
             ("CUSTOM_RULE_ERROR",), loc(locality=None),
             policy={"custom_rules": [{"id": "oakland", "expression":
                                       'checkin.location.locality == "Berkeley"',
                                       "message": "x"}]}),
    Scenario("custom-rule-error-severity", "the practice chose on_error: warn", "attention",
             ("CUSTOM_RULE_ERROR",), loc(locality=None),
             policy={"custom_rules": [{"id": "oakland", "expression":
                                       'checkin.location.locality == "Berkeley"',
                                       "on_error": "warn", "message": "x"}]}),
    Scenario("custom-rule-on-session", "CEL over the session map", "attention", ("CUSTOM_RULE",),
             policy={"custom_rules": [{"id": "short", "expression":
                                       "session.duration_minutes < 53", "message": "short"}]}),
    Scenario("everything-missing-all-rules-off", "every rule switchable; emergency info stays",
             "clear", ("EMERGENCY_NUMBER_UNREVIEWED",), policy=ALL_OFF, replace_checkin={}),
    Scenario("everything-missing", "default policy", "blocked",
             ("BACKUP_PHONE_MISSING", "EMERGENCY_CONTACT_MISSING", "JURISDICTION_UNKNOWN",
              "EMERGENCY_NUMBER_UNREVIEWED",
              "LOCATION_INCOMPLETE", "NOT_READY", "NOT_READY", "OTHERS_PRESENT_WITHOUT_CONSENT",
              "PRIVACY_NOT_PRIVATE", "PRIVACY_NOT_PRIVATE"), replace_checkin={}),
]  # fmt: skip


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(run: Evaluate, scenario: Scenario) -> None:
    checkin = scenario.replace_checkin
    if checkin is None:
        checkin = deep_merge(complete_checkin(), scenario.checkin)
    result = run(
        checkin, policy=scenario.policy, who=scenario.who, minutes_before=scenario.minutes_before
    )
    assert (result.status, sorted(f.code for f in result.findings)) == (
        scenario.expect_status,
        sorted(scenario.expect_codes),
    )
    dumped = json.dumps(result.to_dict())
    for private in (ADDRESS, LOCALITY, CALLBACK, CONTACT_PHONE, "Alex"):
        assert private not in dumped


def test_scenarios_cover_every_stable_code() -> None:
    codes = {code for scenario in SCENARIOS for code in scenario.expect_codes}
    assert codes >= {
        "JURISDICTION_NOT_LICENSED", "JURISDICTION_UNKNOWN", "LOCATION_INCOMPLETE",
        "PLACE_UNSAFE", "PRIVACY_NOT_PRIVATE", "OTHERS_PRESENT_WITHOUT_CONSENT", "MINOR_PRESENT",
        "BACKUP_PHONE_MISSING", "BACKUP_PHONE_INVALID", "EMERGENCY_CONTACT_MISSING", "NOT_READY",
        "CHECKIN_OUTSIDE_WINDOW", "CUSTOM_RULE", "CUSTOM_RULE_ERROR",
    }  # fmt: skip


def test_licence_coverage_is_a_fact(run: Evaluate) -> None:
    facts = run(complete_checkin()).facts
    assert facts["jurisdiction"] == "US-CA"
    assert facts["covered_by"] == {
        "kind": "license",
        "jurisdiction": "US-CA",
        "number": "LIC-US-CA",
    }


def test_compact_coverage_is_a_fact(run: Evaluate) -> None:
    checkin = deep_merge(complete_checkin(), loc(subdivision="US-AZ"))
    assert run(checkin, who=PSYCHOLOGIST_CO).facts["covered_by"] == {
        "kind": "compact",
        "name": "PSYPACT",
        "verified": True,
    }


@pytest.mark.parametrize(("place", "pos"), [("home", "10"), ("work", "02"), (None, None)])
def test_place_of_service_follows_place_not_modality(
    run: Evaluate, place: str | None, pos: str | None
) -> None:
    checkin = deep_merge(complete_checkin(), loc(place_type=place))
    assert run(checkin).facts["place_of_service"] == pos


def test_local_emergency_number_and_crisis_line(run: Evaluate) -> None:
    us = run(complete_checkin()).facts["emergency"]
    assert (us["emergency_number"], us["crisis_line"]) == ("911", "988")
    fr = run(deep_merge(complete_checkin(), loc(country="FR", subdivision=None))).facts
    assert fr["emergency"]["emergency_number"] == "112"
    assert fr["emergency"]["crisis_line"] == "3114"
    at = run(deep_merge(complete_checkin(), loc(country="AT", subdivision=None))).facts
    assert (at["emergency"]["emergency_number"], at["emergency"]["crisis_line"]) == ("112", None)
    assert at["emergency"]["crisis_message"].startswith("No reviewed crisis line for AT")


@pytest.mark.parametrize(
    ("dob", "minor"), [(date(2010, 1, 1), True), (date(2008, 12, 1), False), (None, None)]
)
def test_minor_client_from_date_of_birth(
    run: Evaluate, dob: date | None, minor: bool | None
) -> None:
    assert run(complete_checkin(), dob=dob).facts["minor_client"] is minor


def test_findings_name_field_rule_and_both_messages(run: Evaluate) -> None:
    checkin = deep_merge(complete_checkin(), {"readiness": {"not_driving": False}})
    (finding,) = run(checkin).findings
    assert finding.field == "readiness.not_driving"
    assert finding.rule == "rules.readiness.require_not_driving"
    assert "driving" in finding.message
    assert finding.clinician_message and finding.clinician_message != finding.message


def test_result_names_policy_version(run: Evaluate) -> None:
    result = run(complete_checkin())
    assert result.policy_hash.startswith("sha256:")
    assert result.facts["policy_hash"] == result.policy_hash
    other = run(complete_checkin(), policy={"rules": {"privacy": {"require_headphones": True}}})
    assert other.policy_hash != result.policy_hash
