"""Loading, validating, hashing and compiling policy documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from teleframe.services.policy import (
    PolicyError,
    compile_policy,
    content_hash,
    default_policy_text,
    parse_policy,
    validate_policy,
)


def errors_of(text: str) -> list[dict[str, Any]]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    return caught.value.errors


def test_default_policy_loads_and_documents_every_default() -> None:
    policy = parse_policy(default_policy_text())
    bare = validate_policy({"name": policy["name"]})
    assert policy == bare  # the shipped file spells out exactly the built-in defaults
    assert policy["disruption"] == {
        "reconnect_wait_seconds": 60,
        "backup_plan_due_after_seconds": 120,
        "suggest_reschedule_after_seconds": 900,
    }
    assert policy["rules"]["place"]["unsafe_place_types"] == ["vehicle", "public"]


def test_missing_sections_take_defaults() -> None:
    policy = parse_policy("rules:\n  privacy:\n    require_headphones: true\n")
    assert policy["rules"]["privacy"]["require_headphones"] is True
    assert policy["rules"]["privacy"]["require_private_space"] is True
    assert policy["rules"]["backup"]["require_callback_phone"] is True
    assert policy["custom_rules"] == []


def test_wrong_type_names_path_and_line() -> None:
    text = "version: 1\nrules:\n  privacy:\n    require_private_space: 1\n"
    assert errors_of(text) == [
        {
            "path": "rules.privacy.require_private_space",
            "line": 4,
            "message": "Must be true or false.",
        }
    ]


def test_unknown_key_names_path_and_line() -> None:
    text = "rules:\n  backup:\n    enabled: true\n    require_calback_phone: false\n"
    (error,) = errors_of(text)
    assert (error["path"], error["line"]) == ("rules.backup.require_calback_phone", 4)


def test_every_problem_is_reported_at_once() -> None:
    text = (
        "rules:\n"
        "  place:\n"
        "    unsafe_place_types: [vehicle, car]\n"
        "  checkin_window:\n"
        "    opens_minutes_before_start: -5\n"
        "  others_present:\n"
        "    minor_severity: maybe\n"
    )
    found = {(e["path"], e["line"]) for e in errors_of(text)}
    assert found == {
        ("rules.place.unsafe_place_types[1]", 3),
        ("rules.checkin_window.opens_minutes_before_start", 5),
        ("rules.others_present.minor_severity", 7),
    }


def test_json_documents_are_accepted_with_lines() -> None:
    document = {"rules": {"readiness": {"require_identity_confirmation": True}}}
    assert parse_policy(json.dumps(document))["rules"]["readiness"]["require_identity_confirmation"]
    text = '{\n  "rules": {\n    "readiness": {\n      "severity": "fatal"\n    }\n  }\n}\n'
    assert errors_of(text) == [
        {
            "path": "rules.readiness.severity",
            "line": 4,
            "message": "Must be one of: block, warn, info.",
        }
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [("rules:\n  privacy: [unclosed\n", 3), ("rules:\n\tprivacy: {}\n", 2)],
)
def test_syntax_errors_name_the_line(text: str, line: int) -> None:
    (error,) = errors_of(text)
    assert error["line"] == line
    assert error["message"].startswith("Not valid YAML or JSON")


def test_duplicate_keys_are_rejected() -> None:
    (error,) = errors_of("rules:\n  privacy: {}\n  privacy: {enabled: false}\n")
    assert (error["path"], error["line"], error["message"]) == (
        "rules.privacy",
        3,
        "Duplicate key.",
    )


@pytest.mark.parametrize("text", ["", "   \n", "- a\n- b\n", "just text\n"])
def test_documents_that_are_not_a_mapping(text: str) -> None:
    assert errors_of(text)


def test_disruption_timers_must_escalate_in_order() -> None:
    text = "disruption:\n  reconnect_wait_seconds: 300\n  backup_plan_due_after_seconds: 120\n"
    (error,) = errors_of(text)
    assert (error["path"], error["line"]) == ("disruption.backup_plan_due_after_seconds", 3)


def test_unknown_compact_is_rejected_and_aliases_normalised() -> None:
    (error,) = errors_of("rules:\n  jurisdiction:\n    accept_compacts: [PSYPACT, NOT_A_COMPACT]\n")
    assert (error["path"], error["line"]) == ("rules.jurisdiction.accept_compacts[1]", 3)
    policy = parse_policy(
        "rules:\n  jurisdiction:\n    accept_compacts: [psypact, Counseling Compact]\n"
    )
    assert policy["rules"]["jurisdiction"]["accept_compacts"] == ["COUNSELING_COMPACT", "PSYPACT"]


def custom(expression: str, **extra: Any) -> str:
    rule = {"id": "r1", "expression": expression, "message": "m", **extra}
    return yaml.safe_dump({"custom_rules": [rule]})


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("checkin.location ==", "CEL syntax error"),
        ("checkin.location.place_type = 'home'", "CEL syntax error"),
        ("checkin.locaton.place_type == 'home'", "fails on a fully answered check-in"),
        ("clinic.name == 'x'", "Unknown name 'clinic'"),
        ("size(checkin.others_present)", "must evaluate to true or false"),
        ("checkin.location.place_type + 1 == 2", "fails on a fully answered check-in"),
    ],
)
def test_broken_cel_is_rejected_when_saved(expression: str, problem: str) -> None:
    (error,) = errors_of(custom(expression))
    assert error["path"] == "custom_rules[0].expression"
    assert error["line"] is not None
    assert problem in error["message"]


def test_custom_rule_defaults_and_duplicate_ids() -> None:
    (rule,) = parse_policy(custom("has(checkin.privacy)"))["custom_rules"]
    assert (rule["code"], rule["severity"], rule["clinician_message"]) == (
        "CUSTOM_RULE",
        "warn",
        "m",
    )
    text = yaml.safe_dump(
        {"custom_rules": [{"id": "a", "expression": "true", "message": "m"} for _ in range(2)]}
    )
    assert [e["path"] for e in errors_of(text)] == ["custom_rules[1].id"]


def test_hash_is_stable_across_key_order_and_format() -> None:
    policy = parse_policy(default_policy_text())
    shuffled = json.loads(json.dumps(policy, sort_keys=True))
    reversed_order = {key: shuffled[key] for key in reversed(list(shuffled))}
    assert content_hash(reversed_order) == content_hash(policy)
    assert content_hash(parse_policy(json.dumps(reversed_order, indent=4))) == content_hash(policy)
    assert content_hash(parse_policy(yaml.safe_dump(policy))) == content_hash(policy)
    assert content_hash(policy).startswith("sha256:") and len(content_hash(policy)) == 71


def test_hash_changes_with_content() -> None:
    policy = parse_policy(default_policy_text())
    changed = parse_policy("rules:\n  privacy:\n    severity: block\n")
    assert content_hash(changed) != content_hash(policy)


def test_normalised_policy_is_json_and_reparses_to_itself() -> None:
    policy = parse_policy(default_policy_text() + "\n")
    assert parse_policy(json.dumps(policy)) == policy


def test_compile_is_cached_by_content() -> None:
    policy = parse_policy(custom("has(checkin.privacy)"))
    first = compile_policy(policy)
    assert compile_policy(json.loads(json.dumps(policy))) is first
    assert first.policy_hash == content_hash(policy)
    assert [rule.id for rule in first.custom_rules] == ["r1"]


def test_a_stored_rule_that_no_longer_passes_fails_closed_on_each_checkin() -> None:
    """A version saved before today's limits stays usable; only its bad rule blocks."""
    policy = parse_policy(default_policy_text())
    policy["custom_rules"] = [
        {"id": "x", "enabled": True, "expression": "checkin.(", "code": "CUSTOM_RULE",
         "severity": "warn", "field": None, "message": "m", "clinician_message": None}
    ]  # fmt: skip
    (rule,) = compile_policy(policy).custom_rules
    assert rule.program is None and rule.on_error == "block"
    assert rule.problem is not None and "syntax" in rule.problem


def test_compile_rejects_a_stored_policy_that_no_longer_validates() -> None:
    policy = parse_policy(default_policy_text())
    policy["rules"]["place"]["severity"] = "fatal"
    with pytest.raises(PolicyError):
        compile_policy(policy)


def test_reference_overrides_are_validated() -> None:
    text = "reference_overrides:\n  emergency:\n    us-ca: {emergency_number: '911'}\n"
    (error,) = errors_of(text)
    assert error["path"].startswith("reference_overrides.emergency")
    assert error["line"] == 3


def test_compact_override_names_known_professions_and_scopes() -> None:
    text = (
        "reference_overrides:\n  compacts:\n    NLC:\n      professions: [wizard]\n"
        "      scope: licensure_only\n      operational: true\n"
    )
    (error,) = errors_of(text)
    assert error["path"].startswith("reference_overrides.compacts")
    assert "Unknown profession (known: clinical_social_worker," in error["message"]


def test_yaml_aliases_and_oversized_documents_are_refused() -> None:
    bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    (error,) = errors_of(bomb)
    assert (error["line"], "aliases" in error["message"]) == (1, True)
    assert errors_of("name: " + "x" * 200_001 + "\n")
