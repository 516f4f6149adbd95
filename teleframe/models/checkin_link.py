"""One-time client check-in links: only the SHA-256 of the token is stored."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, practice_fk, utcnow, uuid_pk


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CheckInLink(Base):
    """Redeemed once (`used_at`), then exchanged for a cookie that names the link id."""

    __tablename__ = "checkin_links"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
