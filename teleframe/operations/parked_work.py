"""Parked work as the practice's admin sees it, and as Prometheus counts it.

Three kinds of rows can be parked: staged tasks (`outbox`: evaluations, report builds,
retention of one client), stored webhooks (`inbound_events`) and outbound deliveries. Each
carries ids, counts, times and a reason code; never a payload (it may hold PHI).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.models import Delivery, InboundEvent, OutboxMessage
from teleframe.operations.delivery import PARKED

WEBHOOK = "webhook"
DELIVERY = "delivery"
KINDS = (tasks.EVALUATION, WEBHOOK, tasks.REPORTS, tasks.MAINTENANCE, DELIVERY)


def _staged(session: Session, practice_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.practice_id == practice_id, OutboxMessage.parked_at.is_not(None))
        .order_by(OutboxMessage.parked_at.desc())
        .limit(limit)
    )
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


def _webhooks(session: Session, practice_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(InboundEvent)
        .where(InboundEvent.practice_id == practice_id, InboundEvent.parked_at.is_not(None))
        .order_by(InboundEvent.parked_at.desc())
        .limit(limit)
    )
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


def _deliveries(session: Session, practice_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Delivery)
        .where(Delivery.practice_id == practice_id, Delivery.status == PARKED)
        .order_by(Delivery.parked_at.desc())
        .limit(limit)
    )
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
    session: Session, practice_id: uuid.UUID, *, kind: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The practice's parked rows, newest first."""
    found = [
        *_staged(session, practice_id, limit),
        *_webhooks(session, practice_id, limit),
        *_deliveries(session, practice_id, limit),
    ]
    if kind is not None:
        found = [item for item in found if item["kind"] == kind]
    found.sort(key=lambda item: item["parked_at"], reverse=True)
    return found[:limit]


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
