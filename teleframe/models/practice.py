"""The tenant and the API keys that act for it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, utcnow, uuid_pk


class Practice(Base):
    __tablename__ = "practices"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    # APA Record Keeping Guidelines: seven years after the last date of service
    retention_years: Mapped[int] = mapped_column(default=7, server_default="7")
    # bumped by every key revocation: each request compares it with the cached grant's
    key_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """Only the SHA-256 of a key is kept; `prefix` lets people tell their keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="admin", server_default="admin")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # written at most once a minute per key, not on every request
    last_used_at: Mapped[datetime | None]
