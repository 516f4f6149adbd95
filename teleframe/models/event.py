"""Normalised session events, and the thin outbound events teleframe emits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, JSONDocument, practice_fk, utcnow, uuid_pk


class SessionEvent(Base):
    __tablename__ = "session_events"
    __table_args__ = (UniqueConstraint("session_id", "dedupe_key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    provider: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    participant_key: Mapped[str | None] = mapped_column(String(255))
    connection_key: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(200))
    modality: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedJSON, default=None)  # free text: PHI
    inbound_event_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("inbound_events.id", ondelete="SET NULL")
    )


class OutboundEvent(Base):
    """An event teleframe emits (`backup_plan.due`, `session.ended`, ...): ids and facts, no PHI.

    Unique per (session, type, occurrence) so a re-run task emits nothing twice.
    """

    __tablename__ = "outbound_events"
    __table_args__ = (
        UniqueConstraint("session_id", "type", "occurrence"),
        Index("ix_outbound_events_practice_created", "practice_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(40))
    occurrence: Mapped[str] = mapped_column(String(100), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
