"""The client's answers from their last check-in in another session, to fill in the next one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.models import CheckIn, TherapySession

# what stays true from one session to the next; privacy, people present and readiness are
# asked fresh every time
LASTING_SECTIONS = ("location", "backup")


def last_answers(
    session: Session, therapy_session: TherapySession
) -> tuple[Any, dict[str, Any]] | None:
    """(check-in id, its lasting sections) of the client's latest check-in elsewhere, or None."""
    row = session.execute(
        select(CheckIn.id, CheckIn.data)
        .join(TherapySession, TherapySession.id == CheckIn.session_id)
        .where(
            TherapySession.practice_id == therapy_session.practice_id,
            TherapySession.client_id == therapy_session.client_id,
            TherapySession.id != therapy_session.id,
            CheckIn.practice_id == therapy_session.practice_id,
        )
        .order_by(CheckIn.submitted_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    checkin_id, data = row
    lasting = {name: (data or {}).get(name) for name in LASTING_SECTIONS}
    location = dict(lasting["location"] or {})
    location.pop("same_as_last_time", None)
    lasting["location"] = location
    return checkin_id, lasting
