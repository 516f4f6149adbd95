"""Outbound webhooks: beat fans events out and claims due deliveries; one task per attempt."""

from __future__ import annotations

import uuid

from celery import current_app, shared_task
from flask import current_app as flask_app

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations import delivery, delivery_fanout
from teleframe.operations.delivery_claim import lanes_of
from teleframe.operations.delivery_lane import deliver_lane


@shared_task(name=tasks.FAN_OUT_EVENTS)
def fan_out_events() -> int:
    """A backstop: deliveries are made with their events (`delivery_fanout`)."""
    made = delivery_fanout.sweep(db.session, utcnow())
    db.session.commit()
    return made


@shared_task(name=tasks.DELIVER_DUE)
def deliver_due() -> int:
    """Lease due deliveries in lanes (within the per-endpoint and per-practice limits,
    round-robin across practices), then queue one task per lane; a lost message waits out
    its lease."""
    claimed = delivery.claim_due(db.session, utcnow())
    db.session.commit()
    for lease, ids in lanes_of(claimed):
        _queue(lease, ids)
    return len(claimed)


@shared_task(name=tasks.DELIVER_WEBHOOK)
def deliver_webhook(delivery_id: str, lease_id: str, *following: str) -> list[str | None]:
    """One lane: its deliveries one after another (each at most `TELEFRAME_WEBHOOK_DEADLINE_SECONDS`), then
    the endpoint's next due ones; after `LANE_SECONDS` the lane goes on as a new
    task. A backlog drains at the receiver's pace, within the limits."""
    ids = [uuid.UUID(item) for item in (delivery_id, *following)]
    lease = uuid.UUID(lease_id)
    results, rest = deliver_lane(db.session, ids, lease, _reach())
    if rest:
        _queue(lease, rest)
    return results


def _reach() -> delivery.Reach:
    return delivery.reach(flask_app.config["TELEFRAME_SETTINGS"])


def _queue(lease: uuid.UUID, ids: list[uuid.UUID]) -> None:
    first, *following = (str(item) for item in ids)
    current_app.send_task(tasks.DELIVER_WEBHOOK, args=[first, str(lease), *following])
