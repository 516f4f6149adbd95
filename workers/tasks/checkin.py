"""Evaluating staged check-ins against each session's pinned policy version."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from celery.signals import worker_init

from teleframe import tasks
from teleframe.db import outbox, wakeup
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations.checkin_reminder import flag_missing
from teleframe.operations.evaluation import BATCH, evaluate_staged
from teleframe.services.reference import load_reference

log = logging.getLogger(__name__)
DRAIN_ROUNDS = 20  # a message drains at most this many batches, then yields the worker


@worker_init.connect
def _load_reference_data(**_: object) -> None:
    """Parse the reviewed reference files before the first check-in arrives, not while a
    client waits for its verdict."""
    load_reference().emergency_for("US", None)


@shared_task(name=tasks.EVALUATE_CHECKIN, bind=True)
def evaluate_checkin(self, checkin_id: str) -> int:
    """Sent once per check-in (ids only): evaluates this check-in first, in a batch with
    others waiting (fairly across practices), then drains what is left, boundedly.
    Idempotent: one evaluation per check-in, outbox rows marked done with it, so a repeated
    or late message finds nothing left to do."""
    session = db.session
    own = outbox.own_row(session, tasks.EVALUATE_CHECKIN, self.request.id, [checkin_id])
    evaluated = _drain(first=own)
    log.info("evaluated %d staged check-in(s), check-in %s first", evaluated, checkin_id)
    return evaluated


@shared_task(name=tasks.DRAIN_EVALUATIONS)
def drain_evaluations() -> int:
    """Beat's sweep: evaluates whatever is staged and due (a lost message, a retry's turn)."""
    return _drain(first=None)


def _drain(first: uuid.UUID | None) -> int:
    return wakeup.drain(
        db.session,
        tasks.EVALUATE_CHECKIN,
        tasks.DRAIN_EVALUATIONS,
        lambda first: evaluate_staged(db.session, now=utcnow(), first=first),
        BATCH,
        DRAIN_ROUNDS,
        first,
    )


@shared_task(name=tasks.CHECK_MISSING_CHECKINS)
def check_missing_checkins() -> int:
    """Beat: `checkin.missing` once per session whose client has not checked in by the
    policy's notice time."""
    flagged = flag_missing(db.session, utcnow())
    db.session.commit()
    log.info("checkin.missing for %d session(s)", flagged)
    return flagged
