"""A session's disruption timeline: its normalised events and the continuity folded from them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from teleframe.ingest import session_events
from teleframe.models import TherapySession


def continuity_for(
    session: Session, therapy_session: TherapySession
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(continuity record, events as dicts in time order); (None, []) before any event."""
    events = [event.to_dict() for event in session_events(session, therapy_session.id)]
    return therapy_session.continuity, events
