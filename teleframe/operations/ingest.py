"""From a verified webhook to a session's continuity record and the protocol's prompts.

The edge stores the raw request (one transaction with its outbox row) and answers; the worker
normalises it, matches it to a session, stores the events and re-folds the session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import outbox
from teleframe.db.upsert import insert_new
from teleframe.models import (
    InboundEvent,
    Integration,
    SessionEvent,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.operations.continuity import lock_sessions, refold
from teleframe.services.providers import PROVIDERS, Event, InboundRequest, PayloadInvalid

BATCH = 100
# a recurring meeting id is reused: match the session scheduled nearest the event
MATCH_WINDOW = timedelta(hours=12)


@dataclass(frozen=True)
class HookTarget:
    """What the edge needs of an integration; small enough to cache between requests."""

    id: uuid.UUID
    practice_id: uuid.UUID
    provider: str
    secret: str

    @classmethod
    def of(cls, integration: Integration) -> HookTarget:
        return cls(
            integration.id, integration.practice_id, integration.provider, integration.secret
        )


def stage_inbound(
    session: Session, integration: HookTarget, request: InboundRequest
) -> InboundEvent:
    """The edge's one durable write: the raw request, itself the work item (unprocessed until
    a worker takes it). The message that wakes a worker is sent on commit; beat sweeps too."""
    provider = PROVIDERS[integration.provider]
    inbound = InboundEvent(
        id=uuid.uuid4(),
        practice_id=integration.practice_id,
        integration_id=integration.id,
        provider=integration.provider,
        dedupe_key=provider.dedupe_key(request),
        room_id=provider.room_id(request),
        url=request.url,
        request={"headers": dict(request.headers), "body": request.body.decode("latin-1")},
    )
    session.add(inbound)
    outbox.kick(session, tasks.INGEST_EVENT, str(inbound.id))
    return inbound


def _as_request(inbound: InboundEvent) -> InboundRequest:
    raw: dict[str, Any] = inbound.request
    return InboundRequest(
        url=inbound.url, headers=raw["headers"], body=raw["body"].encode("latin-1")
    )


def match_session(
    session: Session, practice_id: uuid.UUID, provider: str, room_id: str | None, at: datetime
) -> TherapySession | None:
    if not room_id:
        return None
    candidates = session.scalars(
        select(TherapySession).where(
            TherapySession.practice_id == practice_id,
            TherapySession.video_provider == provider,
            TherapySession.video_room_id == room_id,
            TherapySession.scheduled_start >= at - MATCH_WINDOW,
            TherapySession.scheduled_start <= at + MATCH_WINDOW,
        )
    ).all()
    return min(candidates, key=lambda s: abs(s.scheduled_start - at), default=None)


def process_inbound(
    session: Session, inbound: InboundEvent, matches: dict[Any, Any]
) -> uuid.UUID | None:
    """Normalise and store one raw webhook's events; returns the matched session id.

    `matches` remembers room lookups within a batch: one session's webhooks arrive together.
    """
    if inbound.processed_at is not None:
        return inbound.session_id
    inbound.processed_at = utcnow()
    try:
        events = PROVIDERS[inbound.provider].normalize(_as_request(inbound))
    except PayloadInvalid:
        inbound.outcome = "invalid"
        return None
    if not events:
        inbound.outcome = "ignored"
        return None
    key = (inbound.practice_id, inbound.provider, inbound.room_id, events[0].occurred_at.date())
    if key not in matches:
        matches[key] = match_session(
            session, inbound.practice_id, inbound.provider, inbound.room_id, events[0].occurred_at
        )
    target = matches[key]
    if target is None:
        inbound.outcome = "unmatched"
        return None
    inbound.outcome, inbound.session_id = "matched", target.id
    store_events(session, target, events, inbound_id=inbound.id, received_at=inbound.received_at)
    return target.id


def ingest_staged(session: Session, *, limit: int = BATCH, now: datetime) -> int:
    """Process up to `limit` staged webhooks and re-fold each session they touch once, in the
    caller's transaction. Returns how many rows it claimed (0: nothing was waiting)."""
    inbound = session.scalars(
        select(InboundEvent)
        .where(InboundEvent.processed_at.is_(None))
        .order_by(InboundEvent.received_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    matches: dict[Any, Any] = {}
    touched = {process_inbound(session, item, matches) for item in inbound} - {None}
    for therapy_session in lock_sessions(session, touched):
        refold(session, therapy_session, now=now)
    return len(inbound)


def store_events(
    session: Session,
    therapy_session: TherapySession,
    events: list[Event],
    *,
    inbound_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> None:
    """Insert, skipping any whose dedupe key the session already has (duplicates are normal)."""
    rows = [
        {
            "id": uuid.uuid4(),
            "practice_id": therapy_session.practice_id,
            "session_id": therapy_session.id,
            "kind": event.kind,
            "occurred_at": event.occurred_at,
            "received_at": event.received_at or received_at or utcnow(),
            "provider": event.provider,
            "dedupe_key": event.dedupe_key,
            "participant_key": event.participant_key,
            "connection_key": event.connection_key,
            "role": event.role,
            "reason": event.reason,
            "modality": event.modality,
            "inbound_event_id": inbound_id,
        }
        for event in events
    ]
    insert_new(session, SessionEvent, rows, unique=["session_id", "dedupe_key"])
