"""A practice's own CEL rules: checked when the policy is saved, compiled for evaluation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import celpy

from .cel import CelError, CelProgram, cel_activation, is_cel_bool
from .errors import PolicyError, problem
from .fields import SOURCE_LANGUAGE, in_language, translations

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


@lru_cache(maxsize=256)
def check_expression(expression: str) -> tuple[CelProgram | None, str | None]:
    """Compile, then run once on a fully answered check-in: typos in field names and results
    that are not true/false show up when the policy is saved, not when a client checks in."""
    try:
        program = CelProgram(expression)
    except celpy.CELParseError as exc:
        return None, f"CEL syntax error: {str(exc.args[0]).splitlines()[0][:200]}"
    except Exception as exc:
        return None, f"CEL expression cannot be compiled ({type(exc).__name__})."
    try:
        result = program(cel_activation(SAMPLE_CHECKIN, SAMPLE_SESSION))
    except CelError as exc:
        return None, f"CEL expression fails on a fully answered check-in: {exc}"
    if not is_cel_bool(result):
        return None, "CEL expression must evaluate to true or false."
    return program, None


@dataclass(frozen=True)
class CompiledRule:
    id: str
    code: str
    severity: str
    field: str | None
    message: str  # English
    clinician_message: str
    rule: str
    program: Callable[[dict[str, Any]], Any]
    messages: dict[str, str] | None = None  # the client message in other languages


def compile_rules(policy: dict[str, Any]) -> tuple[CompiledRule, ...]:
    """The enabled custom rules, in policy order."""
    compiled = []
    for index, rule in enumerate(policy["custom_rules"]):
        if not rule["enabled"]:
            continue
        program, reason = check_expression(rule["expression"])
        if program is None:
            path = ("custom_rules", index, "expression")
            raise PolicyError([problem(path, str(reason))])
        compiled.append(
            CompiledRule(
                id=rule["id"],
                code=rule["code"],
                severity=rule["severity"],
                field=rule["field"],
                message=in_language(rule["message"], SOURCE_LANGUAGE),
                clinician_message=rule["clinician_message"]
                or in_language(rule["message"], SOURCE_LANGUAGE),
                rule=f"custom_rules.{rule['id']}",
                program=program,
                messages=translations(rule["message"]),
            )
        )
    return tuple(compiled)
