"""A practice's webhook endpoints: creation, which are listed, changes, secret rotation, removal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from teleframe.models import WebhookEndpoint
from teleframe.operations import delivery_fanout
from teleframe.operations.delivery import new_secret
from teleframe.services import secret_rotation

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


def create(
    session: Session, practice_id: uuid.UUID, data: dict[str, Any], now: datetime
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint (the url vetted by the caller) and its secret, to be shown once."""
    secret = new_secret()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        practice_id=practice_id,
        url=data["url"],
        event_types=sorted(set(data["event_types"])),
        description=data.get("description", ""),
        secret=secret,
        created_at=now,
    )
    session.add(endpoint)
    delivery_fanout.subscribe(session, endpoint)
    return endpoint, secret


def change(
    session: Session, endpoint: WebhookEndpoint, data: dict[str, Any], now: datetime
) -> None:
    """Apply a validated PATCH (the url is vetted by the caller). Re-enabling starts a new
    failure streak and sends what the endpoint missed in the last 3 days."""
    for field in ("url", "description"):
        if field in data:
            setattr(endpoint, field, data[field])
    if "event_types" in data:
        endpoint.event_types = sorted(set(data["event_types"]))
        delivery_fanout.subscribe(session, endpoint)
    if data.get("enabled") is True and endpoint.disabled_at is not None:
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.failing_since = None
        session.flush()
        delivery_fanout.catch_up(session, endpoint, now)
    elif data.get("enabled") is False and endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = DISABLED_BY_PRACTICE


def remove(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable and hide; the row and its deliveries stay for audit."""
    endpoint.deleted_at = now
    if endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = DELETED


def rotate_secret(endpoint: WebhookEndpoint, now: datetime) -> str:
    """A new secret, to be shown once; the old one signs alongside it for 24 hours."""
    secret = new_secret()
    secret_rotation.rotate(endpoint, secret, now)
    return secret
