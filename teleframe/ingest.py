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

from teleframe import outbox, policies, reports
from teleframe.models import (
    InboundEvent,
    Integration,
    PolicyVersion,
    SessionEvent,
    SessionState,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.notifications import emit_all, outbound_row
from teleframe.services import continuity as fold
from teleframe.services.providers import PROVIDERS, Event, InboundRequest, PayloadInvalid
from teleframe.timeline import session_events
from teleframe.upsert import insert_new

INGEST_EVENT = "teleframe.ingest_event"
BATCH = 100
FOLD_SESSION = "teleframe.fold_session"
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
    outbox.kick(session, INGEST_EVENT, str(inbound.id))
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


def lock_sessions(session: Session, ids: set[Any]) -> list[TherapySession]:
    """The sessions, locked in id order (never crosswise with another worker)."""
    if not ids:
        return []
    return list(
        session.scalars(
            select(TherapySession)
            .where(TherapySession.id.in_(ids))
            .order_by(TherapySession.id)
            .with_for_update()
        )
    )


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


def policy_document(session: Session, therapy_session: TherapySession) -> dict[str, Any]:
    """The pinned version if a check-in pinned one, else the practice's current policy."""
    version = None
    if therapy_session.policy_version_id is not None:
        version = session.get(PolicyVersion, therapy_session.policy_version_id)
    version = version or policies.ensure_default(session, therapy_session.practice_id)
    return version.document


def signed_at(session: Session, therapy_session: TherapySession) -> datetime | None:
    """When the session's report was signed; events after it are kept but not folded in."""
    if therapy_session.state != SessionState.report_signed.value:
        return None
    from teleframe.models import ReportVersion  # reports land in their own module

    return session.scalar(
        select(ReportVersion.created_at)
        .where(ReportVersion.session_id == therapy_session.id, ReportVersion.kind == "signed")
        .limit(1)
    )


def refold(session: Session, therapy_session: TherapySession, *, now: datetime) -> dict[str, Any]:
    """Fold all of the session's events again and apply the disruption protocol.

    The caller holds the session row locked (SELECT ... FOR UPDATE), so concurrent folds of
    one session queue up instead of overwriting each other.
    """
    protocol = fold.Protocol.from_policy(policy_document(session, therapy_session))
    events = session_events(session, therapy_session.id)
    record = fold.fold(
        events,
        protocol,
        scheduled_start=therapy_session.scheduled_start,
        scheduled_end=therapy_session.scheduled_end,
        signed_at=signed_at(session, therapy_session),
    )
    therapy_session.continuity = record.to_dict()
    emitted = _advance_state(session, therapy_session, record)
    open_outage = record.open_outage if record.ended_at is None else None
    therapy_session.outage_open_since = open_outage.start_at if open_outage else None
    emitted += _outage_events(therapy_session, record)
    emitted += protocol_events(therapy_session, record, protocol, now=now)
    emit_all(session, emitted)
    return therapy_session.continuity


def _advance_state(
    session: Session, therapy_session: TherapySession, record: fold.Continuity
) -> list[dict[str, Any]]:
    state = therapy_session.state
    if state in (SessionState.scheduled.value, SessionState.checked_in.value) and (
        record.started_at is not None
    ):
        therapy_session.state = state = SessionState.in_progress.value
    if record.ended_at is not None and state == SessionState.in_progress.value:
        therapy_session.state = SessionState.ended.value
        therapy_session.ended_at = record.ended_at
        reports.stage_draft_build(session, therapy_session)
        return [
            outbound_row(therapy_session, "session.ended", "", {"ended_at": _iso(record.ended_at)})
        ]
    return []


def _outage_events(
    therapy_session: TherapySession, record: fold.Continuity
) -> list[dict[str, Any]]:
    rows = []
    for outage in record.outages:
        started = _iso(outage.start_at)
        rows.append(
            outbound_row(therapy_session, "disruption.started", started, {"started_at": started})
        )
        if outage.end_at is not None:
            resolved = {
                "started_at": started,
                "resolved_at": _iso(outage.end_at),
                "seconds": outage.seconds,
            }
            rows.append(outbound_row(therapy_session, "disruption.resolved", started, resolved))
    return rows


def protocol_events(
    therapy_session: TherapySession,
    record: fold.Continuity,
    protocol: fold.Protocol,
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    """What the disruption protocol calls for now: `backup_plan.due` once per outage,
    `reschedule.suggested` once per session."""
    rows = []
    outage = record.open_outage
    for action in fold.due_actions(record, protocol, now=now):
        occurrence = _iso(outage.start_at) if outage and action == "backup_plan.due" else ""
        facts: dict[str, Any] = {"at": _iso(now)}
        if outage is not None:
            facts["outage_started_at"] = _iso(outage.start_at)
        rows.append(outbound_row(therapy_session, action, occurrence, facts))
    return rows


def sessions_with_open_outage(session: Session) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(TherapySession.id).where(TherapySession.outage_open_since.is_not(None))
        )
    )


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
