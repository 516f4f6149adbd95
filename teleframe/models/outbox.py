"""Work committed in the same transaction as the write that causes it.

The API publishes right after commit; the task marks its row done in the same transaction as
its effect. A relay re-publishes rows still not done after `next_attempt_at` (lost publish,
lost broker message, crashed worker). The row id is the Celery task id, and tasks are
idempotent, so a re-publish never has a second effect.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, JSONDocument, practice_fk, utcnow, uuid_pk


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "done_at", "next_attempt_at"),
        Index("ix_outbox_staged", "task", "done_at", "practice_id", "created_at"),
        # parked rows are few: the scrape's counts and the parked-work list read only them
        Index(
            "ix_outbox_parked",
            "practice_id",
            "parked_at",
            "id",
            postgresql_where=text("parked_at IS NOT NULL"),
            sqlite_where=text("parked_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    task: Mapped[str] = mapped_column(String(100))
    # ids only: never PHI, since these become broker messages
    args: Mapped[list[Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    # A failing row is retried after `retry_at`, `failures` times at most, then parked: done,
    # with `parked_at` and a reason code (an error class or field name, never PHI).
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None]
    parked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(100))
