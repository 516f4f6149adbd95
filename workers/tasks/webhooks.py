"""Outbound webhooks: beat fans events out and claims due deliveries; one task per attempt."""

from __future__ import annotations

import uuid

from celery import current_app, shared_task

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations import delivery


@shared_task(name=tasks.FAN_OUT_EVENTS)
def fan_out_events() -> int:
    made = delivery.fan_out(db.session, utcnow())
    db.session.commit()
    return made


@shared_task(name=tasks.DELIVER_DUE)
def deliver_due() -> int:
    """Lease due deliveries, then queue an attempt for each; a lost message waits out its lease."""
    claimed = delivery.claim_due(db.session, utcnow())
    db.session.commit()
    for delivery_id, lease_id in claimed:
        current_app.send_task(tasks.DELIVER_WEBHOOK, args=[str(delivery_id), str(lease_id)])
    return len(claimed)


@shared_task(name=tasks.DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: str, lease_id: str) -> str | None:
    return delivery.attempt(
        db.session, uuid.UUID(delivery_id), uuid.UUID(lease_id), delivery.allowed_private()
    )
