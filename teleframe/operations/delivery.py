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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from config.settings import Settings
from teleframe.models import Delivery, OutboundEvent, WebhookEndpoint
from teleframe.models.base import utcnow
from teleframe.operations import endpoint_health
from teleframe.operations.delivery_claim import PENDING
from teleframe.operations.delivery_claim import claim_due as claim_due  # the workers' entry
from teleframe.services import delivery as rules
from teleframe.services import parking, secret_rotation, ssrf
from teleframe.services.deadline import DeadlineExceeded, Watchdog

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
DEADLINE = 15.0  # the whole request, however slowly the receiver drips its answer
USER_AGENT = "teleframe-webhooks/1"

PARKED = "parked"  # teleframe itself kept failing to send it (see services.parking)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Outgoing:
    url: str
    secrets: tuple[str, ...]  # the current secret, and the previous one during its overlap
    message_id: str
    body: bytes

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, event: OutboundEvent, now: datetime) -> Outgoing:
        """Raises `rules.PayloadTooLarge` for a body over the limit."""
        body = rules.body(event.type, event.created_at, event.payload)
        return cls(endpoint.url, secret_rotation.active(endpoint, now), str(event.id), body)


@dataclass(frozen=True)
class Reach:
    """Where outbound requests may go and how long one may take in all."""

    allow: tuple[ssrf.Network, ...] = ()  # networks exempt from the SSRF guard
    deadline: float = DEADLINE


STRICT = Reach()  # production's: nothing exempt from the guard, the full deadline


def reach(settings: Settings) -> Reach:
    """The app's reach (`TELEFRAME_WEBHOOK_ALLOW_PRIVATE`, `..._DEADLINE_SECONDS`)."""
    allow = ssrf.parse_networks(settings.webhook_allow_private)
    return Reach(allow, settings.webhook_deadline_seconds)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def outgoing(
    session: Session, delivery_id: uuid.UUID, lease_id: uuid.UUID, now: datetime
) -> Outgoing | None:
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
    return Outgoing.of(endpoint, event, now)


def send(message: Outgoing, limits: Reach = STRICT) -> rules.Outcome:
    """One POST: vetted address, fresh timestamp and signature, no redirects, no body kept."""
    started = time.monotonic()
    try:
        target = ssrf.vet(message.url, allow=limits.allow)
        status, retry_after = _post(target, _headers(message), message.body, limits.deadline)
    except ssrf.UnsafeURL:
        return rules.Outcome(None, _ms(started), "UnsafeURL")
    except (OSError, http.client.HTTPException) as error:
        return rules.Outcome(None, _ms(started), type(error).__name__)
    except DeadlineExceeded:
        return rules.Outcome(None, _ms(started), "DeadlineExceeded")
    return rules.Outcome(status, _ms(started), None, retry_after)


def _headers(message: Outgoing) -> dict[str, str]:
    sent_at = utcnow()  # the wall clock: receivers check the timestamp against their own
    # Standard Webhooks: several space-separated signatures, any one of which may verify
    signature = " ".join(
        Webhook(secret).sign(message.message_id, sent_at, message.body.decode())
        for secret in message.secrets
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }


def _post(
    target: ssrf.Target, headers: dict[str, str], body: bytes, deadline: float
) -> tuple[int, str | None]:
    connection = ssrf.open_connection(
        target, connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT
    )
    try:
        with Watchdog(deadline, connection):
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
    delivery = _leased(session, delivery_id, lease_id)
    if delivery is None:
        return None
    delivery.attempt_count += 1
    delivery.attempts = [*delivery.attempts, outcome.record(now)]
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.lease_id = None
    decision = rules.decide(outcome, delivery.attempt_count, now, rng)
    endpoint_health.note(session, delivery.endpoint_id, outcome, decision.result, now)
    if decision.result == rules.RETRY:
        delivery.next_attempt_at = decision.next_attempt_at
        return decision.result
    delivery.status = decision.result
    delivery.next_attempt_at = None
    delivery.finished_at = now
    if decision.result == rules.GONE:
        disable(session, delivery.endpoint_id, now)
    return decision.result


def _leased(session: Session, delivery_id: uuid.UUID, lease_id: uuid.UUID) -> Delivery | None:
    """The delivery, locked, if the lease still holds it."""
    return session.scalars(
        select(Delivery)
        .where(Delivery.id == delivery_id, Delivery.lease_id == lease_id)
        .with_for_update()
    ).first()


def disable(session: Session, endpoint_id: uuid.UUID, now: datetime) -> None:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None and endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = "The receiver answered 410 Gone."
        log.info("webhook endpoint %s disabled after 410", endpoint_id)


def attempt(
    session: Session,
    delivery_id: uuid.UUID,
    lease_id: uuid.UUID,
    limits: Reach = STRICT,
    clock: Clock = utcnow,
) -> str | None:
    """Deliver once under the lease. No transaction stays open across the network call.
    `clock` is what the schedule, the secrets and the failure streak take as now."""
    result = _attempt(session, delivery_id, lease_id, limits, clock)
    session.commit()
    return result


def _attempt(
    session: Session,
    delivery_id: uuid.UUID,
    lease_id: uuid.UUID,
    limits: Reach,
    clock: Clock,
) -> str | None:
    """The attempt, its record left uncommitted (the caller's transaction)."""
    outcome: rules.Outcome | None = None
    try:
        message = outgoing(session, delivery_id, lease_id, clock())
    except rules.PayloadTooLarge:
        message, outcome = None, rules.Outcome(None, 0, "PayloadTooLarge")
    session.commit()
    if message is not None:
        outcome = send(message, limits)
    if outcome is None:
        return None
    return record(session, delivery_id, lease_id, outcome, clock())


def fail_internal(
    session: Session,
    delivery_id: uuid.UUID,
    lease_id: uuid.UUID,
    error: BaseException,
    now: datetime,
) -> str | None:
    delivery = _leased(session, delivery_id, lease_id)
    if delivery is None:
        return None
    code = parking.reason(error)
    failures = 1 + sum(1 for a in delivery.attempts if str(a.get("error")).startswith("internal:"))
    delivery.attempts = [*delivery.attempts, rules.Outcome(None, 0, f"internal:{code}").record(now)]
    delivery.last_error, delivery.lease_id = code, None
    delivery.next_attempt_at = parking.next_try(failures, now)
    if delivery.next_attempt_at is not None:
        return rules.RETRY
    delivery.status, delivery.parked_at, delivery.finished_at = PARKED, now, now
    log.warning("delivery %s parked: %s", delivery_id, code)
    return PARKED


def requeue(delivery: Delivery, now: datetime) -> None:
    """A fresh start with the whole retry schedule; earlier attempts stay in the record."""
    delivery.status = PENDING
    delivery.attempt_count = 0
    delivery.next_attempt_at = now
    delivery.lease_id = None
    delivery.finished_at = None
    delivery.parked_at = None


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
