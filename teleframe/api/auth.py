"""API keys on each request: who is calling, for which practice, in which role.

The keys themselves (`tf_` plus 40 random letters and digits, stored as SHA-256 only) are
made in `operations.api_key`; its names are imported here for the callers that used them."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from cachetools import TTLCache
from flask import current_app, g, request
from flask_smorest import abort
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from teleframe.errors import problem
from teleframe.extensions import db
from teleframe.models import ApiKey, Practice
from teleframe.models.base import utcnow
from teleframe.operations.api_key import KEY_PREFIX, ROLES, hash_key, issue_key, new_api_key

__all__ = [
    "KEY_PREFIX",
    "ROLES",
    "admin_only",
    "current_practice_id",
    "hash_key",
    "issue_key",
    "new_api_key",
    "require_api_key",
]

F = TypeVar("F", bound=Callable[..., Any])

KeyGrant = tuple[uuid.UUID, uuid.UUID, str]
# a grant remembered with the practice's key generation at the time it was read
CachedGrant = tuple[KeyGrant, int]
TOUCH_SECONDS = 60  # last_used_at is written at most this often per key


def practice_for_key(session: Session, key: str) -> CachedGrant | None:
    """((practice id, key id, role), key generation) for an active key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = session.execute(
        select(ApiKey.practice_id, ApiKey.id, ApiKey.role, Practice.key_generation)
        .join(Practice, Practice.id == ApiKey.practice_id)
        .where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    return ((row[0], row[1], row[2]), row[3]) if row else None


def _key_generation(practice_id: uuid.UUID) -> int | None:
    return db.session.scalar(select(Practice.key_generation).where(Practice.id == practice_id))


def _cached_practice_for_key(key: str) -> KeyGrant | None:
    """Known keys are remembered for `api_key_cache_seconds` (one lookup by primary key
    instead of a hash lookup); every request still compares the practice's key generation,
    which each revocation bumps, so a revoked key is refused at once on every process."""
    cache: TTLCache[str, CachedGrant] | None = current_app.extensions.get("teleframe.api_keys")
    digest = hash_key(key)
    cached = cache.get(digest) if cache is not None else None
    if cached is not None and _key_generation(cached[0][0]) == cached[1]:
        return cached[0]
    found = practice_for_key(db.session, key)
    if cache is not None:
        if found is None:
            cache.pop(digest, None)
        else:
            cache[digest] = found
    return found[0] if found else None


def key_cache(seconds: int) -> TTLCache[str, CachedGrant] | None:
    return TTLCache(maxsize=10_000, ttl=seconds) if seconds > 0 else None


def _touch(key_id: uuid.UUID) -> None:
    """Record the key's use at most once a minute: per process by memory, across processes
    by the condition on the row, so a busy key does not cost a write per request."""
    touched: TTLCache[uuid.UUID, bool] = current_app.extensions.setdefault(
        "teleframe.key_touches", TTLCache(maxsize=10_000, ttl=TOUCH_SECONDS)
    )
    if key_id in touched:
        return
    touched[key_id] = True
    now = utcnow()
    db.session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at < now - timedelta(seconds=TOUCH_SECONDS),
            ),
        )
        .values(last_used_at=now)
    )
    db.session.commit()


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
    _touch(g.api_key_id)
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
