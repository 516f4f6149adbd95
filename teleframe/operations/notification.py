"""Events teleframe emits for platforms: recorded once, thin (ids, codes and times, never PHI).

Outbound webhook delivery reads these rows; the receiver fetches details through the API.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from teleframe.db.upsert import insert_new
from teleframe.models import OutboundEvent, TherapySession
from teleframe.models.base import utcnow
from teleframe.operations import delivery_fanout
from teleframe.services.outbound import Outbound


def outbound_row(therapy_session: TherapySession, event: Outbound) -> dict[str, Any]:
    """The row for an event decided by `services.outbound`."""
    return {
        "id": uuid.uuid4(),
        "practice_id": therapy_session.practice_id,
        "session_id": therapy_session.id,
        "type": event.type,
        "occurrence": event.occurrence,
        "payload": {"session_id": str(therapy_session.id), **event.facts},
        "created_at": utcnow(),
    }


def emit_all(session: Session, rows: list[dict[str, Any]]) -> None:
    """Record outbound events once per (session, type, occurrence), in one statement, and
    their deliveries to the endpoints subscribed to each type, in the same transaction."""
    insert_new(session, OutboundEvent, rows, unique=["session_id", "type", "occurrence"])
    delivery_fanout.for_events(session, [row["id"] for row in rows], utcnow())


def emit(
    session: Session,
    therapy_session: TherapySession,
    event_type: str,
    occurrence: str,
    facts: dict[str, Any],
) -> None:
    emit_all(session, [outbound_row(therapy_session, Outbound(event_type, occurrence, facts))])
