"""Accepting a check-in: stored with its evaluation work in one transaction, then published."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import outbox
from teleframe.models import CheckIn, TherapySession
from teleframe.services.session_state import SessionState, Trigger, allowed, states_allowing

# check-ins close when the session ends (the state machine's table says when)
CLOSED_STATES = frozenset(set(SessionState) - states_allowing(Trigger.checkin_submitted))


class CheckInClosed(Exception):
    """The session has ended: check-ins are closed."""


def closed_message(state: str) -> str:
    if state == SessionState.report_signed.value:
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
    """`answers` are already shape-validated (CheckInCreateSchema). Flushes: the caller's
    commit stores the check-in and its outbox row together and then publishes the evaluation."""
    if not allowed(therapy_session.state, Trigger.checkin_submitted):
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
    session.flush()
    return checkin
