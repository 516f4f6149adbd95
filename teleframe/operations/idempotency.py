"""Idempotency keys in the database: claimed by a unique insert, answered, replayed, purged."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from teleframe.models import IdempotencyKey
from teleframe.models.base import utcnow


def claim(session: Session, practice_id: uuid.UUID, key: str, digest: str) -> uuid.UUID | None:
    """The new row's id, or None when the key is taken. A concurrent request with the same key
    waits here on the unique index until the first one commits or rolls back: one effect."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(IdempotencyKey)
        .values(
            id=uuid.uuid4(),
            practice_id=practice_id,
            key=key,
            request_hash=digest,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["practice_id", "key"])
        .returning(IdempotencyKey.id)
    )
    claimed: uuid.UUID | None = session.execute(statement).scalar()
    return claimed


def stored(session: Session, practice_id: uuid.UUID, key: str) -> IdempotencyKey | None:
    return session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.practice_id == practice_id, IdempotencyKey.key == key
        )
    )


def answer(session: Session, claimed: uuid.UUID, status: int, response: dict[str, Any]) -> None:
    """Keep the answer in the transaction of the effect, so a retry never finds one without
    the other."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claimed)
        .values(status=status, response=response)
    )


def purge(session: Session, kept: timedelta, now: datetime | None = None) -> int:
    """Forget keys older than `kept`. Commits."""
    cutoff = (now or utcnow()) - kept
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
