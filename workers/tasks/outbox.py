"""The relay: re-publish staged work whose task has not completed."""

from __future__ import annotations

import logging

from celery import current_app, shared_task

from teleframe import tasks
from teleframe.db import outbox
from teleframe.extensions import db
from teleframe.models.base import utcnow

log = logging.getLogger(__name__)


@shared_task(name=tasks.RELAY_OUTBOX)
def relay_outbox() -> int:
    session = db.session
    due = outbox.claim_due(session, utcnow())
    session.commit()
    if due:
        outbox.publish(current_app, due)
        log.info("relay re-published %d outbox messages", len(due))
    return len(due)
