"""Which due deliveries a worker takes, and how many may be in flight (fan-out, which makes
them, is `delivery_fanout`).

Deliveries go out in lanes: a lane is one lease over up to `LANE_BATCH` deliveries of one
endpoint, sent one after another by one task. Limits hold at every claim: at most
`PER_ENDPOINT` lanes (requests in flight) to one endpoint, so a receiver is never flooded, and
`PER_PRACTICE` lanes for one practice, so one practice's slow receivers hold a bounded share
of the delivery workers; lanes are taken round-robin across practices. A lane that finishes
takes the endpoint's next due deliveries at once, so a backlog drains at the receiver's pace
rather than one claim per beat tick.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from teleframe.db import fair
from teleframe.models import Delivery, WebhookEndpoint

PENDING = "pending"
LEASE = timedelta(seconds=120)  # well above the request deadline and queue latency
CLAIM_BATCH = 500
PER_ENDPOINT = 4  # lanes: requests in flight to one endpoint at once
PER_PRACTICE = 8  # lanes of one practice at once, over all its endpoints
LANE_BATCH = 10  # deliveries a lane sends one after another before it claims again

Claim = tuple[uuid.UUID, uuid.UUID]  # (delivery id, lease id)


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [Delivery.status == PENDING, Delivery.next_attempt_at <= now]


def _busy_lanes(session: Session, now: datetime, column: Any) -> dict[uuid.UUID, int]:
    """Lanes (leases still running) by endpoint or practice."""
    rows = session.execute(
        select(column, func.count(func.distinct(Delivery.lease_id)))
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
) -> dict[tuple[uuid.UUID, uuid.UUID], list[uuid.UUID]]:
    """Due deliveries by (practice, endpoint), oldest first, as many as the lanes could take."""
    turn = func.row_number().over(
        partition_by=Delivery.endpoint_id, order_by=(Delivery.next_attempt_at, Delivery.id)
    )
    ranked = (
        select(Delivery.id, Delivery.endpoint_id, Delivery.practice_id, turn.label("turn"))
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(*_due(now), WebhookEndpoint.disabled_at.is_(None), *scope)
        .subquery()
    )
    rows = session.execute(
        select(ranked)
        .where(ranked.c.turn <= PER_ENDPOINT * LANE_BATCH)
        .order_by(ranked.c.endpoint_id, ranked.c.turn)
    )
    found: dict[tuple[uuid.UUID, uuid.UUID], list[uuid.UUID]] = defaultdict(list)
    for delivery_id, endpoint_id, practice_id, _ in rows:
        found[(practice_id, endpoint_id)].append(delivery_id)
    return found


def _lanes(ids: list[uuid.UUID], free: int) -> list[list[uuid.UUID]]:
    """Spread an endpoint's due deliveries over at most `free` lanes: four deliveries go out
    side by side, a backlog in lanes of up to LANE_BATCH sent one after another."""
    taken = ids[: max(free, 0) * LANE_BATCH]
    count = min(max(free, 0), len(taken))
    return [taken[index::count] for index in range(count)]


def _within_limits(session: Session, now: datetime, scope: list[Any]) -> list[list[uuid.UUID]]:
    """Lanes that fit the limits, round-robin across practices."""
    endpoint_busy = _busy_lanes(session, now, Delivery.endpoint_id)
    practice_busy = _busy_lanes(session, now, Delivery.practice_id)
    by_practice: dict[uuid.UUID, list[list[uuid.UUID]]] = defaultdict(list)
    for (practice_id, endpoint_id), ids in _candidates(session, now, scope).items():
        free = PER_ENDPOINT - endpoint_busy.get(endpoint_id, 0)
        by_practice[practice_id].extend(_lanes(ids, free))
    fitting = [
        lanes[: max(PER_PRACTICE - practice_busy.get(practice_id, 0), 0)]
        for practice_id, lanes in by_practice.items()
    ]
    return list(_round_robin(fitting))


def _round_robin(queues: Any) -> Iterator[Any]:
    for turn in zip_longest(*queues):
        yield from (item for item in turn if item is not None)


def claim_due(
    session: Session,
    now: datetime,
    limit: int = CLAIM_BATCH,
    practice_id: uuid.UUID | None = None,
) -> list[Claim]:
    """(delivery id, lease id) of due deliveries within the limits, leased so no other worker
    takes them; a lease ends by itself if the worker dies. Deliveries of one lane share its
    lease id and are sent one after another by one task."""
    scope = [] if practice_id is None else [Delivery.practice_id == practice_id]
    claimed: list[Claim] = []
    for lane in _within_limits(session, now, scope):
        lease = uuid.uuid4()
        for row in fair.lock_in_order(session, Delivery, lane[: limit - len(claimed)], _due(now)):
            row.lease_id, row.next_attempt_at = lease, now + LEASE
            claimed.append((row.id, lease))
        if len(claimed) >= limit:
            break
    return claimed


def lanes_of(claimed: list[Claim]) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
    """(lease id, its deliveries in order): one task each."""
    lanes: dict[uuid.UUID, list[uuid.UUID]] = {}
    for delivery_id, lease in claimed:
        lanes.setdefault(lease, []).append(delivery_id)
    return list(lanes.items())


def hand_over(
    session: Session, endpoint_id: uuid.UUID, lease: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    """A finished lane takes the endpoint's next due deliveries under the same lease, in the
    transaction that records its last attempt: the count of lanes in flight never changes,
    so the limits hold without counting again."""
    rows = session.scalars(
        select(Delivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(
            Delivery.endpoint_id == endpoint_id,
            *_due(now),
            WebhookEndpoint.disabled_at.is_(None),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(LANE_BATCH)
        .with_for_update(skip_locked=True, of=Delivery)
    ).all()
    for row in rows:
        row.lease_id, row.next_attempt_at = lease, now + LEASE
    return [row.id for row in rows]


def extend_lease(session: Session, lease: uuid.UUID, now: datetime) -> None:
    """A lane continued by a new task keeps its deliveries leased while it waits its turn."""
    session.execute(
        update(Delivery)
        .where(Delivery.lease_id == lease, Delivery.status == PENDING)
        .values(next_attempt_at=now + LEASE)
    )
