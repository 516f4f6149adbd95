"""Outbound webhooks: beat fans events out and claims due deliveries; one task per attempt."""

from __future__ import annotations

import uuid

from celery import current_app, shared_task

from teleframe import webhooks
from teleframe.extensions import db
from teleframe.models.base import utcnow


@shared_task(name="teleframe.fan_out_events")
def fan_out_events() -> int:
    made = webhooks.fan_out(db.session, utcnow())
    db.session.commit()
    return made


@shared_task(name="teleframe.deliver_due")
def deliver_due() -> int:
    """Lease due deliveries, then queue an attempt for each; a lost message waits out its lease."""
    claimed = webhooks.claim_due(db.session, utcnow())
    db.session.commit()
    for delivery_id, lease_id in claimed:
        current_app.send_task(webhooks.DELIVER_WEBHOOK, args=[str(delivery_id), str(lease_id)])
    return len(claimed)


@shared_task(name=webhooks.DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: str, lease_id: str) -> str | None:
    return webhooks.attempt(
        db.session, uuid.UUID(delivery_id), uuid.UUID(lease_id), webhooks.allowed_private()
    )
