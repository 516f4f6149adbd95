"""Which deliveries exist (fan-out), which due ones a worker takes, how many may be in flight.

Limits hold at every claim: at most `PER_ENDPOINT` attempts in flight to one endpoint (a
receiver is never flooded) and `PER_PRACTICE` for one practice (one practice's slow receivers
hold a bounded share of the delivery workers), taken round-robin across practices. A finished
attempt hands its slot to the endpoint's next due delivery at once, so a backlog drains at
the receiver's pace rather than one claim per beat tick.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from teleframe.db import fair
from teleframe.models import Delivery, OutboundEvent, WebhookEndpoint

PENDING = "pending"
FAN_OUT_BATCH = 500
FAN_OUT_LOOKBACK = timedelta(days=3)
LEASE = timedelta(seconds=120)  # well above the request deadline and queue latency
CLAIM_BATCH = 500
PER_ENDPOINT = 4
PER_PRACTICE = 16

Claim = tuple[uuid.UUID, uuid.UUID]  # (delivery id, lease id)


def fan_out(session: Session, now: datetime) -> int:
    """A pending delivery for each new event an enabled endpoint subscribes to. Idempotent."""
    endpoints = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.disabled_at.is_(None))
        .with_for_update(skip_locked=True)  # a second fan-out skips these endpoints
    ).all()
    made = 0
    for endpoint in endpoints:
        for event_id, event_type in _undelivered(session, endpoint, now):
            session.add(
                Delivery(
                    id=uuid.uuid4(),
                    practice_id=endpoint.practice_id,
                    endpoint_id=endpoint.id,
                    event_id=event_id,
                    event_type=event_type,
                    status=PENDING,
                    next_attempt_at=now,
                    attempts=[],
                    created_at=now,
                )
            )
            made += 1
    session.flush()
    return made


def _undelivered(
    session: Session, endpoint: WebhookEndpoint, now: datetime
) -> list[tuple[uuid.UUID, str]]:
    since = max(endpoint.created_at, now - FAN_OUT_LOOKBACK)
    known = exists().where(
        Delivery.endpoint_id == endpoint.id, Delivery.event_id == OutboundEvent.id
    )
    rows = session.execute(
        select(OutboundEvent.id, OutboundEvent.type)
        .where(
            OutboundEvent.practice_id == endpoint.practice_id,
            OutboundEvent.type.in_(endpoint.event_types),
            OutboundEvent.created_at >= since,
            ~known,
        )
        .order_by(OutboundEvent.created_at)
        .limit(FAN_OUT_BATCH)
    )
    return [(row[0], row[1]) for row in rows]


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [Delivery.status == PENDING, Delivery.next_attempt_at <= now]


def _in_flight(session: Session, now: datetime, column: Any) -> dict[uuid.UUID, int]:
    """Leased attempts whose lease still runs, by endpoint or practice."""
    rows = session.execute(
        select(column, func.count())
        .where(
            Delivery.status == PENDING,
            Delivery.lease_id.is_not(None),
            Delivery.next_attempt_at > now,
        )
        .group_by(column)
    )
    return {row[0]: int(row[1]) for row in rows}


def _candidates(
    session: Session, now: datetime, scope: list[ColumnElement[bool]]
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, int]]:
    """(delivery, endpoint, practice, turn within its endpoint), oldest due first."""
    turn = func.row_number().over(
        partition_by=Delivery.endpoint_id, order_by=(Delivery.next_attempt_at, Delivery.id)
    )
    ranked = (
        select(Delivery.id, Delivery.endpoint_id, Delivery.practice_id, turn.label("turn"))
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(*_due(now), WebhookEndpoint.disabled_at.is_(None), *scope)
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.turn <= PER_ENDPOINT))
    return [(row[0], row[1], row[2], int(row[3])) for row in rows]


def _within_limits(session: Session, now: datetime, scope: list[Any]) -> list[uuid.UUID]:
    """Candidates that fit the in-flight limits, round-robin across practices."""
    endpoint_busy = _in_flight(session, now, Delivery.endpoint_id)
    practice_busy = _in_flight(session, now, Delivery.practice_id)
    by_practice: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for delivery_id, endpoint_id, practice_id, turn in sorted(
        _candidates(session, now, scope), key=lambda row: row[3]
    ):
        fits_endpoint = turn <= PER_ENDPOINT - endpoint_busy.get(endpoint_id, 0)
        room = PER_PRACTICE - practice_busy.get(practice_id, 0)
        if fits_endpoint and len(by_practice[practice_id]) < room:
            by_practice[practice_id].append(delivery_id)
    return list(_round_robin(by_practice.values()))


def _round_robin(queues: Any) -> Iterator[uuid.UUID]:
    for turn in zip_longest(*queues):
        yield from (item for item in turn if item is not None)


def claim_due(
    session: Session,
    now: datetime,
    limit: int = CLAIM_BATCH,
    practice_id: uuid.UUID | None = None,
    endpoint_id: uuid.UUID | None = None,
) -> list[Claim]:
    """(delivery id, lease id) of due deliveries within the limits, leased so no other worker
    takes them; a lease ends by itself if the worker dies."""
    scope = []
    if practice_id is not None:
        scope.append(Delivery.practice_id == practice_id)
    if endpoint_id is not None:
        scope.append(Delivery.endpoint_id == endpoint_id)
    chosen = _within_limits(session, now, scope)[:limit]
    claimed = []
    for row in fair.lock_in_order(session, Delivery, chosen, _due(now)):
        row.lease_id = uuid.uuid4()
        row.next_attempt_at = now + LEASE
        claimed.append((row.id, row.lease_id))
    return claimed


def hand_over(session: Session, finished: uuid.UUID, now: datetime) -> Claim | None:
    """Lease the due delivery that takes the slot of `finished` (same endpoint, oldest due).
    Called in the transaction that records `finished`, so the endpoint's and the practice's
    counts of attempts in flight never change: the limits hold without counting again."""
    endpoint_id = select(Delivery.endpoint_id).where(Delivery.id == finished).scalar_subquery()
    row = session.scalars(
        select(Delivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(
            Delivery.endpoint_id == endpoint_id,
            *_due(now),
            WebhookEndpoint.disabled_at.is_(None),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True, of=Delivery)
    ).first()
    if row is None:
        return None
    row.lease_id, row.next_attempt_at = uuid.uuid4(), now + LEASE
    return (row.id, row.lease_id)
