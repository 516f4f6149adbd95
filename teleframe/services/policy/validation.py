"""A parsed policy document -> the normalised policy: schema checks, then the checks that need
reference data or CEL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import ValidationError

from ..reference import load_reference
from .custom_rules import check_expression
from .document import PolicyDocument
from .errors import PathKey, PolicyError, flatten, line_for, problem
from .fields import SOURCE_LANGUAGE, in_language


def _semantic_errors(policy: dict[str, Any]) -> Iterator[tuple[PathKey, str]]:
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
    seen: set[str] = set()
    for index, rule in enumerate(policy["custom_rules"]):
        if rule["id"] in seen:
            yield ("custom_rules", index, "id"), "Duplicate custom rule id."
        seen.add(rule["id"])
        if rule["clinician_message"] is None:
            rule["clinician_message"] = in_language(rule["message"], SOURCE_LANGUAGE)
        _, reason = check_expression(rule["expression"])
        if reason:
            yield ("custom_rules", index, "expression"), reason


def _at(path: PathKey, message: str, lines: dict[PathKey, int]) -> dict[str, Any]:
    return problem(path, message, line_for(path, lines))


def validate_policy(data: Any, lines: dict[PathKey, int] | None = None) -> dict[str, Any]:
    """A policy document (already parsed) -> the normalised policy; raises PolicyError."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise PolicyError([_at((), "The policy must be a mapping of sections.", lines)])
    try:
        policy: dict[str, Any] = PolicyDocument().load(data)
    except ValidationError as exc:
        errors = [_at(path, message, lines) for path, message in flatten(exc.messages)]
        raise PolicyError(errors) from None
    errors = [_at(path, message, lines) for path, message in _semantic_errors(policy)]
    if errors:
        raise PolicyError(errors)
    policy["rules"]["jurisdiction"]["accept_compacts"] = sorted(
        set(policy["rules"]["jurisdiction"]["accept_compacts"])
    )
    return policy
