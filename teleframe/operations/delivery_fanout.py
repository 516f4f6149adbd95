"""Fan-out by event: an event's deliveries are made in the transaction that records it, for
exactly the endpoints subscribed to its type in its practice.

The endpoints come from `webhook_subscriptions` through its (practice, event type) index, so
the cost follows the events, not the number of endpoints. Two more paths use the same query:
re-enabling an endpoint catches up on the events it missed (3 days at most), and a beat sweep
over the last few minutes covers an endpoint re-enabled while an event was being recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, select
from sqlalchemy.orm import Session

from teleframe.db.upsert import insert_new
from teleframe.models import Delivery, OutboundEvent, WebhookEndpoint, WebhookSubscription
from teleframe.operations.delivery_claim import PENDING

BATCH = 500
CATCH_UP = timedelta(days=3)  # how far back a re-enabled endpoint is sent what it missed
SWEEP_WINDOW = timedelta(minutes=10)


def for_events(session: Session, event_ids: Sequence[uuid.UUID], now: datetime) -> int:
    """Deliveries for events just recorded (ids that lost to a duplicate match nothing)."""
    if not event_ids:
        return 0
    pairs = session.execute(_for_events_statement(), {"event_ids": list(event_ids)}).all()
    return _insert(session, pairs, now)


@cache
def _for_events_statement() -> Select[uuid.UUID, str, uuid.UUID, uuid.UUID]:
    """Built once per process: every evaluation round runs it, mostly finding no endpoint."""
    return _pairs([OutboundEvent.id.in_(bindparam("event_ids", expanding=True))], limit=None)


def catch_up(session: Session, endpoint: WebhookEndpoint, now: datetime) -> int:
    """A re-enabled endpoint's missed events of the last `CATCH_UP`, not already delivered."""
    since = max(endpoint.created_at, now - CATCH_UP)
    mine = WebhookSubscription.endpoint_id == endpoint.id
    return _all(session, [mine, OutboundEvent.created_at >= since, _undelivered()], now)


def sweep(session: Session, now: datetime) -> int:
    """Beat's backstop over recent events: what a concurrent re-enable could have missed."""
    return _all(session, [OutboundEvent.created_at >= now - SWEEP_WINDOW, _undelivered()], now)


def _all(session: Session, where: list[ColumnElement[bool]], now: datetime) -> int:
    """Batch after batch until every undelivered match has its delivery."""
    total = 0
    while True:
        made = _make(session, where, now, limit=BATCH)
        total += made
        if made < BATCH:
            return total


def _undelivered() -> ColumnElement[bool]:
    return ~exists().where(
        Delivery.endpoint_id == WebhookSubscription.endpoint_id,
        Delivery.event_id == OutboundEvent.id,
    )


def _make(
    session: Session, where: list[ColumnElement[bool]], now: datetime, limit: int | None
) -> int:
    return _insert(session, session.execute(_pairs(where, limit)).all(), now)


def _pairs(
    where: list[ColumnElement[bool]], limit: int | None
) -> Select[uuid.UUID, str, uuid.UUID, uuid.UUID]:
    """(event, subscribed enabled endpoint) pairs matching `where`; an endpoint gets no event
    from before its creation."""
    return (
        select(OutboundEvent.id, OutboundEvent.type, OutboundEvent.practice_id, WebhookEndpoint.id)
        .join(
            WebhookSubscription,
            and_(
                WebhookSubscription.practice_id == OutboundEvent.practice_id,
                WebhookSubscription.event_type == OutboundEvent.type,
            ),
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookSubscription.endpoint_id)
        .where(
            *where,
            WebhookEndpoint.disabled_at.is_(None),
            WebhookEndpoint.created_at <= OutboundEvent.created_at,
        )
        .order_by(OutboundEvent.created_at)
        .limit(limit)
    )


def _insert(session: Session, pairs: Sequence[Any], now: datetime) -> int:
    """Pending deliveries for the pairs. Idempotent (unique endpoint, event)."""
    rows = [
        _delivery(event_id, kind, practice, endpoint, now)
        for event_id, kind, practice, endpoint in pairs
    ]
    insert_new(session, Delivery, rows, unique=["endpoint_id", "event_id"])
    return len(rows)


def _delivery(
    event_id: uuid.UUID, kind: str, practice_id: uuid.UUID, endpoint_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "practice_id": practice_id,
        "endpoint_id": endpoint_id,
        "event_id": event_id,
        "event_type": kind,
        "status": PENDING,
        "attempt_count": 0,
        "next_attempt_at": now,
        "attempts": [],
        "created_at": now,
    }


def subscribe(session: Session, endpoint: WebhookEndpoint) -> None:
    """Make `webhook_subscriptions` say what the endpoint's `event_types` say."""
    session.query(WebhookSubscription).filter_by(endpoint_id=endpoint.id).delete()
    session.add_all(
        WebhookSubscription(
            endpoint_id=endpoint.id, event_type=kind, practice_id=endpoint.practice_id
        )
        for kind in sorted(set(endpoint.event_types))
    )
