"""Per-row isolation for batch work, and the rows parked when they keep failing.

Each batch first runs whole inside one SAVEPOINT (the fast path: one statement per batch);
when that fails, each row runs in its own SAVEPOINT, so a bad row rolls back alone and is
retried later with backoff, then parked (`services.parking`) while the rest commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from teleframe.db.engine import dependency_unavailable
from teleframe.models import InboundEvent, OutboxMessage
from teleframe.services import parking

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def isolated(
    session: Session, items: Sequence[T], work: Callable[[Sequence[T]], list[R]]
) -> tuple[list[R], list[tuple[T, Exception]]]:
    """Run `work` over the batch in a savepoint; if it fails, over each item in its own.
    Returns the results of the work that committed and each failed item with its error."""
    if not items:
        return [], []
    try:
        with session.begin_nested():
            return work(items), []
    except Exception as error:
        if dependency_unavailable(error):
            raise  # the database, not an item: the whole batch is tried again later
        if len(items) == 1:
            return [], [(items[0], error)]
    results: list[R] = []
    failed: list[tuple[T, Exception]] = []
    for item in items:
        try:
            with session.begin_nested():
                results.extend(work([item]))
        except Exception as error:
            if dependency_unavailable(error):
                raise
            failed.append((item, error))
    return results, failed


def fail_message(message: OutboxMessage, error: BaseException, now: datetime) -> None:
    """A staged task that failed: try again after a backoff (the relay re-publishes it then),
    or park it, done, with its reason."""
    message.failures += 1
    message.last_error = parking.reason(error)
    retry = parking.next_try(message.failures, now)
    if retry is None:
        message.parked_at = message.done_at = now
        message.retry_at = None
        log.warning("parked %s %s: %s", message.task, message.id, message.last_error)
        return
    message.retry_at = message.next_attempt_at = retry
    log.info("%s %s failed (%s), again at %s", message.task, message.id, message.last_error, retry)


def park_message(
    session: Session,
    practice_id: uuid.UUID,
    task: str,
    args: list[str],
    error: BaseException,
    now: datetime,
) -> OutboxMessage:
    """A parked row for work that has no staged row of its own (a retention sweep's client)."""
    message = OutboxMessage(
        id=uuid.uuid4(),
        practice_id=practice_id,
        task=task,
        args=args,
        created_at=now,
        next_attempt_at=now,
        done_at=now,
        parked_at=now,
        failures=1,
        last_error=parking.reason(error),
    )
    session.add(message)
    log.warning("parked %s %s: %s", task, args, message.last_error)
    return message


def fail_inbound(inbound: InboundEvent, error: BaseException, now: datetime) -> None:
    """A stored webhook that failed: unprocessed again until `retry_at`, or parked."""
    inbound.attempts += 1
    inbound.last_error = parking.reason(error)
    retry = parking.next_try(inbound.attempts, now)
    if retry is None:
        park_inbound(inbound, inbound.last_error, now, outcome="parked")
        return
    inbound.processed_at, inbound.outcome, inbound.session_id = None, None, None
    inbound.retry_at = retry


def park_inbound(inbound: InboundEvent, reason: str, now: datetime, *, outcome: str) -> None:
    """Done with, for good: a body teleframe cannot read, or one that kept failing."""
    inbound.processed_at = inbound.parked_at = now
    inbound.outcome, inbound.last_error, inbound.retry_at = outcome, reason, None
    log.warning("parked webhook %s (%s): %s", inbound.id, inbound.provider, reason)
