"""A practice's API keys: list, issue, rotate, revoke, each with its audit event.

Revoking or rotating bumps the practice's key generation in the same transaction: every API
process compares it on each request with the one its cached grant was read under, so an old
key is refused on the very next request everywhere (see `api.auth`).
"""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from teleframe.db import audit
from teleframe.models import ApiKey, Practice
from teleframe.models.base import utcnow

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


def _new_row(practice_id: uuid.UUID, label: str, role: str) -> tuple[ApiKey, str]:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    key = new_api_key()
    row = ApiKey(
        practice_id=practice_id, key_hash=hash_key(key), prefix=key[:10], label=label, role=role
    )
    return row, key


def issue_key(
    session: Session, practice_id: uuid.UUID, label: str = "", role: str = "admin"
) -> str:
    """A key added to the session, without an audit event (a practice's first key)."""
    row, key = _new_row(practice_id, label, role)
    session.add(row)
    return key


class LastAdminKey(Exception):
    """Revoking it would lock the practice out of its own set-up."""


class KeyRevoked(Exception):
    """A revoked key stays revoked: issue a new one instead of rotating it."""


def keys_query(practice_id: uuid.UUID) -> Select[ApiKey]:
    return select(ApiKey).where(ApiKey.practice_id == practice_id)


def keys_of(session: Session, practice_id: uuid.UUID) -> list[ApiKey]:
    return list(session.scalars(keys_query(practice_id).order_by(ApiKey.created_at, ApiKey.id)))


def key_of(session: Session, practice_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    return session.scalars(keys_query(practice_id).where(ApiKey.id == key_id)).first()


def issue(
    session: Session, practice_id: uuid.UUID, label: str, role: str, actor: audit.Actor
) -> tuple[ApiKey, str]:
    """A new key row and the key itself (shown once, then only its hash is kept)."""
    row, key = _new_row(practice_id, label, role)
    session.add(row)
    session.flush()
    _audit(session, actor, row, "create")
    return row, key


def _bump_generation(session: Session, practice_id: uuid.UUID) -> None:
    # also locks the practice row: concurrent revocations of one practice serialize here
    session.execute(
        update(Practice)
        .where(Practice.id == practice_id)
        .values(key_generation=Practice.key_generation + 1)
    )


def revoke(session: Session, key: ApiKey, actor: audit.Actor | None = None) -> None:
    """Revoke in the caller's transaction."""
    if key.revoked_at is not None:
        return
    _bump_generation(session, key.practice_id)
    if key.role == "admin" and _active_admins(session, key.practice_id) <= 1:
        raise LastAdminKey
    key.revoked_at = utcnow()
    if actor is not None:
        _audit(session, actor, key, "disable")


def rotate(session: Session, key: ApiKey, actor: audit.Actor) -> str:
    """A new secret for the same key (id, label, role, last use); the old one stops at once."""
    _bump_generation(session, key.practice_id)
    session.refresh(key)  # revoked meanwhile by someone else? the lock above makes it final
    if key.revoked_at is not None:
        raise KeyRevoked
    secret = new_api_key()
    key.key_hash, key.prefix = hash_key(secret), secret[:10]
    _audit(session, actor, key, "rotate")
    return secret


def _audit(session: Session, actor: audit.Actor, key: ApiKey, action: str) -> None:
    audit.record(
        session,
        actor,
        practice_id=key.practice_id,
        action=action,
        resource_type="api_key",
        resource_id=key.id,
        detail={"prefix": key.prefix, "role": key.role},
    )


def _active_admins(session: Session, practice_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ApiKey)
            .where(
                ApiKey.practice_id == practice_id,
                ApiKey.role == "admin",
                ApiKey.revoked_at.is_(None),
            )
        )
        or 0
    )
