"""The answer given to a request that carried an `Idempotency-Key`, replayed to its retries.

Only a hash of the request is kept (never its body); the stored answer is encrypted because
some answers name people (a created client) or carry a one-time link.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, utcnow, uuid_pk


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    # the unique key is the lock: a concurrent duplicate waits on it, then replays
    __table_args__ = (
        UniqueConstraint("practice_id", "key", name="uq_idempotency_keys_practice_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("practices.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None]
    response: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
