"""A scheduled therapy session and its frame state."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, JSONDocument, practice_fk, utcnow, uuid_pk
from teleframe.services.session_state import SessionState

__all__ = ["SessionState", "TherapySession"]


class TherapySession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_practice_start", "practice_id", "scheduled_start"),
        Index("ix_sessions_practice_room", "practice_id", "video_provider", "video_room_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    clinician_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("clinicians.id"))
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("clients.id"))
    scheduled_start: Mapped[datetime]
    scheduled_end: Mapped[datetime]
    external_ref: Mapped[str | None] = mapped_column(String(200))
    video_provider: Mapped[str | None] = mapped_column(String(20))
    video_room_id: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=SessionState.scheduled.value)
    frame_status: Mapped[str | None] = mapped_column(String(20))
    policy_version_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("policy_versions.id")
    )
    continuity: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    # set while an outage is open, so the protocol sweep finds the sessions to look at
    outage_open_since: Mapped[datetime | None] = mapped_column(index=True)
    # new events arrived: fold, move on and emit once they have been quiet until then
    settle_at: Mapped[datetime | None] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
