"""The relay: re-publish staged work whose task has not completed."""

from __future__ import annotations

import logging

from celery import shared_task

from teleframe import tasks
from teleframe.db import breaker, outbox
from teleframe.extensions import db
from teleframe.models.base import utcnow

log = logging.getLogger(__name__)


@shared_task(name=tasks.RELAY_OUTBOX)
def relay_outbox(after_worker_start: bool = False) -> int:
    """Every 2 s (beat): staged work past its grace. Once when a worker starts: all staged
    work past the grace, whatever its backoff, so work a dead worker held is sent again
    within seconds of a worker being back."""
    session = db.session
    now = utcnow()
    relay = outbox.relay_of(session)
    older_than = now - relay.wait() if after_worker_start else None
    due = outbox.claim_due(session, now, older_than=older_than)
    session.commit()
    if due:
        breaker.broker.reset()  # this task came through the broker: it is up again
        outbox.publish(relay, due)
        log.info("relay re-published %d outbox messages", len(due))
    return len(due)
