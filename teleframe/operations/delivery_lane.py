"""A lane: one lease over some deliveries of one endpoint, sent one after another.

Per delivery the database sees one UPDATE and its COMMIT: the lane's messages are read in one
query up front, and each record is a conditional UPDATE on the lease (a lease lost meanwhile,
to a replay or an expiry, updates nothing). No transaction stays open across a request.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from teleframe.models import Delivery, OutboundEvent, WebhookEndpoint
from teleframe.models.base import utcnow
from teleframe.operations import delivery, endpoint_health
from teleframe.operations.delivery_claim import PENDING, extend_lease, hand_over
from teleframe.runtime import metrics
from teleframe.services import delivery as rules

LANE_SECONDS = 10.0  # then a lane goes on as a new task: a task lasts at most this + DEADLINE

Prepared = tuple[Delivery, "delivery.Outgoing | None", "rules.Outcome | None"]


def _prepare(
    session: Session, ids: list[uuid.UUID], lease: uuid.UUID, now: datetime
) -> dict[uuid.UUID, Prepared]:
    """Each still-leased delivery with its signed-to-be message (or why it cannot have one)."""
    rows = session.execute(
        select(Delivery, WebhookEndpoint, OutboundEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .join(OutboundEvent, OutboundEvent.id == Delivery.event_id)
        .where(Delivery.id.in_(ids), Delivery.lease_id == lease, Delivery.status == PENDING)
    ).all()
    prepared: dict[uuid.UUID, Prepared] = {}
    for row, endpoint, event in rows:
        try:
            prepared[row.id] = (row, delivery.Outgoing.of(endpoint, event, now), None)
        except rules.PayloadTooLarge:
            prepared[row.id] = (row, None, rules.Outcome(None, 0, "PayloadTooLarge"))
    session.commit()  # read only: nothing held across the requests
    return prepared


def record_leased(
    session: Session,
    row: Delivery,
    lease: uuid.UUID,
    outcome: rules.Outcome,
    now: datetime,
    rng: random.Random | None = None,
) -> str | None:
    """The attempt and what follows it, in one UPDATE guarded by the lease."""
    count = row.attempt_count + 1
    decision = rules.decide(outcome, count, now, rng)
    values: dict[str, Any] = {
        "attempt_count": count,
        "attempts": [*row.attempts, outcome.record(now)],
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "lease_id": None,
        "next_attempt_at": decision.next_attempt_at,
    }
    if decision.result != rules.RETRY:
        values.update(status=decision.result, finished_at=now)
    done = session.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.lease_id == lease, *_lazy_commit(session))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(done, "rowcount", 0):
        return None  # the lease was lost meanwhile: another attempt owns it now
    endpoint_health.note(session, row.endpoint_id, outcome, decision.result, now)
    if decision.result == rules.GONE:
        delivery.disable(session, row.endpoint_id, now)
    return decision.result


def _lazy_commit(session: Session) -> list[ColumnElement[bool]]:
    """The record's COMMIT does not wait for the disk: a crash may lose the last fraction of
    a second of records, whose deliveries are then sent again, which Standard Webhooks
    receivers expect (they dedupe on `webhook-id`). The database stays consistent. Set by
    the record's own UPDATE (`set_config(..., true)` is `SET LOCAL`), not a round trip of
    its own."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    return [func.set_config("synchronous_commit", "off", True).is_not(None)]


def _one(
    session: Session,
    prepared: Prepared,
    lease: uuid.UUID,
    limits: delivery.Reach,
    clock: delivery.Clock,
) -> str | None:
    """One attempt, isolated: a failure inside teleframe (not the receiver's answer) is
    retried with backoff, then the delivery parked."""
    row, message, outcome = prepared
    try:
        if message is not None:
            outcome = delivery.send(message, limits)
        assert outcome is not None
        result = record_leased(session, row, lease, outcome, clock())
    except Exception as error:
        session.rollback()
        result = delivery.fail_internal(session, row.id, lease, error, clock())
    metrics.delivery_recorded(session, result)  # counted once its record commits
    return result


def deliver_lane(
    session: Session,
    delivery_ids: list[uuid.UUID],
    lease: uuid.UUID,
    limits: delivery.Reach = delivery.STRICT,
    clock: delivery.Clock = utcnow,
) -> tuple[list[str | None], list[uuid.UUID]]:
    """Send a lane's deliveries one after another (one request in flight). A finished lane
    takes the endpoint's next due deliveries in the transaction of its last record. After
    `LANE_SECONDS` it stops: returns the results and the deliveries still leased to the lane,
    for the caller to queue as a new task."""
    started, pending = time.monotonic(), list(delivery_ids)
    results: list[str | None] = []
    endpoint_id = session.scalar(select(Delivery.endpoint_id).where(Delivery.id == pending[0]))
    while pending:
        prepared = _prepare(session, pending, lease, clock())
        for index, delivery_id in enumerate(pending):
            if time.monotonic() - started > LANE_SECONDS:
                extend_lease(session, lease, clock())
                session.commit()
                return results, pending[index:]
            item = prepared.get(delivery_id)
            results.append(_one(session, item, lease, limits, clock) if item else None)
            if index < len(pending) - 1:
                session.commit()
        pending = hand_over(session, endpoint_id, lease, clock()) if endpoint_id else []
        session.commit()
    return results, []
