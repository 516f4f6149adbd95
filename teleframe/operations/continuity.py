"""A session's disruption timeline: its normalised events, the continuity folded from them,
the session's progress (in progress, ended) and the disruption protocol's prompts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import outbox
from teleframe.models import (
    ReportVersion,
    SessionEvent,
    SessionState,
    TherapySession,
)
from teleframe.operations.notification import emit_all, outbound_row
from teleframe.operations.policy import session_policy
from teleframe.services import continuity as fold
from teleframe.services.moments import rfc3339
from teleframe.services.providers import Event


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


def policy_document(session: Session, therapy_session: TherapySession) -> dict[str, Any]:
    """The session's policy (pinned or current); folding events never pins one."""
    return session_policy(session, therapy_session).document


def signed_at(session: Session, therapy_session: TherapySession) -> datetime | None:
    """When the session's report was signed; events after it are kept but not folded in."""
    if therapy_session.state != SessionState.report_signed.value:
        return None
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
        outbox.stage(
            session, therapy_session.practice_id, tasks.BUILD_REPORT_DRAFT, str(therapy_session.id)
        )
        return [
            outbound_row(
                therapy_session, "session.ended", "", {"ended_at": rfc3339(record.ended_at)}
            )
        ]
    return []


def _outage_events(
    therapy_session: TherapySession, record: fold.Continuity
) -> list[dict[str, Any]]:
    rows = []
    for outage in record.outages:
        started = rfc3339(outage.start_at)
        rows.append(
            outbound_row(therapy_session, "disruption.started", started, {"started_at": started})
        )
        if outage.end_at is not None:
            resolved = {
                "started_at": started,
                "resolved_at": rfc3339(outage.end_at),
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
        occurrence = rfc3339(outage.start_at) if outage and action == "backup_plan.due" else ""
        facts: dict[str, Any] = {"at": rfc3339(now)}
        if outage is not None:
            facts["outage_started_at"] = rfc3339(outage.start_at)
        rows.append(outbound_row(therapy_session, action, occurrence, facts))
    return rows


def sessions_with_open_outage(session: Session) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(TherapySession.id).where(TherapySession.outage_open_since.is_not(None))
        )
    )
