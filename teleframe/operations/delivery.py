"""Outbound webhooks in the database: fan events out to endpoints, claim, attempt, record.

The retry schedule lives in `webhook_deliveries.next_attempt_at`; Celery only carries ids.
A claim is a lease: if the worker dies mid-attempt, the delivery is due again when it ends.
"""

from __future__ import annotations

import base64
import http.client
import logging
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from teleframe.models import Delivery, OutboundEvent, WebhookEndpoint
from teleframe.models.base import utcnow
from teleframe.services import delivery as rules
from teleframe.services import ssrf

log = logging.getLogger(__name__)

ALLOW_PRIVATE_ENV = "TELEFRAME_WEBHOOK_ALLOW_PRIVATE"  # test-only, see README
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
LEASE = timedelta(seconds=120)  # well above connect + read timeouts and queue latency
CLAIM_BATCH = 50
FAN_OUT_BATCH = 500
FAN_OUT_LOOKBACK = timedelta(days=3)
USER_AGENT = "teleframe-webhooks/1"

PENDING = "pending"


@dataclass(frozen=True)
class Outgoing:
    url: str
    secret: str
    message_id: str
    body: bytes


def allowed_private() -> tuple[ssrf.Network, ...]:
    """Networks exempt from the SSRF guard. Empty unless tests set the variable."""
    return ssrf.parse_networks(os.environ.get(ALLOW_PRIVATE_ENV, ""))


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


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


def claim_due(
    session: Session,
    now: datetime,
    limit: int = CLAIM_BATCH,
    practice_id: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(delivery id, lease id) of due deliveries, leased so no other worker takes them."""
    query = (
        select(Delivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(
            Delivery.status == PENDING,
            Delivery.next_attempt_at <= now,
            WebhookEndpoint.disabled_at.is_(None),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    if practice_id is not None:
        query = query.where(Delivery.practice_id == practice_id)
    claimed = []
    for row in session.scalars(query):
        row.lease_id = uuid.uuid4()
        row.next_attempt_at = now + LEASE
        claimed.append((row.id, row.lease_id))
    return claimed


def outgoing(session: Session, delivery_id: uuid.UUID, lease_id: uuid.UUID) -> Outgoing | None:
    row = session.execute(
        select(WebhookEndpoint, OutboundEvent)
        .join(Delivery, Delivery.endpoint_id == WebhookEndpoint.id)
        .join(OutboundEvent, OutboundEvent.id == Delivery.event_id)
        .where(
            Delivery.id == delivery_id,
            Delivery.lease_id == lease_id,
            Delivery.status == PENDING,
        )
    ).first()
    if row is None:
        return None
    endpoint, event = row
    body = rules.body(event.type, event.created_at, event.payload)
    return Outgoing(endpoint.url, endpoint.secret, str(event.id), body)


def send(message: Outgoing, allow: tuple[ssrf.Network, ...] = ()) -> rules.Outcome:
    """One POST: vetted address, fresh timestamp and signature, no redirects, no body kept."""
    started = time.monotonic()
    try:
        target = ssrf.vet(message.url, allow=allow)
        status, retry_after = _post(target, _headers(message), message.body)
    except ssrf.UnsafeURL:
        return rules.Outcome(None, _ms(started), "UnsafeURL")
    except (OSError, http.client.HTTPException) as error:
        return rules.Outcome(None, _ms(started), type(error).__name__)
    return rules.Outcome(status, _ms(started), None, retry_after)


def _headers(message: Outgoing) -> dict[str, str]:
    sent_at = utcnow()
    signature = Webhook(message.secret).sign(message.message_id, sent_at, message.body.decode())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }


def _post(target: ssrf.Target, headers: dict[str, str], body: bytes) -> tuple[int, str | None]:
    connection = ssrf.open_connection(
        target, connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Retry-After")
    finally:
        connection.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def record(
    session: Session,
    delivery_id: uuid.UUID,
    lease_id: uuid.UUID,
    outcome: rules.Outcome,
    now: datetime,
    rng: random.Random | None = None,
) -> str | None:
    """Store the attempt and what follows it; None when the lease was lost meanwhile."""
    delivery = session.scalars(
        select(Delivery)
        .where(Delivery.id == delivery_id, Delivery.lease_id == lease_id)
        .with_for_update()
    ).first()
    if delivery is None:
        return None
    delivery.attempt_count += 1
    delivery.attempts = [*delivery.attempts, outcome.record(now)]
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.lease_id = None
    decision = rules.decide(outcome, delivery.attempt_count, now, rng)
    if decision.result == rules.RETRY:
        delivery.next_attempt_at = decision.next_attempt_at
        return decision.result
    delivery.status = decision.result
    delivery.next_attempt_at = None
    delivery.finished_at = now
    if decision.result == rules.GONE:
        _disable(session, delivery.endpoint_id, now)
    return decision.result


def _disable(session: Session, endpoint_id: uuid.UUID, now: datetime) -> None:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None and endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = "The receiver answered 410 Gone."
        log.info("webhook endpoint %s disabled after 410", endpoint_id)


def attempt(
    session: Session,
    delivery_id: uuid.UUID,
    lease_id: uuid.UUID,
    allow: tuple[ssrf.Network, ...] = (),
) -> str | None:
    """Deliver once under the lease. No transaction stays open across the network call."""
    outcome: rules.Outcome | None = None
    try:
        message = outgoing(session, delivery_id, lease_id)
    except rules.PayloadTooLarge:
        message, outcome = None, rules.Outcome(None, 0, "PayloadTooLarge")
    session.commit()
    if message is not None:
        outcome = send(message, allow)
    if outcome is None:
        return None
    result = record(session, delivery_id, lease_id, outcome, utcnow())
    session.commit()
    return result


def requeue(delivery: Delivery, now: datetime) -> None:
    """A fresh start with the whole retry schedule; earlier attempts stay in the record."""
    delivery.status = PENDING
    delivery.attempt_count = 0
    delivery.next_attempt_at = now
    delivery.lease_id = None
    delivery.finished_at = None


def replay_since(
    session: Session, endpoint: WebhookEndpoint, since: datetime, now: datetime
) -> int:
    """Re-queue every delivery to the endpoint since `since` that did not succeed."""
    rows = session.scalars(
        select(Delivery).where(
            Delivery.endpoint_id == endpoint.id,
            Delivery.created_at >= since,
            Delivery.status != rules.SUCCEEDED,
        )
    ).all()
    for row in rows:
        requeue(row, now)
    return len(rows)
