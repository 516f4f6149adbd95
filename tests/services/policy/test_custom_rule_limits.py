"""Custom rules that would stall a worker or reach Python internals are refused at save; what
slips past runs on a budget and fails closed."""

from __future__ import annotations

import copy
import signal
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from celery.exceptions import SoftTimeLimitExceeded

from teleframe.api.sessions.schemas import CheckInCreateSchema
from teleframe.services.evaluation import evaluate
from teleframe.services.evaluation.custom import CUSTOM_RULE_ERROR
from teleframe.services.policy import SAMPLE_SESSION, PolicyError, cel_activation, parse_policy
from teleframe.services.policy.cel import CelProgram
from teleframe.services.policy.cel_budget import STEPS_PER_CHECKIN, Budget
from teleframe.services.policy.cel_limits import MAX_DEPTH, MAX_LITERAL_ITEMS, MAX_NODES
from teleframe.services.policy.worst_case import (
    MAX_OTHERS_PRESENT,
    TEXT_LIMITS,
    WORST_CASE_CHECKIN,
)
from teleframe.services.reference import ReferenceData

from .conftest import START, Evaluate, clinician, complete_checkin, policy_with, session

PEOPLE = "checkin.others_present"
TRIPLE = f"({PEOPLE} + {PEOPLE} + {PEOPLE})"
FIVE_FOLD = "(" + " + ".join([PEOPLE] * 5) + ")"
# Cheap on the worst-case check-in (headphones on), costly for a client without headphones:
# the kind of rule only the run-time budget can stop.
HIDDEN_COST = (
    f"checkin.privacy.headphones ? false : "
    f"{FIVE_FOLD}.exists(a, {FIVE_FOLD}.exists(b, a.minor && !b.minor))"
)


def nested_exists(depth: int, over: str = PEOPLE) -> str:
    body = "false"
    for level in reversed(range(depth)):
        body = f"{over}.exists(v{level}, {body})"
    return body


def policy_text(*expressions: str, **extra: Any) -> str:
    rules = [
        {"id": f"rule-{index}", "expression": expression, "message": "m", **extra}
        for index, expression in enumerate(expressions)
    ]
    return yaml.safe_dump({"custom_rules": rules})


def refusal(*expressions: str) -> list[dict[str, Any]]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(policy_text(*expressions))
    return caught.value.errors


