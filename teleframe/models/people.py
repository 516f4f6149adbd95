"""Clinicians and clients of a practice."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, JSONDocument, practice_fk, utcnow, uuid_pk


class Clinician(Base):
    __tablename__ = "clinicians"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    name: Mapped[str] = mapped_column(String(200))
    home_jurisdiction: Mapped[str | None] = mapped_column(String(10))
    licenses: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    compacts: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Client(Base):
    """Name, birth date and remembered contact are PHI: kept encrypted in `identity`."""

    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    identity: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    external_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def display_name(self) -> str:
        return str(self.identity.get("display_name", ""))

    @property
    def date_of_birth(self) -> str | None:
        return self.identity.get("date_of_birth")
