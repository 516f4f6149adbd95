"""API keys: `tf_` plus 40 random letters and digits, stored as SHA-256 only."""

from __future__ import annotations

import functools
import hashlib
import secrets
import string
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from cachetools import TTLCache
from flask import current_app, g, request
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.errors import problem
from teleframe.extensions import db
from teleframe.models import ApiKey

F = TypeVar("F", bound=Callable[..., Any])
KEY_PREFIX = "tf_"
# admin keys also change the practice's set-up (policy, integrations, webhook endpoints);
# platform keys do the day's work (sessions, check-ins, events, reports)
ROLES = ("admin", "platform")
_ALPHABET = string.ascii_letters + string.digits


def new_api_key() -> str:
    # letters and digits only, so a double-click selects the whole key
    return KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(40))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(
    session: Session, practice_id: uuid.UUID, label: str = "", role: str = "admin"
) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    key = new_api_key()
    session.add(
        ApiKey(
            practice_id=practice_id, key_hash=hash_key(key), prefix=key[:10], label=label, role=role
        )
    )
    return key


KeyGrant = tuple[uuid.UUID, uuid.UUID, str]


def practice_for_key(session: Session, key: str) -> KeyGrant | None:
    """(practice id, key id, role) for an active key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = session.execute(
        select(ApiKey.practice_id, ApiKey.id, ApiKey.role).where(
            ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


def _cached_practice_for_key(key: str) -> KeyGrant | None:
    """Known keys are remembered for `api_key_cache_seconds`: a revocation takes that long
    to reach every API process, and a check-in costs one database round trip less."""
    cache: TTLCache[str, KeyGrant] | None = current_app.extensions.get("teleframe.api_keys")
    digest = hash_key(key)
    found = cache.get(digest) if cache is not None else None
    if found is None:
        found = practice_for_key(db.session, key)
        if found is not None and cache is not None:
            cache[digest] = found
    return found


def key_cache(seconds: int) -> TTLCache[str, KeyGrant] | None:
    return TTLCache(maxsize=10_000, ttl=seconds) if seconds > 0 else None


def require_api_key():
    """before_request hook for /v1: sets g.practice_id and g.api_key_id, or answers 401."""
    if request.method == "OPTIONS":
        return None
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    found = _cached_practice_for_key(key.strip()) if scheme == "Bearer" else None
    if found is None:
        response = problem(401, "A valid API key is required: 'Authorization: Bearer tf_...'.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="teleframe"'
        return response
    g.practice_id, g.api_key_id, g.api_key_role = found
    return None


def admin_only(view: F) -> F:
    """For the routes that change a practice's set-up: a platform key gets 403."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.get("api_key_role") != "admin":
            abort(403, message="This needs an admin key of the practice.")
        return view(*args, **kwargs)

    return cast(F, wrapper)


def current_practice_id() -> uuid.UUID:
    practice_id: uuid.UUID = g.practice_id
    return practice_id
