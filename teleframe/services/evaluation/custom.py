"""The practice's own CEL rules, run on the check-in and the session within one budget.

A rule that cannot be evaluated (an error, a result that is not true/false, the check-in's
budget spent, or a stored rule that no longer passes the save-time checks) fails closed: a
CUSTOM_RULE_ERROR finding with the rule's `on_error` severity, block unless the practice chose
otherwise. Once the budget is spent, the rules not yet run fail the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..policy.cel import CelError, cel_activation, is_cel_bool
from ..policy.cel_budget import Budget, BudgetExhausted
from ..policy.custom_rules import CompiledRule
from .context import Context
from .facts import utc
from .findings import Finding, client_text

CUSTOM_RULE_ERROR = "CUSTOM_RULE_ERROR"
OUT_OF_BUDGET = "the practice's custom rules used up their budget for one check-in"


def _session_map(ctx: Context) -> dict[str, Any]:
    """The `session` variable; the same keys as the sample rules are checked against."""
    start, end = utc(ctx.session.scheduled_start), utc(ctx.session.scheduled_end)
    return {
        "scheduled_start": start,
        "scheduled_end": end,
        "submitted_at": ctx.submitted_at,
        "minutes_until_start": ctx.facts["minutes_before_start"],
        "duration_minutes": int((end - start).total_seconds() // 60),
        "client_minor": ctx.facts["minor_client"],
    }


def _custom_failure(rule: CompiledRule, reason: str) -> Finding:
    return Finding(
        CUSTOM_RULE_ERROR,
        rule.on_error,
        rule.field,
        client_text(
            "One of your practice's own checks could not be completed; your clinician will review it."
        ),
        f"Custom rule '{rule.id}' could not be evaluated on this check-in: {reason}.",
        rule.rule,
    )


def _run(rule: CompiledRule, activation: Any, budget: Budget) -> Finding | None:
    if rule.program is None:
        return _custom_failure(rule, rule.problem or "it cannot be compiled")
    try:
        result = rule.program(activation, budget)
    except CelError as exc:
        return _custom_failure(rule, str(exc))
    if not is_cel_bool(result):
        return _custom_failure(rule, "the result was not true or false")
    if not result:
        return None
    return Finding(
        rule.code,
        rule.severity,
        rule.field,
        rule.message,
        rule.clinician_message,
        rule.rule,
        messages=rule.messages,
    )


def check_custom(ctx: Context) -> Iterator[Finding]:
    if not ctx.policy.custom_rules:
        return
    activation = cel_activation(ctx.checkin, _session_map(ctx))
    budget = Budget()
    rules = iter(ctx.policy.custom_rules)
    for rule in rules:
        try:
            finding = _run(rule, activation, budget)
        except BudgetExhausted:
            yield _custom_failure(rule, OUT_OF_BUDGET)
            yield from (_custom_failure(rest, OUT_OF_BUDGET) for rest in rules)
            return
        if finding is not None:
            yield finding
