"""The canonical JSON of a normalised policy and the content hash that names its version."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(policy: dict[str, Any]) -> str:
    return json.dumps(policy, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(canonical: str) -> str:
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(policy: dict[str, Any]) -> str:
    return digest(canonical_json(policy))
