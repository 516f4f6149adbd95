"""Evaluating staged check-ins against each session's pinned policy version."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy.exc import IntegrityError

from teleframe import tasks
from teleframe.extensions import db
from teleframe.operations.evaluation import BATCH, evaluate_staged

log = logging.getLogger(__name__)
MAX_ROUNDS = 20


@shared_task(name=tasks.EVALUATE_CHECKIN)
def evaluate_checkin(checkin_id: str) -> int:
    """Sent once per check-in (ids only), it evaluates whatever is staged, this check-in
    among them, in batches. Idempotent: the outbox rows and the one evaluation per check-in
    mean a repeated or late message finds nothing left to do."""
    evaluated = 0
    for _ in range(MAX_ROUNDS):
        try:
            claimed = evaluate_staged(db.session)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # stored meanwhile by another worker: look again
            continue
        evaluated += claimed
        if claimed < BATCH:
            break
    log.info("evaluated %d staged check-in(s) after %s", evaluated, checkin_id)
    return evaluated
