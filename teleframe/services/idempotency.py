"""What makes two requests "the same" for an `Idempotency-Key` (pure: no app, no database)."""

from __future__ import annotations

import hashlib
import json
import re

# visible ASCII, as UUIDs and the keys platforms generate are; no spaces, no control bytes
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def valid_key(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None


def request_digest(method: str, path: str, body: bytes) -> str:
    """SHA-256 over the method, path and body; a JSON body is compared by content, so key
    order and whitespace do not make a retry look like a new request."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8", "surrogatepass")
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode("utf-8", "surrogatepass"), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
