"""Parked work as the practice's admin sees it, and as Prometheus counts it.

Three kinds of rows can be parked: staged tasks (`outbox`: evaluations, report builds,
retention of one client), stored webhooks (`inbound_events`) and outbound deliveries. Each
carries ids, counts, times and a reason code; never a payload (it may hold PHI).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true, tuple_
from sqlalchemy.orm import Session, defer

from teleframe import tasks
from teleframe.models import Delivery, InboundEvent, OutboxMessage
from teleframe.operations.delivery import PARKED

WEBHOOK = "webhook"
DELIVERY = "delivery"
KINDS = (tasks.EVALUATION, WEBHOOK, tasks.REPORTS, tasks.MAINTENANCE, DELIVERY)
Position = tuple[datetime, uuid.UUID]


@dataclass(frozen=True)
class Page:
    kind: str | None
    limit: int
    after: Position | None


def _newest_first(query: Select[Any], model: Any, after: Position | None, limit: int) -> Any:
    """Keyset order shared by the three kinds, so their union pages as one list."""
    if after is not None:
        query = query.where(tuple_(model.parked_at, model.id) < tuple_(*after))
    return query.order_by(model.parked_at.desc(), model.id.desc()).limit(limit)


def _staged_kind(kind: str | None) -> ColumnElement[bool]:
    if kind is None:
        return true()
    named = OutboxMessage.task.in_([task for task, of in tasks.KIND_OF.items() if of == kind])
    if kind == tasks.MAINTENANCE:  # tasks without a kind count as maintenance
        return or_(named, OutboxMessage.task.not_in(list(tasks.KIND_OF)))
    return named


def _only(kind: str | None, wanted: str) -> ColumnElement[bool]:
    return true() if kind in (None, wanted) else false()


def _staged(session: Session, practice_id: uuid.UUID, page: Page) -> list[dict[str, Any]]:
    query = select(OutboxMessage).where(
        OutboxMessage.practice_id == practice_id,
        OutboxMessage.parked_at.is_not(None),
        _staged_kind(page.kind),
    )
    rows = session.scalars(_newest_first(query, OutboxMessage, page.after, page.limit))
    return [
        {
            "id": row.id,
            "kind": tasks.KIND_OF.get(row.task, tasks.MAINTENANCE),
            "task": row.task,
            "refers_to": [str(arg) for arg in row.args],  # ids only, as in every task
            "attempts": row.failures,
            "reason": row.last_error or "",
            "parked_at": row.parked_at,
            "created_at": row.created_at,
        }
        for row in rows
    ]


def _webhooks(session: Session, practice_id: uuid.UUID, page: Page) -> list[dict[str, Any]]:
    query = (
        select(InboundEvent)
        .where(
            InboundEvent.practice_id == practice_id,
            InboundEvent.parked_at.is_not(None),
            _only(page.kind, WEBHOOK),
        )
        # the raw request is not shown: not decrypted (PHI), nor able to fail the list
        .options(defer(InboundEvent.request))
    )
    rows = session.scalars(_newest_first(query, InboundEvent, page.after, page.limit))
    return [
        {
            "id": row.id,
            "kind": WEBHOOK,
            "task": tasks.INGEST_EVENT,
            "refers_to": [str(row.integration_id)],
            "provider": row.provider,
            "attempts": row.attempts,
            "reason": row.last_error or row.outcome or "",
            "parked_at": row.parked_at,
            "created_at": row.received_at,
        }
        for row in rows
    ]


def _deliveries(session: Session, practice_id: uuid.UUID, page: Page) -> list[dict[str, Any]]:
    query = select(Delivery).where(
        Delivery.practice_id == practice_id,
        Delivery.status == PARKED,
        _only(page.kind, DELIVERY),
    )
    rows = session.scalars(_newest_first(query, Delivery, page.after, page.limit))
    return [
        {
            "id": row.id,
            "kind": DELIVERY,
            "task": tasks.DELIVER_WEBHOOK,
            "refers_to": [str(row.endpoint_id), str(row.event_id)],
            "attempts": len(row.attempts),
            "reason": row.last_error or "",
            "parked_at": row.parked_at,
            "created_at": row.created_at,
        }
        for row in rows
    ]


def parked_work(
    session: Session,
    practice_id: uuid.UUID,
    *,
    kind: str | None = None,
    limit: int = 50,
    after: Position | None = None,
) -> list[dict[str, Any]]:
    """The practice's parked rows, newest first (by parked time, then id), after `after`."""
    page = Page(kind, limit, after)
    found = [
        *_staged(session, practice_id, page),
        *_webhooks(session, practice_id, page),
        *_deliveries(session, practice_id, page),
    ]
    found.sort(key=position, reverse=True)
    return found[:limit]


def position(item: dict[str, Any]) -> Position:
    return item["parked_at"], item["id"]


def parked_counts(session: Session) -> dict[str, int]:
    """Parked rows by kind across all practices (for /metrics: no practice ids in labels)."""
    counts = dict.fromkeys(KINDS, 0)
    staged = session.execute(
        select(OutboxMessage.task, func.count())
        .where(OutboxMessage.parked_at.is_not(None))
        .group_by(OutboxMessage.task)
    )
    for task, count in staged:
        counts[tasks.KIND_OF.get(task, tasks.MAINTENANCE)] += int(count)
    counts[WEBHOOK] += int(
        session.scalar(select(func.count()).where(InboundEvent.parked_at.is_not(None))) or 0
    )
    counts[DELIVERY] += int(
        session.scalar(select(func.count()).where(Delivery.status == PARKED)) or 0
    )
    return counts
