"""Staging work with the write that causes it, and publishing it after commit.

`stage()` adds the row to the caller's transaction; when that transaction commits, the staged
messages are published (the warehouse pattern: nothing is queued for work that was rolled
back). A publish that fails or never happens is picked up by the relay.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import celery
from celery import Celery
from sqlalchemy import Update, bindparam, event, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from teleframe.db import breaker, fair, wakeup
from teleframe.models import OutboxMessage
from teleframe.models.base import utcnow

log = logging.getLogger(__name__)

# How long staged work may take before the relay publishes it again. Short, so work whose
# worker died is sent again within seconds; a re-publish of work still queued costs one no-op
# task (tasks drain their kind of staged work and are idempotent), and backoff bounds repeats.
RELAY_GRACE = timedelta(seconds=5)
RELAY_BATCH = 100
_RELAY = "teleframe.outbox.relay"


@dataclass(frozen=True)
class Relay:
    """Where one app's staged work is published, and how patiently. `create_app` builds it from
    Settings and binds it to the app's sessions (`bind`), so two apps in one process publish
    to their own Celery apps and infrastructure never asks Flask which app is at hand."""

    celery: Celery
    grace: timedelta = RELAY_GRACE
    broker_down_seconds: float = 5.0

    def wait(self) -> timedelta:
        """Zero while the broker is known down: the relay should publish as soon as it is back."""
        return timedelta(0) if breaker.broker.is_open() else self.grace


# sessions made outside an app (scripts, tests): the process's default Celery app, resolved
# at each use as `celery.current_app` is a proxy
DEFAULT_RELAY = Relay(celery.current_app)


def bind(sessions: sessionmaker[Session], relay: Relay) -> None:
    """Every session `sessions` makes from now on carries `relay` (sessionmaker copies `info`
    into each session it makes)."""
    sessions.configure(info={**sessions.kw.get("info", {}), _RELAY: relay})


def relay_of(session: Session) -> Relay:
    found: Relay = session.info.get(_RELAY, DEFAULT_RELAY)
    return found


def stage(session: Session, practice_id: uuid.UUID, task: str, *args: str) -> OutboxMessage:
    now = utcnow()
    message = OutboxMessage(
        id=uuid.uuid4(),
        practice_id=practice_id,
        task=task,
        args=list(args),
        created_at=now,
        next_attempt_at=now + relay_of(session).wait(),
    )
    session.add(message)
    session.info.setdefault(_STAGED, []).append(message)
    return message


_STAGED = "teleframe.outbox.staged"


@dataclass(frozen=True)
class Kick:
    """A message published on commit with no outbox row: for work whose own row is durable
    and swept by beat (a stored webhook not yet processed), so losing it costs only time."""

    id: uuid.UUID
    task: str
    args: list[str]


def kick(session: Session, task: str, *args: str) -> None:
    stage_kick(session, Kick(uuid.uuid4(), task, list(args)))


def stage_kick(session: Session, message: Kick) -> None:
    """Publish `message` when the session's transaction commits (its row, if any, is already
    part of that transaction)."""
    session.info.setdefault(_STAGED, []).append(message)


@event.listens_for(Session, "after_commit")
def _publish_staged(session: Session) -> None:
    staged = session.info.pop(_STAGED, None)
    if staged:
        publish(relay_of(session), staged)


@event.listens_for(Session, "after_rollback")
def _forget_staged(session: Session) -> None:
    session.info.pop(_STAGED, None)


def publish(relay: Relay, messages: Iterable[OutboxMessage | Kick]) -> None:
    """Best effort: a message not published here is published by the relay. After a failure
    the broker is skipped for a few seconds (`breaker`), so an outage costs no request time."""
    if breaker.broker.is_open():
        return
    celery = relay.celery
    for message in messages:
        if not wakeup.should_publish(celery.conf, message.task):
            continue  # a wake-up of this kind is pending: its drain will take this row too
        try:
            celery.send_task(message.task, args=message.args, task_id=str(message.id))
        except Exception:  # the broker being down must not fail an accepted request
            wakeup.rearm(celery.conf, message.task)
            breaker.broker.trip(relay.broker_down_seconds)
            log.warning("publish failed for outbox %s; the relay will retry", message.id)
            return


def mark_done(session: Session, message_id: str | None) -> None:
    if not message_id:
        return
    try:
        key = uuid.UUID(message_id)
    except ValueError:
        return
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == key, OutboxMessage.done_at.is_(None))
        .values(done_at=utcnow())
    )


@cache
def _staged_claim() -> fair.FairClaim[OutboxMessage]:
    """Staged work of one kind (`task`) not done and not waiting out a retry's backoff (`now`)."""
    waiting = (
        OutboxMessage.task == bindparam("task"),
        OutboxMessage.done_at.is_(None),
        or_(OutboxMessage.retry_at.is_(None), OutboxMessage.retry_at <= bindparam("now")),
    )
    return fair.FairClaim(OutboxMessage, waiting, OutboxMessage.created_at)


def own_row(session: Session, task: str, task_id: str | None, args: list[str]) -> uuid.UUID | None:
    """The staged row a task message stands for: the message id is the row id when the outbox
    published it; a message sent some other way is found by its arguments."""
    try:
        key = uuid.UUID(task_id) if task_id else None
    except ValueError:
        key = None
    mine = (
        OutboxMessage.args == args
        if key is None
        else or_(OutboxMessage.id == key, OutboxMessage.args == args)
    )
    return session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.task == task, OutboxMessage.done_at.is_(None), mine)
        .limit(1)
    )


def claim_staged(
    session: Session,
    task: str,
    limit: int,
    *,
    now: datetime | None = None,
    first: uuid.UUID | None = None,
) -> list[OutboxMessage]:
    """Staged work of one kind, `first` (the task's own row) leading, then round-robin across
    practices, oldest first within each; locked so that concurrent workers split it."""
    values = {"task": task, "now": now or utcnow()}
    return _staged_claim().claim(session, limit, values, first=first)


def mark_all_done(session: Session, messages: list[OutboxMessage]) -> None:
    if messages:
        ids = [message.id for message in messages]
        session.execute(_mark_done_statement(), {"ids": ids, "marked_at": utcnow()})


@cache
def _mark_done_statement() -> Update:
    """Built once per process; no search of the session for the rows to update in memory
    (a drain's rounds never read them again): a tenth of a small round in the profile."""
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
        .values(done_at=bindparam("marked_at"))
        .execution_options(synchronize_session=False)
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2**attempts, 3600))


def claim_due(
    session: Session, now: datetime, *, older_than: datetime | None = None
) -> list[OutboxMessage]:
    """Rows to re-publish; SKIP LOCKED lets several relays run without double claims.

    With `older_than` (a worker has just started) every row staged before it is claimed,
    whatever its backoff: its earlier worker may have died with it, and only a new worker
    can say so."""
    due = (
        OutboxMessage.created_at <= older_than
        if older_than is not None
        else OutboxMessage.next_attempt_at <= now
    )
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.done_at.is_(None), due)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(RELAY_BATCH)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + backoff(row.attempts)
    return rows


def lag(session: Session) -> tuple[int, datetime | None]:
    """How much staged work is not done yet, and when the oldest of it was staged."""
    pending, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.done_at.is_(None)
        )
    ).one()
    return int(pending), oldest
