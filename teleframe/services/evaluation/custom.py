"""The practice's own CEL rules, run on the check-in and the session; a rule that cannot be
evaluated becomes an info finding rather than failing the evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..policy.cel import CelError, cel_activation, is_cel_bool
from ..policy.custom_rules import CompiledRule
from .context import Context
from .facts import utc
from .findings import Finding, client_text


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
        rule.code,
        "info",
        rule.field,
        client_text(
            "One of your practice's own checks could not be completed; your clinician will review it."
        ),
        f"Custom rule '{rule.id}' could not be evaluated on this check-in: {reason}.",
        rule.rule,
    )


def check_custom(ctx: Context) -> Iterator[Finding]:
    if not ctx.policy.custom_rules:
        return
    activation = cel_activation(ctx.checkin, _session_map(ctx))
    for rule in ctx.policy.custom_rules:
        try:
            result = rule.program(activation)
        except CelError as exc:
            yield _custom_failure(rule, str(exc))
            continue
        if not is_cel_bool(result):
            yield _custom_failure(rule, "the result was not true or false")
        elif result:
            yield Finding(
                rule.code,
                rule.severity,
                rule.field,
                rule.message,
                rule.clinician_message,
                rule.rule,
                messages=rule.messages,
            )
