"""Outbound webhook subscriptions and the delivery of each event to each of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teleframe.models.base import Base, EncryptedJSON, JSONDocument, practice_fk, utcnow, uuid_pk


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[str]] = mapped_column(JSONDocument)
    description: Mapped[str] = mapped_column(String(500), default="")
    # the whsec_ signing secret, encrypted: whoever reads a dump cannot sign as teleframe
    secret: Mapped[str] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # DELETE hides the endpoint (and disables it); its deliveries stay for audit
    deleted_at: Mapped[datetime | None]
    # after a rotation the old secret signs alongside the new one until `previous_secret_until`
    previous_secret: Mapped[str | None] = mapped_column(EncryptedJSON)
    previous_secret_until: Mapped[datetime | None]
    # the first failed attempt since the last success; None while the endpoint is healthy
    failing_since: Mapped[datetime | None]


class WebhookSubscription(Base):
    """One (endpoint, event type): the fan-out finds an event's endpoints through the index on
    (practice, event type), never by reading every endpoint. Mirrors `event_types`."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_practice_type", "practice_id", "event_type"),)

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    practice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("practices.id", ondelete="CASCADE")
    )


class Delivery(Base):
    """One event to one endpoint. Its retry schedule is `next_attempt_at`, here, not in Celery.

    While a worker holds a delivery, `lease_id` names the claim and `next_attempt_at` is the
    lease's end, so a crashed worker's delivery becomes due again by itself.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
        # the hand-over: an endpoint's next due delivery
        Index("ix_webhook_deliveries_endpoint_due", "endpoint_id", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    practice_id: Mapped[uuid.UUID] = practice_fk()
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("outbound_events.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(100))
    # [{at, status_code, latency_ms, error}]: never a response body
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # set with status "parked" when attempts keep failing inside teleframe (not the receiver)
    parked_at: Mapped[datetime | None]
