"""A practice's webhook endpoints: which are listed, changes, removal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from teleframe.models import WebhookEndpoint

DISABLED_BY_PRACTICE = "disabled_by_practice"
DELETED = "deleted"


def listing(practice_id: uuid.UUID) -> Select[WebhookEndpoint]:
    """The practice's endpoints that were not deleted (deleted ones stay only for audit)."""
    return select(WebhookEndpoint).where(
        WebhookEndpoint.practice_id == practice_id, WebhookEndpoint.deleted_at.is_(None)
    )


def visible(
    session: Session, practice_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint | None:
    return session.scalars(listing(practice_id).where(WebhookEndpoint.id == endpoint_id)).first()


def change(endpoint: WebhookEndpoint, data: dict[str, Any], now: datetime) -> None:
    """Apply a validated PATCH (the url is vetted by the caller)."""
    for field in ("url", "description"):
        if field in data:
            setattr(endpoint, field, data[field])
    if "event_types" in data:
        endpoint.event_types = sorted(set(data["event_types"]))
    if data.get("enabled") is True:
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
    elif data.get("enabled") is False and endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = DISABLED_BY_PRACTICE


def remove(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable and hide; the row and its deliveries stay for audit."""
    endpoint.deleted_at = now
    if endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = DELETED
