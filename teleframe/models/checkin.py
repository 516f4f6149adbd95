"""Check-ins (append-only; the latest is current) and their evaluations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, JSONDocument, practice_fk, utcnow, uuid_pk


class CheckIn(Base):
    __tablename__ = "checkins"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    source: Mapped[str] = mapped_column(String(20), default="api")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evaluation(Base):
    """One per check-in: the unique constraint makes a re-run task a no-op."""

    __tablename__ = "evaluations"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    checkin_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("checkins.id", ondelete="CASCADE"), unique=True
    )
    policy_version_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("policy_versions.id"))
    status: Mapped[str] = mapped_column(String(20))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