LONG_LIST = "[" + ", ".join(["checkin.privacy.headphones == true"] * 30) + "].size() > 0"
LIST_OF_20 = "[" + ", ".join(str(n) for n in range(20)) + "]"
HOSTILE = {
    "exists nested 6 deep": (nested_exists(6), "nest at most 2 deep"),
    "20^5 comprehension over a list literal": (nested_exists(5, LIST_OF_20), "nest at most 2"),
    "python internals": ("string(__dict__.functions).size() > 0", "beginning with '_'"),
    "dunder field": ("checkin.__class__ == checkin", "beginning with '_'"),
    "underscore variable": (f"{PEOPLE}.exists(_p, true)", "beginning with '_'"),
    "unknown root": ("request.headers.size() > 0", "Unknown name 'request'"),
    "field of a literal": ('{"a": 1}.a == 1', "Fields may be read only"),
    "non-standard reduce": (f"{PEOPLE}.reduce(r, 0, x, r + r) > 0", "Unknown function"),
    "unknown function": ("exec('x')", "Unknown function 'exec'"),
    "long list literal": (
        "[" + ", ".join(["1"] * (MAX_LITERAL_ITEMS + 1)) + "].size() > 0",
        "at most 50 items",
    ),
    "too many parts": (" && ".join([LONG_LIST] * 2), f"more than {MAX_NODES} parts"),
    "too deep": ("(" * (MAX_DEPTH // 8) + "true" + ")" * (MAX_DEPTH // 8), "levels deep"),
    "costly on the largest check-in": (
        f"{FIVE_FOLD}.exists(a, {FIVE_FOLD}.exists(b, a.minor && !b.minor))",
        "Too costly",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_rules_are_refused_at_save_naming_the_rule(name: str) -> None:
    expression, reason = HOSTILE[name]
    (error,) = refusal("has(checkin.privacy)", expression)
    assert error["path"] == "custom_rules[1].expression"
    assert error["message"].startswith("Rule 'rule-1': ")
    assert reason in error["message"]


def test_rules_that_each_fit_are_refused_when_together_they_exceed_the_budget() -> None:
    costly = f"{PEOPLE}.exists(a, {TRIPLE}.exists(b, a == b))"
    parse_policy(policy_text(costly))  # alone it fits
    (error,) = refusal(costly, costly.replace("a == b", "b == a"))
    assert error["path"] == "custom_rules" and "all the enabled rules together" in error["message"]


def test_a_save_stops_trying_rules_once_a_budget_of_steps_is_spent() -> None:
    """Fifty rules, each fitting alone, cannot make a save try fifty budgets' worth."""
    costly = [f"{PEOPLE}.exists(a{n}, {TRIPLE}.exists(b, a{n} == b))" for n in range(5)]
    errors = refusal(*costly, "checkin.(")
    by_path = {error["path"]: error["message"] for error in errors}
    assert "custom_rules[0].expression" not in by_path  # tried, fits alone
    assert "custom_rules[1].expression" not in by_path  # tried: now over the budget
    for index in (2, 3, 4):
        assert "Not tried" in by_path[f"custom_rules[{index}].expression"]
    assert "CEL syntax error" in by_path["custom_rules[5].expression"]  # still parsed
    assert "all the enabled rules together" in by_path["custom_rules"]


@pytest.mark.parametrize(
    "expression",
    [
        'has(checkin.location.place_type) && checkin.location.place_type == "work"',
        f"{PEOPLE}.exists(a, {PEOPLE}.exists(b, a.minor && !b.client_consents_to_hear))",
        f"{PEOPLE}.filter(p, p.minor).map(p, p.relationship).size() > 1",
        'checkin.location.address.matches("^[0-9]+ ") && type(session.duration_minutes) == int',
        "session.duration_minutes < 53 && checkin.others_present[0].minor",
        '["vehicle", "public"].exists(t, t == checkin.location.place_type)',
    ],
)
def test_ordinary_rules_are_accepted(expression: str) -> None:
    assert parse_policy(policy_text(expression))["custom_rules"][0]["on_error"] == "block"


def test_steps_are_counted_inside_comprehensions() -> None:
    """Guards the use of celpy's Evaluator: if an upgrade stopped building comprehension bodies
    through `sub_evaluator`, their steps would go uncounted and this would fail."""

    def steps(expression: str) -> int:
        budget = Budget()
        CelProgram(expression)(cel_activation(WORST_CASE_CHECKIN, SAMPLE_SESSION), budget)
        return STEPS_PER_CHECKIN - budget.steps_left

    one_level = steps(f"{PEOPLE}.exists(p, p.minor)")
    two_levels = steps(f"{PEOPLE}.exists(p, {PEOPLE}.exists(q, p.minor && q.minor))")
    assert one_level > MAX_OTHERS_PRESENT * 2
    assert two_levels > MAX_OTHERS_PRESENT * one_level
    assert steps(f"{PEOPLE}.exists(p, p.minor)") == one_level  # deterministic


def crowd(people: int = MAX_OTHERS_PRESENT) -> dict[str, Any]:
    checkin = complete_checkin()
    checkin["privacy"]["headphones"] = False
    person = {"relationship": "friend", "minor": False, "client_consents_to_hear": True}
    checkin["others_present"] = [dict(person) for _ in range(people)]
    return checkin


def rules(*expressions: str, **extra: Any) -> dict[str, Any]:
    return yaml.safe_load(policy_text(*expressions, **extra))


def errors(result: Any) -> list[Any]:
    return [finding for finding in result.findings if finding.code == CUSTOM_RULE_ERROR]


def test_a_rule_that_runs_out_fails_closed_and_so_do_the_rules_after_it(run: Evaluate) -> None:
    result = run(crowd(), policy=rules(HIDDEN_COST, "true"))
    assert result.status == "blocked"
    assert [(f.rule, f.severity) for f in errors(result)] == [
        ("custom_rules.rule-0", "block"),
        ("custom_rules.rule-1", "block"),
    ]
    assert "budget" in errors(result)[0].clinician_message


def test_on_error_sets_the_severity_of_a_failed_rule(run: Evaluate) -> None:
    result = run(crowd(), policy=rules(HIDDEN_COST, on_error="warn"))
    assert result.status == "attention"
    assert [f.severity for f in errors(result)] == ["warn"]


def test_the_budget_is_shared_by_all_rules_of_a_checkin(run: Evaluate) -> None:
    """Each rule alone fits; the third one on the same check-in finds the budget spent."""
    half = f"checkin.privacy.headphones ? false : {PEOPLE}.exists(a, {TRIPLE}.exists(b, a == b))"
    alone = run(crowd(), policy=rules(half))
    assert not errors(alone)
    together = run(crowd(), policy=rules(half, half.replace("a == b", "b == a"), "true"))
    assert together.status == "blocked"
    assert [f.rule for f in errors(together)][-1] == "custom_rules.rule-2"


def test_a_small_checkin_is_not_affected(run: Evaluate) -> None:
    result = run(crowd(people=2), policy=rules(HIDDEN_COST))
    assert not errors(result) and result.status == "clear"


def test_a_workers_soft_time_limit_is_not_swallowed(reference: ReferenceData) -> None:
    """billiard raises SoftTimeLimitExceeded from a signal handler; it must end the task
    rather than turn into a finding (which once made the check-in come out clear)."""
    policy, checkin = policy_with(rules(HIDDEN_COST)), crowd()  # prepared before the timer

    def soft_limit(signum: int, frame: Any) -> None:
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, soft_limit)
    signal.setitimer(signal.ITIMER_REAL, 0.01)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            for _ in range(1000):  # each evaluation runs far longer than the timer
                evaluate(checkin, session(), clinician(), policy, reference, submitted_at=START)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_worst_case_checkin_is_the_largest_the_api_accepts() -> None:
    schema = CheckInCreateSchema()
    assert schema.validate(WORST_CASE_CHECKIN) == {}
    larger = copy.deepcopy(WORST_CASE_CHECKIN)
    larger["others_present"].append(larger["others_present"][0])
    assert "others_present" in schema.validate(larger)
    for field, section in _text_fields():
        longer = copy.deepcopy(WORST_CASE_CHECKIN)
        section(longer)[field] += "x"
        assert schema.validate(longer), f"{field} may be longer than {TEXT_LIMITS[field]}"


def _text_fields() -> Iterator[tuple[str, Any]]:
    yield "locality", lambda c: c["location"]
    yield "address", lambda c: c["location"]
    yield "relationship", lambda c: c["others_present"][0]
    yield "name", lambda c: c["backup"]["emergency_contact"]
    yield "relationship", lambda c: c["backup"]["emergency_contact"]
