"""Tamper evidence for report versions: canonical JSON, content hashes and chain verification."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

HASH_PREFIX = "sha256:"
KINDS = frozenset({"draft", "signed", "amended", "addendum"})
_AFTER_SIGNATURE = frozenset({"amended", "addendum"})
_HASH_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, compact separators, UTF-8; refuses NaN and infinities."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_digest(value: Any) -> str:
    return HASH_PREFIX + hashlib.sha256(canonical_json(value)).hexdigest()


def version_hash(body: Mapping[str, Any], previous_hash: str | None) -> str:
    """The content hash of one version, chained to the previous version's hash."""
    return sha256_digest({"body": body, "previous_hash": previous_hash})


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str | None = None
    head_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_chain(versions: Sequence[Mapping[str, Any]]) -> ChainVerdict:
    """Recompute every hash in order; name the first version that does not fit, and why."""
    if not versions:
        return ChainVerdict(ok=False, checked=0, reason="no versions to verify")
    signed_seen = False
    for index, version in enumerate(versions):
        problem = _structure_problem(version, index + 1)
        if problem is None:
            problem = _link_problem(versions, index)
        if problem is None:
            problem = _kind_problem(version["kind"], signed_seen)
        if problem is not None:
            return ChainVerdict(
                ok=False, checked=index, broken_at=_number_of(version, index), reason=problem
            )
        signed_seen = signed_seen or version["kind"] == "signed"
    return ChainVerdict(ok=True, checked=len(versions), head_hash=versions[-1]["content_hash"])


def _number_of(version: Mapping[str, Any], index: int) -> int:
    number = version.get("number")
    return number if isinstance(number, int) else index + 1


def _structure_problem(version: Mapping[str, Any], expected_number: int) -> str | None:
    number = version.get("number")
    if number != expected_number:
        return (
            f"expected version {expected_number} here but found {number!r}: "
            "a version is missing or out of order"
        )
    if version.get("kind") not in KINDS:
        return f"unknown version kind {version.get('kind')!r}"
    if not isinstance(version.get("body"), Mapping):
        return "the body is not a JSON object"
    if not _is_hash(version.get("content_hash")):
        return "the stored content hash is malformed"
    previous = version.get("previous_hash")
    if previous is not None and not _is_hash(previous):
        return "the stored previous hash is malformed"
    return None


def _link_problem(versions: Sequence[Mapping[str, Any]], index: int) -> str | None:
    version = versions[index]
    expected_previous = versions[index - 1]["content_hash"] if index else None
    if version["previous_hash"] != expected_previous:
        if index == 0:
            return "the first version must not point to a previous version"
        return f"previous hash does not match version {index}'s content hash"
    try:
        recomputed = version_hash(version["body"], version["previous_hash"])
    except (TypeError, ValueError):
        return "the body cannot be serialised as canonical JSON"
    if recomputed == version["content_hash"]:
        return None
    return _which_was_altered(versions, index, recomputed)


def _which_was_altered(versions: Sequence[Mapping[str, Any]], index: int, recomputed: str) -> str:
    """A later version's previous_hash remembers the original hash, telling body from hash edits."""
    stored = versions[index]["content_hash"]
    following = versions[index + 1].get("previous_hash") if index + 1 < len(versions) else None
    if following == stored:
        return "the body was altered after it was hashed (the stored hash no longer matches)"
    if following == recomputed:
        return "the stored content hash was altered (the body still matches the next link)"
    return "the body or its stored content hash was altered"


def _kind_problem(kind: str, signed_seen: bool) -> str | None:
    if kind in {"draft", "signed"} and signed_seen:
        return f"a {kind} version cannot follow a signed version; changes append as amendments"
    if kind in _AFTER_SIGNATURE and not signed_seen:
        return f"an {kind} version needs a signed version before it"
    return None


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and _HASH_PATTERN.fullmatch(value) is not None
