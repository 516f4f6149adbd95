"""People who sign in: practice admins and clinicians, their sign-in sessions and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, JSONDocument, practice_fk, utcnow, uuid_pk


class User(Base):
    """Passwords are argon2id hashes; the TOTP secret is encrypted like PHI columns."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    # one sign-in form for every practice: an email names one person everywhere
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("clinicians.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    totp_secret: Mapped[Any] = mapped_column(EncryptedJSON, nullable=True)
    # SHA-256 of each unused recovery code (random, so a fast hash is enough)
    recovery_codes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    last_totp_step: Mapped[int | None] = mapped_column(BigInteger)
    failed_count: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def active(self) -> bool:
        return self.disabled_at is None and self.password_hash is not None


class SignInSession(Base):
    """A browser's signed-in session; the cookie carries its token, the row its SHA-256."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    reauthenticated_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class AccountToken(Base):
    """A one-time set-up or reset link (72 hours); the pending TOTP secret waits here."""

    __tablename__ = "account_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pending_totp_secret: Mapped[Any] = mapped_column(EncryptedJSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PersonalToken(Base):
    """`tfp_...`: signs and amends its clinician's own reports, nothing else."""

    __tablename__ = "personal_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
