"""Field-level encryption for PHI columns (AES-256-GCM, versioned keys).

Keys come from `TELEFRAME_ENCRYPTION_KEYS` as `version:base64url-key` items, newest first: the
first encrypts, all decrypt, so keys rotate without rewriting old rows at once.

A `Keyring` belongs to one app: `create_app` builds it from Settings and attaches it to the
app's engine. Columns find it through the dialect SQLAlchemy hands them, which is the engine's
own, so two apps in one process (tests, a migration beside a server) never share keys.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_ON_DIALECT = "teleframe_keyring"


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parse(item: str) -> tuple[str, AESGCM]:
    version, _, material = item.partition(":")
    raw = _b64decode(material)
    if not version or len(raw) != 32:
        raise ValueError("each encryption key must be 'version:<32 bytes, base64url>'")
    return version, AESGCM(raw)


class Keyring:
    """The configured keys: the first encrypts, every one decrypts what it sealed."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        parsed = [_parse(item) for item in keys]
        if not parsed:
            raise ValueError("at least one encryption key is required")
        self._keys = dict(parsed)
        self.current = parsed[0][0]

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self.current].encrypt(nonce, plaintext, context)
        return f"{self.current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: bytes = b"") -> bytes:
        version, _, body = token.partition(":")
        try:
            key = self._keys[version]
        except KeyError:
            raise RuntimeError(f"no encryption key with version {version!r}") from None
        raw = _b64decode(body)
        return key.decrypt(raw[:12], raw[12:], context)


def attach(engine: Engine, keyring: Keyring) -> None:
    """Every statement on `engine` encrypts and decrypts with `keyring`."""
    setattr(engine.dialect, _ON_DIALECT, keyring)


def keyring_of(dialect: Any) -> Keyring:
    """The keyring attached to the engine whose dialect this is."""
    keyring: Keyring | None = getattr(dialect, _ON_DIALECT, None)
    if keyring is None:
        raise RuntimeError("encryption keys are not configured for this database engine")
    return keyring


def session_keyring(session: Session) -> Keyring:
    """The keyring of the engine `session` talks to (for ciphertext read raw)."""
    return keyring_of(session.get_bind().dialect)


def new_key(version: str = "1") -> str:
    return f"{version}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"
