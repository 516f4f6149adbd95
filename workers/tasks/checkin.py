"""Evaluating a check-in against the session's pinned policy version."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from sqlalchemy.exc import IntegrityError

from teleframe import outbox
from teleframe.evaluations import evaluate_checkin as evaluate
from teleframe.extensions import db

log = logging.getLogger(__name__)


@shared_task(name="teleframe.evaluate_checkin", bind=True, max_retries=5)
def evaluate_checkin(self, checkin_id: str) -> None:
    """Idempotent: the unique evaluation per check-in turns a re-run into a no-op."""
    session = db.session
    try:
        evaluate(session, uuid.UUID(checkin_id))
        outbox.mark_done(session, self.request.id)
        session.commit()
    except IntegrityError:
        session.rollback()  # another run stored it first
        outbox.mark_done(session, self.request.id)
        session.commit()
    log.info("evaluated checkin %s", checkin_id)
