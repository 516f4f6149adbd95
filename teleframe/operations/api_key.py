"""A practice's API keys: list, issue, revoke."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from teleframe.models import ApiKey, Practice
from teleframe.models.base import utcnow


class LastAdminKey(Exception):
    """Revoking it would lock the practice out of its own set-up."""


def keys_of(session: Session, practice_id: uuid.UUID) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.practice_id == practice_id)
            .order_by(ApiKey.created_at, ApiKey.id)
        )
    )


def key_of(session: Session, practice_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    return session.scalars(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.practice_id == practice_id)
    ).first()


def revoke(session: Session, key: ApiKey) -> None:
    """Revoke in the caller's transaction; bumping the practice's key generation makes every
    process drop its cached grants for the practice on their next request."""
    if key.revoked_at is not None:
        return
    # lock the practice row first: two admins revoking each other's last key serialize here
    session.execute(
        update(Practice)
        .where(Practice.id == key.practice_id)
        .values(key_generation=Practice.key_generation + 1)
    )
    if key.role == "admin" and _active_admins(session, key.practice_id) <= 1:
        raise LastAdminKey
    key.revoked_at = utcnow()


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
