"""A parsed policy document -> the normalised policy: schema checks, then the checks that need
reference data or CEL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import ValidationError

from ..reference import load_reference
from .document import PolicyDocument
from .errors import PathKey, PolicyError, flatten, line_for, problem
from .fields import SOURCE_LANGUAGE, in_language

MAX_RULES_CHARS = 20_000


def _semantic_errors(
    policy: dict[str, Any], check_rules: bool = True
) -> Iterator[tuple[PathKey, str]]:
    """Also normalises in place: compact names to their keys, missing clinician messages."""
    reference = load_reference(policy["reference_overrides"])
    accepted = policy["rules"]["jurisdiction"]["accept_compacts"]
    for index, name in enumerate(accepted):
        key = reference.compact_key(name)
        if key is None:
            known = ", ".join(sorted(reference.compacts))
            yield (
                ("rules", "jurisdiction", "accept_compacts", index),
                f"Unknown compact (known: {known}).",
            )
        else:
            accepted[index] = key
    total = sum(len(rule["expression"]) for rule in policy["custom_rules"])
    if total > MAX_RULES_CHARS:
        message = f"The custom rules' expressions together exceed {MAX_RULES_CHARS} characters."
        yield ("custom_rules",), message
        check_rules = False  # bounds the time a save spends parsing CEL
    seen: set[str] = set()
    for index, rule in enumerate(policy["custom_rules"]):
        if rule["id"] in seen:
            yield ("custom_rules", index, "id"), "Duplicate custom rule id."
        seen.add(rule["id"])
        if rule["clinician_message"] is None:
            rule["clinician_message"] = in_language(rule["message"], SOURCE_LANGUAGE)
    if check_rules and policy["custom_rules"]:
        from .custom_rules import rule_problems  # CEL loads with the first custom rule (below)

        yield from rule_problems(policy["custom_rules"])


def _at(path: PathKey, message: str, lines: dict[PathKey, int]) -> dict[str, Any]:
    return problem(path, message, line_for(path, lines))


def validate_policy(
    data: Any, lines: dict[PathKey, int] | None = None, *, check_rules: bool = True
) -> dict[str, Any]:
    """A policy document (already parsed) -> the normalised policy; raises PolicyError.

    `check_rules=False` skips trying the custom rules: for a stored version about to be
    evaluated, whose rules fail closed one by one rather than all at once.
    """
    lines = lines or {}
    if not isinstance(data, dict):
        raise PolicyError([_at((), "The policy must be a mapping of sections.", lines)])
    try:
        policy: dict[str, Any] = PolicyDocument().load(data)
    except ValidationError as exc:
        errors = [_at(path, message, lines) for path, message in flatten(exc.messages)]
        raise PolicyError(errors) from None
    errors = [_at(path, message, lines) for path, message in _semantic_errors(policy, check_rules)]
    if errors:
        raise PolicyError(errors)
    policy["rules"]["jurisdiction"]["accept_compacts"] = sorted(
        set(policy["rules"]["jurisdiction"]["accept_compacts"])
    )
    return policy
