"""Accepting a check-in: stored with its evaluation work in one transaction, then published."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import outbox
from teleframe.models import CheckIn, SessionState, TherapySession

CLOSED_STATES = frozenset({SessionState.ended.value, SessionState.report_signed.value})


class CheckInClosed(Exception):
    """The session has ended: check-ins are closed."""


def closed_message(therapy_session: TherapySession) -> str:
    if therapy_session.state == SessionState.report_signed.value:
        return (
            "This session is over and its report has been signed, so check-ins are closed. "
            "Contact your clinician if something has changed."
        )
    return "The session has ended; check-ins are closed."


def submit(
    session: Session,
    therapy_session: TherapySession,
    answers: dict[str, Any],
    *,
    source: str,
) -> CheckIn:
    """`answers` are already shape-validated (CheckInCreateSchema). Commits."""
    if therapy_session.state in CLOSED_STATES:
        raise CheckInClosed
    checkin = CheckIn(
        id=uuid.uuid4(),
        practice_id=therapy_session.practice_id,
        session_id=therapy_session.id,
        data=answers,
        source=source,
    )
    session.add(checkin)
    outbox.stage(session, therapy_session.practice_id, tasks.EVALUATE_CHECKIN, str(checkin.id))
    session.commit()  # publishes the staged evaluation
    return checkin
