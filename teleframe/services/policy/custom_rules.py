"""A practice's own CEL rules: checked when the policy is saved, compiled for evaluation.

At save a rule must pass the static limits (cel_limits) and then run, within the budget, on
the worst-case check-in (every list as long as the check-in schema allows); the steps it took
there are kept so that the policy's rules together can be held to one check-in's budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import celpy

from .cel import CelError, CelProgram, cel_activation, is_cel_bool
from .cel_budget import STEPS_PER_CHECKIN, Budget, BudgetExhausted
from .cel_limits import CelLimitError
from .errors import PathKey
from .fields import SOURCE_LANGUAGE, in_language, translations
from .worst_case import WORST_CASE_CHECKIN

SAMPLE_CHECKIN: dict[str, Any] = {
    "location": {
        "country": "US",
        "subdivision": "US-CA",
        "locality": "Sample",
        "address": "1 Sample St",
        "place_type": "home",
        "same_as_last_time": True,
    },
    "privacy": {"private_space": True, "can_speak_freely": True, "headphones": True},
    "others_present": [
        {"relationship": "partner", "minor": False, "client_consents_to_hear": True}
    ],
    "backup": {
        "callback_phone": "+15105550123",
        "emergency_contact": {"name": "A", "relationship": "sibling", "phone": "+14155550188"},
    },
    "readiness": {"good_time_to_proceed": True, "not_driving": True, "identity_confirmed": True},
}
_SAMPLE_TIME = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
SAMPLE_SESSION: dict[str, Any] = {
    "scheduled_start": _SAMPLE_TIME,
    "scheduled_end": _SAMPLE_TIME,
    "submitted_at": _SAMPLE_TIME,
    "minutes_until_start": 10,
    "duration_minutes": 50,
    "client_minor": False,
}


@dataclass(frozen=True)
class RuleCheck:
    """A rule's expression as checked at save: its program, or the problem to report."""

    program: CelProgram | None
    problem: str | None
    steps: int = 0  # steps taken on the worst-case check-in (until it failed, if it did)


@lru_cache(maxsize=256)
def _compile(expression: str) -> CelProgram | str:
    """The program, or what is wrong with the expression as written."""
    try:
        return CelProgram(expression)
    except celpy.CELParseError as exc:
        return f"CEL syntax error: {str(exc.args[0]).splitlines()[0][:200]}"
    except CelLimitError as exc:
        return str(exc)
    except Exception as exc:  # a parser failure on odd input is a problem with this document
        return f"CEL expression cannot be compiled ({type(exc).__name__})."


@lru_cache(maxsize=256)
def check_expression(expression: str) -> RuleCheck:
    """Parse, apply the static limits, then try it on the worst-case check-in, within the
    budget: typos in field names, results that are not true/false and rules too costly for
    the largest check-in show up when the policy is saved, not when a client checks in."""
    program = _compile(expression)
    if isinstance(program, str):
        return RuleCheck(None, program)
    budget = Budget()
    try:
        result = program(cel_activation(WORST_CASE_CHECKIN, SAMPLE_SESSION), budget)
    except BudgetExhausted:
        return RuleCheck(None, _too_costly(f"more than {STEPS_PER_CHECKIN} steps"), budget.spent)
    except CelError as exc:
        problem = f"CEL expression fails on a fully answered check-in: {exc}"
        return RuleCheck(None, problem, budget.spent)
    if not is_cel_bool(result):
        return RuleCheck(None, "CEL expression must evaluate to true or false.", budget.spent)
    return RuleCheck(program, None, budget.spent)


def _too_costly(need: str) -> str:
    return (
        f"Too costly: on a check-in with the most answers allowed it needs {need}; "
        f"a check-in's custom rules together may take {STEPS_PER_CHECKIN} steps."
    )


NOT_TRIED = "Not tried: the rules before it already take more than one check-in's budget."


def rule_problems(rules: list[dict[str, Any]]) -> Iterator[tuple[PathKey, str]]:
    """Each rule's problem, then the enabled rules' total cost: they share one check-in's
    budget. Trials stop once they have taken a budget's worth of steps, so a save spends at
    most about two budgets trying rules; the rest are only parsed and checked for limits."""
    tried = enabled = 0
    for index, rule in enumerate(rules):
        if tried > STEPS_PER_CHECKIN:
            compiled = _compile(rule["expression"])
            problem: str | None = compiled if isinstance(compiled, str) else NOT_TRIED
        else:
            check = check_expression(rule["expression"])
            problem, tried = check.problem, tried + check.steps
            enabled += check.steps if rule["enabled"] and problem is None else 0
        if problem:
            yield ("custom_rules", index, "expression"), f"Rule '{rule['id']}': {problem}"
    if enabled > STEPS_PER_CHECKIN:
        yield ("custom_rules",), _too_costly(f"{enabled} steps for all the enabled rules together")


@dataclass(frozen=True)
class CompiledRule:
    id: str
    code: str
    severity: str
    on_error: str
    field: str | None
    message: str  # English
    clinician_message: str
    rule: str
    program: CelProgram | None
    problem: str | None  # why a stored rule cannot run (it predates today's limits)
    messages: dict[str, str] | None = None  # the client message in other languages


def compile_rules(policy: dict[str, Any]) -> tuple[CompiledRule, ...]:
    """The enabled custom rules, in policy order.

    A stored rule that no longer passes the checks made at save still compiles, without a
    program: each check-in then gets its CUSTOM_RULE_ERROR finding (fails closed) instead of the
    whole version becoming unusable for every session pinned to it.
    """
    compiled = []
    for rule in policy["custom_rules"]:
        if not rule["enabled"]:
            continue
        check = check_expression(rule["expression"])
        compiled.append(
            CompiledRule(
                id=rule["id"],
                code=rule["code"],
                severity=rule["severity"],
                on_error=rule.get("on_error", "block"),
                field=rule["field"],
                message=in_language(rule["message"], SOURCE_LANGUAGE),
                clinician_message=rule["clinician_message"]
                or in_language(rule["message"], SOURCE_LANGUAGE),
                rule=f"custom_rules.{rule['id']}",
                program=check.program,
                problem=check.problem,
                messages=translations(rule["message"]),
            )
        )
    return tuple(compiled)
