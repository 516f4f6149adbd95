"""Frame report versions: a hash chain per session; only the head draft may change."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, practice_fk, utcnow, uuid_pk


class ReportKind(enum.StrEnum):
    draft = "draft"
    signed = "signed"
    amended = "amended"


class ReportVersion(Base):
    """On PostgreSQL a trigger refuses UPDATE and DELETE of any version that is not a draft."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    # the report is clinical documentation: PHI, encrypted at rest
    body: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    previous_hash: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
