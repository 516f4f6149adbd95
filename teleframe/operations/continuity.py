"""A session's disruption timeline: its normalised events, the continuity folded from them,
the session's progress (in progress, ended) and the disruption protocol's prompts."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import outbox
from teleframe.models import (
    InboundEvent,
    ReportVersion,
    SessionEvent,
    SessionState,
    TherapySession,
)
from teleframe.operations.notification import emit_all, outbound_row
from teleframe.operations.policy import current_version_id, session_policy
from teleframe.services import continuity as fold
from teleframe.services.providers import Event
from teleframe.services.session_progress import Progress, progress

BACKLOG_WAIT = timedelta(minutes=5)


def continuity_for(
    session: Session, therapy_session: TherapySession
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(continuity record, events as dicts in time order); (None, []) before any event."""
    events = [event.to_dict() for event in session_events(session, therapy_session.id)]
    return therapy_session.continuity, events


def session_events(session: Session, session_id: uuid.UUID) -> list[Event]:
    rows = session.scalars(
        select(SessionEvent)
        .where(SessionEvent.session_id == session_id)
        .order_by(SessionEvent.occurred_at, SessionEvent.id)
    )
    return [
        Event(
            kind=row.kind,
            occurred_at=row.occurred_at,
            provider=row.provider,
            dedupe_key=row.dedupe_key,
            participant_key=row.participant_key,
            role=row.role,
            reason=row.reason,
            modality=row.modality,
            connection_key=row.connection_key,
            received_at=row.received_at,
            note=row.note,
        )
        for row in rows
    ]


def lock_sessions(session: Session, ids: Iterable[uuid.UUID]) -> list[TherapySession]:
    """The sessions, locked in id order, the one order every path takes (never crosswise).

    FOR NO KEY UPDATE: it does not conflict with the key-share lock that inserting a check-in
    or an event takes on its session, so a client's check-in never waits for a worker. Taken
    before a worker inserts the session's rows, and refreshed from the database
    (`populate_existing`): an object loaded earlier in the transaction may be stale.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        session.scalars(
            select(TherapySession)
            .where(TherapySession.id.in_(wanted))
            .order_by(TherapySession.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    )


# Versions never change once stored, so a process builds each one's protocol once: reading
# the version's whole document for every session of every round was a fifth of a small
# ingest round in the profile (README, "Benchmarks").
_protocols: LRUCache[uuid.UUID, fold.Protocol] = LRUCache(maxsize=256)
_protocols_lock = threading.Lock()


def protocol_of(session: Session, therapy_session: TherapySession) -> fold.Protocol:
    """The disruption protocol of the session's policy (pinned or current); folding events
    never pins one."""
    version_id = therapy_session.policy_version_id or current_version_id(
        session, therapy_session.practice_id
    )
    if version_id is not None:
        with _protocols_lock:
            cached = _protocols.get(version_id)
        if cached is not None:
            return cached
    version = session_policy(session, therapy_session)
    protocol = fold.Protocol.from_policy(version.document)
    with _protocols_lock:
        _protocols[version.id] = protocol
    return protocol


def signed_at(session: Session, therapy_session: TherapySession) -> datetime | None:
    """When the session's report was signed; events after it are kept but not folded in."""
    if therapy_session.state != SessionState.report_signed.value:
        return None
    return session.scalar(
        select(ReportVersion.created_at)
        .where(ReportVersion.session_id == therapy_session.id, ReportVersion.kind == "signed")
        .limit(1)
    )


def refold(
    session: Session, therapy_session: TherapySession, *, now: datetime, arrived: bool = True
) -> dict[str, Any] | None:
    """Fold all of the session's events again; once they have settled, keep the record, move
    the session on and emit what the change calls for (`services.session_progress`).

    `arrived`: this fold follows new events. The caller holds the session row locked
    (`lock_sessions`), so concurrent folds of one session queue up.
    """
    protocol = protocol_of(session, therapy_session)
    record = fold.fold(
        session_events(session, therapy_session.id),
        protocol,
        scheduled_start=therapy_session.scheduled_start,
        scheduled_end=therapy_session.scheduled_end,
        signed_at=signed_at(session, therapy_session),
    )
    kept = therapy_session.continuity
    step = progress(
        therapy_session.state,
        fold.Continuity.from_dict(kept) if kept else None,
        record,
        protocol,
        now=now,
        settle_at=therapy_session.settle_at,
        arrived=arrived,
        outage_open_since=therapy_session.outage_open_since,
    )
    _apply(session, therapy_session, step)
    return therapy_session.continuity


def _apply(session: Session, therapy_session: TherapySession, step: Progress) -> None:
    therapy_session.state = step.state.value
    therapy_session.settle_at = step.settle_at
    therapy_session.outage_open_since = step.outage_open_since
    if not step.settled or step.record is None:
        return
    therapy_session.continuity = step.record.to_dict()
    if step.ended:
        therapy_session.ended_at = step.record.ended_at
        outbox.stage(
            session, therapy_session.practice_id, tasks.BUILD_REPORT_DRAFT, str(therapy_session.id)
        )
    emit_all(session, [outbound_row(therapy_session, event) for event in step.emit])


def recheck(session: Session, session_id: uuid.UUID, *, now: datetime) -> bool:
    """Beat's look at one session: settle it, or re-check its open outage against the clock."""
    for therapy_session in lock_sessions(session, {session_id}):
        if therapy_session.settle_at is not None or therapy_session.outage_open_since is not None:
            refold(session, therapy_session, now=now, arrived=False)
            return True
    return False


def sessions_to_recheck(session: Session, now: datetime) -> list[uuid.UUID]:
    """Sessions whose events have settled, and those with an outage open; not while a stored
    webhook for the session's room still waits for a worker (a backlog is not quiet), for at
    most BACKLOG_WAIT (a webhook that cannot be processed must not hold the session for ever).
    """
    waiting = exists().where(
        InboundEvent.processed_at.is_(None),
        InboundEvent.received_at > now - BACKLOG_WAIT,
        InboundEvent.practice_id == TherapySession.practice_id,
        InboundEvent.provider == TherapySession.video_provider,
        InboundEvent.room_id == TherapySession.video_room_id,
    )
    return list(
        session.scalars(
            select(TherapySession.id)
            .where(
                or_(
                    TherapySession.settle_at <= now,
                    TherapySession.outage_open_since.is_not(None),
                ),
                ~waiting,
            )
            .order_by(TherapySession.id)
        )
    )
