"""Field-level encryption for PHI columns (AES-256-GCM, versioned keys).

Keys come from `TELEFRAME_ENCRYPTION_KEYS` as `version:base64url-key` items, newest first: the
first encrypts, all decrypt, so keys rotate without rewriting old rows at once.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_keys: dict[str, AESGCM] = {}
_current: str | None = None


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def configure(keys: tuple[str, ...]) -> None:
    global _current
    parsed: dict[str, AESGCM] = {}
    for item in keys:
        version, _, material = item.partition(":")
        raw = _b64decode(material)
        if not version or len(raw) != 32:
            raise ValueError("each encryption key must be 'version:<32 bytes, base64url>'")
        parsed[version] = AESGCM(raw)
    if not parsed:
        raise ValueError("at least one encryption key is required")
    _keys.clear()
    _keys.update(parsed)
    _current = keys[0].partition(":")[0]


def encrypt(plaintext: bytes, *, context: bytes = b"") -> str:
    if _current is None:
        raise RuntimeError("encryption keys are not configured")
    nonce = os.urandom(12)
    sealed = _keys[_current].encrypt(nonce, plaintext, context)
    return f"{_current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, context: bytes = b"") -> bytes:
    version, _, body = token.partition(":")
    try:
        key = _keys[version]
    except KeyError:
        raise RuntimeError(f"no encryption key with version {version!r}") from None
    raw = _b64decode(body)
    return key.decrypt(raw[:12], raw[12:], context)


def new_key(version: str = "1") -> str:
    return f"{version}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"
