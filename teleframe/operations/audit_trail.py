"""The practice's audit trail, filtered: by client, session, actor, action and time.

Shared by `GET /v1/audit-events` and the dashboard's audit page. A client's or a session's
events are the ones about it and about what hangs off it (its sessions, their check-ins):
audit rows name ids only, so the ids are gathered first, within the practice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from teleframe.models import AuditEvent, CheckIn, TherapySession

ACTOR_TYPES = ("user", "api_key", "system", "anonymous")


@dataclass(frozen=True)
class Filters:
    client_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    actor: str | None = None  # an actor id, or a kind of actor (ACTOR_TYPES)
    action: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def _sessions(session: Session, practice_id: uuid.UUID, filters: Filters) -> list[uuid.UUID]:
    query = select(TherapySession.id).where(TherapySession.practice_id == practice_id)
    if filters.session_id is not None:
        query = query.where(TherapySession.id == filters.session_id)
    if filters.client_id is not None:
        query = query.where(TherapySession.client_id == filters.client_id)
    return list(session.scalars(query))


def _about(session: Session, practice_id: uuid.UUID, filters: Filters) -> list[str]:
    """The resource ids the client or session filter stands for."""
    sessions = _sessions(session, practice_id, filters)
    checkins = session.scalars(
        select(CheckIn.id).where(
            CheckIn.practice_id == practice_id, CheckIn.session_id.in_(sessions)
        )
    )
    client = [filters.client_id] if filters.session_id is None else []
    return [str(one) for one in (*client, *sessions, *checkins)] or ["-"]


def events(session: Session, practice_id: uuid.UUID, filters: Filters) -> Select[AuditEvent]:
    """The practice's events matching every filter given (order is the caller's)."""
    query = select(AuditEvent).where(AuditEvent.practice_id == practice_id)
    if filters.client_id is not None or filters.session_id is not None:
        query = query.where(AuditEvent.resource_id.in_(_about(session, practice_id, filters)))
    if filters.actor:
        query = query.where(
            or_(AuditEvent.actor_id == filters.actor, AuditEvent.actor_type == filters.actor)
        )
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.occurred_at < filters.until)
    return query
