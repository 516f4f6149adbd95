"""A normalised policy prepared once for evaluation: lookups built, custom rules compiled."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .custom_rules import CompiledRule, compile_rules
from .hashing import canonical_json, digest
from .validation import validate_policy


@dataclass(frozen=True)
class CompiledPolicy:
    policy: dict[str, Any]
    policy_hash: str
    rules: dict[str, dict[str, Any]]
    unsafe_places: frozenset[str]
    licensed_by_subdivision: frozenset[str]
    accept_compacts: frozenset[str]
    age_of_majority: int
    custom_rules: tuple[CompiledRule, ...]


@lru_cache(maxsize=64)
def _compile(policy_hash: str, canonical: str) -> CompiledPolicy:
    policy = validate_policy(json.loads(canonical), check_rules=False)
    rules = policy["rules"]
    return CompiledPolicy(
        policy=policy,
        policy_hash=policy_hash,
        rules=rules,
        unsafe_places=frozenset(rules["place"]["unsafe_place_types"]),
        licensed_by_subdivision=frozenset(rules["jurisdiction"]["licensed_by_subdivision"]),
        accept_compacts=frozenset(rules["jurisdiction"]["accept_compacts"]),
        age_of_majority=policy["client"]["age_of_majority"],
        custom_rules=compile_rules(policy),
    )


def compile_policy(policy: dict[str, Any]) -> CompiledPolicy:
    """Prepare a normalised policy for evaluation; cached by content hash.

    The policy is re-validated on a cache miss, so a stored version that no longer validates
    fails here rather than half-way through an evaluation; its custom rules are compiled one
    by one, and one that fails today's save-time checks fails closed on each check-in.
    """
    canonical = canonical_json(policy)
    return _compile(digest(canonical), canonical)
