"""Events teleframe emits for platforms: recorded once, thin (ids, codes and times, never PHI).

Outbound webhook delivery reads these rows; the receiver fetches details through the API.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.models import OutboundEvent, TherapySession


def emit(
    session: Session,
    therapy_session: TherapySession,
    event_type: str,
    occurrence: str,
    facts: dict[str, Any],
) -> None:
    """Record an outbound event once per (session, type, occurrence). Thin: ids and times only."""
    exists = session.scalar(
        select(OutboundEvent.id).where(
            OutboundEvent.session_id == therapy_session.id,
            OutboundEvent.type == event_type,
            OutboundEvent.occurrence == occurrence,
        )
    )
    if exists is not None:
        return
    session.add(
        OutboundEvent(
            practice_id=therapy_session.practice_id,
            session_id=therapy_session.id,
            type=event_type,
            occurrence=occurrence,
            payload={"session_id": str(therapy_session.id), **facts},
        )
    )
