"""Beat's look for sessions whose check-in window is open and whose client has not checked in."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from teleframe.models import CheckIn, OutboundEvent, TherapySession
from teleframe.operations.notification import emit_all, outbound_row
from teleframe.operations.policy import ensure_default
from teleframe.services import policy as policy_doc
from teleframe.services.checkin_reminder import missing_checkin
from teleframe.services.policy.rules import MAX_LEAD_MINUTES
from teleframe.services.session_state import SessionState

MISSING = "checkin.missing"


def _waiting(now: datetime, within: timedelta) -> Select[TherapySession]:
    """Sessions starting within `within`, not over, with no check-in and no notice yet."""
    return select(TherapySession).where(
        TherapySession.state == SessionState.scheduled.value,
        TherapySession.scheduled_start <= now + within,
        TherapySession.scheduled_end > now,
        ~exists().where(CheckIn.session_id == TherapySession.id),
        ~exists().where(
            OutboundEvent.session_id == TherapySession.id, OutboundEvent.type == MISSING
        ),
    )


def flag_missing(session: Session, now: datetime) -> int:
    """Emit `checkin.missing` for each session past its policy's notice time; returns how
    many. Each practice's lead time comes from its current policy (nothing is pinned before
    the first check-in); the event's identity makes a second sweep emit nothing."""
    longest = timedelta(minutes=MAX_LEAD_MINUTES)
    practices = session.scalars(
        _waiting(now, longest).with_only_columns(TherapySession.practice_id).distinct()
    ).all()
    rows = []
    for practice_id in practices:
        rows += _practice_rows(session, practice_id, now)
    emit_all(session, rows)
    return len(rows)


def _practice_rows(session: Session, practice_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    window = policy_doc.checkin_window(ensure_default(session, practice_id).document)
    lead = timedelta(minutes=window["missing_notice_minutes_before_start"])
    rows = []
    for therapy_session in session.scalars(
        _waiting(now, lead).where(TherapySession.practice_id == practice_id)
    ):
        event = missing_checkin(
            now,
            therapy_session.scheduled_start,
            therapy_session.scheduled_end,
            window,
            has_checkin=False,
        )
        if event is not None:
            rows.append(outbound_row(therapy_session, event))
    return rows
