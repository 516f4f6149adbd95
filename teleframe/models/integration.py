"""A practice's video-platform integrations and the raw webhooks they deliver."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, practice_fk, utcnow, uuid_pk


class Integration(Base):
    __tablename__ = "integrations"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    provider: Mapped[str] = mapped_column(String(20))
    # the signing secret, encrypted like PHI: whoever reads a dump cannot forge webhooks
    secret: Mapped[str] = mapped_column(EncryptedJSON)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    # after a rotation hooks signed with the old secret are accepted until `previous_secret_until`
    previous_secret: Mapped[str | None] = mapped_column(EncryptedJSON)
    previous_secret_until: Mapped[datetime | None]


class InboundEvent(Base):
    """A verified webhook exactly as received; the unique key is the provider's dedupe key."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("integration_id", "dedupe_key"),
        Index("ix_inbound_events_unprocessed", "processed_at"),
        Index("ix_inbound_events_practice_unprocessed", "processed_at", "practice_id"),
        Index(
            "ix_inbound_events_parked",
            "practice_id",
            "parked_at",
            "id",
            postgresql_where=text("parked_at IS NOT NULL"),
            sqlite_where=text("parked_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    integration_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("integrations.id", ondelete="CASCADE")
    )
    provider: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    room_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    # raw bodies can name participants: encrypted at rest
    request: Mapped[dict[str, object]] = mapped_column(EncryptedJSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    # matched|unmatched|invalid|ignored|parked (invalid and parked rows have `parked_at`)
    outcome: Mapped[str | None] = mapped_column(String(20))
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="SET NULL")
    )
    # failed attempts, the next one not before `retry_at`; parked with a reason code at last
    attempts: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None]
    parked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(100))
