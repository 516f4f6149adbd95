"""A client's earlier agreement to the telehealth consent, carried to their next check-ins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.models import CheckIn, TherapySession

# answers are encrypted at rest, so the search reads the client's latest check-ins in Python
RECENT_CHECKINS = 100


def earlier_agreement(
    session: Session, therapy_session: TherapySession, version: str
) -> dict[str, Any] | None:
    """The client's latest agreement to this version of the text, in any of their sessions."""
    rows = session.scalars(
        select(CheckIn.data)
        .join(TherapySession, TherapySession.id == CheckIn.session_id)
        .where(
            TherapySession.practice_id == therapy_session.practice_id,
            TherapySession.client_id == therapy_session.client_id,
            CheckIn.practice_id == therapy_session.practice_id,
        )
        .order_by(CheckIn.submitted_at.desc())
        .limit(RECENT_CHECKINS)
    )
    for data in rows:
        given = (data or {}).get("consent") or {}
        if given.get("agreed") is True and given.get("version") == version:
            return {"agreed": True, "version": version, "agreed_at": given.get("agreed_at")}
    return None
