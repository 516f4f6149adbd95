"""A session's disruption timeline: its normalised events and the continuity folded from them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.models import SessionEvent, TherapySession
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
        )
        for row in rows
    ]
