"""Client messages per language in the policy, telehealth consent and identity rules."""

from __future__ import annotations

from typing import Any

import pytest

from teleframe.services.policy import PolicyError, parse_policy
from teleframe.services.policy.fields import in_language

from .conftest import Evaluate, complete_checkin

RULE = (
    "custom_rules:\n"
    "  - id: no-work\n"
    "    expression: has(checkin.location.place_type) && checkin.location.place_type == 'work'\n"
    "    message: {message}\n"
)
WORK = {**complete_checkin(), "location": {**complete_checkin()["location"], "place_type": "work"}}


def _errors(text: str) -> list[dict[str, Any]]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    return caught.value.errors


def test_a_message_may_be_given_per_language() -> None:
    policy = parse_policy(
        RULE.format(message="{en: Not from work please., es: Desde el trabajo no.}")
    )
    rule = policy["custom_rules"][0]
    assert rule["message"] == {"en": "Not from work please.", "es": "Desde el trabajo no."}
    assert rule["clinician_message"] == "Not from work please."
    assert in_language(rule["message"], "es") == "Desde el trabajo no."
    assert in_language(rule["message"], "fr") == "Not from work please."  # English fallback


def test_a_plain_message_stays_as_it_was() -> None:
    policy = parse_policy(RULE.format(message="Not from work please."))
    assert policy["custom_rules"][0]["message"] == "Not from work please."


@pytest.mark.parametrize(
    ("message", "complaint"),
    [
        ("{es: Desde el trabajo no.}", "Give the English text (en)"),
        ("{en: Hi, Spanish: Hola}", "Not a language code"),
        ("{en: Hi, es: 3}", "Must be text"),
        ("{}", "Must be text, or a map"),
        ("[en, es]", "Must be text, or a map"),
        ("{en: ''}", "Must be text"),
    ],
)
def test_a_bad_localised_message_points_at_the_rule(message: str, complaint: str) -> None:
    errors = _errors(RULE.format(message=message))
    assert any(
        complaint in error["message"] and "custom_rules" in str(error.get("path"))
        for error in errors
    ), errors
    assert all(error.get("line") in (None, 4) for error in errors)


def test_the_finding_carries_the_policy_translations(run: Evaluate) -> None:
    policy = {
        "custom_rules": [
            {
                "id": "no-work",
                "expression": "checkin.location.place_type == 'work'",
                "message": {"en": "Not from work please.", "es": "Desde el trabajo no."},
            }
        ]
    }
    [finding] = [f for f in run(WORK, policy=policy).findings if f.code == "CUSTOM_RULE"]
    assert finding.message == "Not from work please."
    assert finding.to_dict()["messages"] == {"es": "Desde el trabajo no."}
    plain = {"custom_rules": [{**policy["custom_rules"][0], "message": "Not from work."}]}
    [finding] = [f for f in run(WORK, policy=plain).findings if f.code == "CUSTOM_RULE"]
    assert "messages" not in finding.to_dict()


def test_consent_is_off_by_default_and_versioned_when_on(run: Evaluate) -> None:
    assert "CONSENT_MISSING" not in {f.code for f in run(complete_checkin()).findings}
    policy = {"consent": {"required": True, "version": "v2"}}
    missing = [f for f in run(complete_checkin(), policy=policy).findings]
    [finding] = [f for f in missing if f.code == "CONSENT_MISSING"]
    assert finding.severity == "block" and finding.field == "consent.agreed"
    old = {**complete_checkin(), "consent": {"agreed": True, "version": "v1"}}
    assert "CONSENT_MISSING" in {f.code for f in run(old, policy=policy).findings}
    current = {**complete_checkin(), "consent": {"agreed": True, "version": "v2"}}
    assert "CONSENT_MISSING" not in {f.code for f in run(current, policy=policy).findings}


def test_consent_text_is_per_language_with_english_required() -> None:
    policy = parse_policy("consent:\n  required: true\n")
    assert set(policy["consent"]["text"]) >= {"en", "es"}
    errors = _errors("consent:\n  text: {es: Hola}\n")
    assert any("English" in error["message"] for error in errors)


def test_a_birth_date_that_differs_from_the_record_is_a_warning(run: Evaluate) -> None:
    policy = {"rules": {"readiness": {"require_identity_confirmation": True}}}
    given = {
        **complete_checkin(),
        "identity": {"full_name": "Sam Client", "date_of_birth": "1991-01-01"},
    }
    [finding] = [f for f in run(given, policy=policy).findings if f.code == "IDENTITY_MISMATCH"]
    assert finding.severity == "warn"
    assert "1990" not in finding.message and "1991" not in finding.message
    same = {**given, "identity": {"full_name": "Sam Client", "date_of_birth": "1990-04-02"}}
    assert "IDENTITY_MISMATCH" not in {f.code for f in run(same, policy=policy).findings}
    assert "IDENTITY_MISMATCH" not in {f.code for f in run(given).findings}  # not asked
