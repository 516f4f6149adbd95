"""The sessions a signed-in person sees for a day, with their frame badges."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from teleframe.models import Client, Evaluation, ReportVersion, TherapySession, User
from teleframe.operations.frame import latest_checkin
from teleframe.services.frame_badge import Badge, badge


@dataclass(frozen=True)
class DayRow:
    session: TherapySession
    client_name: str
    badge: Badge


def visible_sessions(user: User) -> Select[TherapySession]:
    """A clinician sees their own sessions; an admin the whole practice's."""
    query = select(TherapySession).where(TherapySession.practice_id == user.practice_id)
    if user.role != "admin":
        query = query.where(TherapySession.clinician_id == user.clinician_id)
    return query


def day_sessions(session: Session, user: User, day: date) -> list[TherapySession]:
    start = datetime.combine(day, datetime.min.time(), UTC)
    return list(
        session.scalars(
            visible_sessions(user)
            .where(
                TherapySession.scheduled_start >= start,
                TherapySession.scheduled_start < start + timedelta(days=1),
            )
            .order_by(TherapySession.scheduled_start)
        )
    )


def session_badge(session: Session, therapy_session: TherapySession) -> Badge:
    checkin = latest_checkin(session, therapy_session)
    pending = checkin is not None and not session.scalar(
        select(exists().where(Evaluation.checkin_id == checkin.id))
    )
    has_report = bool(
        session.scalar(select(exists().where(ReportVersion.session_id == therapy_session.id)))
    )
    return badge(
        state=therapy_session.state,
        frame_status=therapy_session.frame_status,
        checkin_pending=pending,
        outage_open=therapy_session.outage_open_since is not None,
        has_report=has_report,
    )


def day_rows(session: Session, user: User, day: date) -> list[DayRow]:
    rows = []
    for therapy_session in day_sessions(session, user, day):
        client = session.get_one(Client, therapy_session.client_id)
        rows.append(
            DayRow(therapy_session, client.display_name, session_badge(session, therapy_session))
        )
    return rows


def visible_session(session: Session, user: User, session_id: uuid.UUID) -> TherapySession | None:
    return session.scalars(visible_sessions(user).where(TherapySession.id == session_id)).first()
