"""The frame of a session as the API shows it: latest check-in, its verdict, continuity."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session

from teleframe.models import CheckIn, Evaluation, PolicyVersion, TherapySession


def latest_checkin_id() -> ScalarSelect[uuid.UUID]:
    """The id of a session's current check-in (the latest submitted; the id breaks ties),
    correlated to `TherapySession`: the one definition every query uses."""
    return (
        select(CheckIn.id)
        .where(CheckIn.session_id == TherapySession.id)
        .order_by(CheckIn.submitted_at.desc(), CheckIn.id.desc())
        .limit(1)
        .correlate(TherapySession)
        .scalar_subquery()
    )


def latest_checkins(session: Session, session_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """session id -> its current check-in's id, for sessions that have one."""
    rows = session.execute(
        select(TherapySession.id, latest_checkin_id()).where(TherapySession.id.in_(session_ids))
    )
    return {session_id: checkin_id for session_id, checkin_id in rows if checkin_id is not None}


def latest_checkin(session: Session, therapy_session: TherapySession) -> CheckIn | None:
    checkin_id = latest_checkins(session, {therapy_session.id}).get(therapy_session.id)
    return session.get(CheckIn, checkin_id) if checkin_id is not None else None


def _view(
    therapy_session: TherapySession,
    checkin: CheckIn | None,
    evaluation: Evaluation | None,
    version: tuple[int, str] | None,
) -> dict[str, Any]:
    evaluated = None
    if evaluation is not None:
        number, content_hash = version or (None, None)
        evaluated = {
            "checkin_id": evaluation.checkin_id,
            "status": evaluation.status,
            "findings": evaluation.findings,
            "facts": evaluation.facts,
            "policy_version": {
                "id": str(evaluation.policy_version_id),
                "number": number,
                "content_hash": content_hash,
            },
            "evaluated_at": evaluation.evaluated_at,
        }
    return {
        "session_id": therapy_session.id,
        "state": therapy_session.state,
        "frame_status": therapy_session.frame_status,
        "checkin": (
            {"id": checkin.id, "submitted_at": checkin.submitted_at, **checkin.data}
            if checkin
            else None
        ),
        "evaluation": evaluated,
        "evaluation_pending": checkin is not None and evaluation is None,
        "continuity": therapy_session.continuity,
    }


def frame_view(session: Session, therapy_session: TherapySession) -> dict[str, Any]:
    return frame_of(session, therapy_session.practice_id, therapy_session.id) or _view(
        therapy_session, None, None, None
    )


def frame_of(
    session: Session, practice_id: uuid.UUID, session_id: uuid.UUID
) -> dict[str, Any] | None:
    """The frame in one query (clients poll it); None when the practice has no such session."""
    latest = latest_checkin_id()
    row = session.execute(
        select(
            TherapySession, CheckIn, Evaluation, PolicyVersion.number, PolicyVersion.content_hash
        )
        .outerjoin(CheckIn, CheckIn.id == latest)
        .outerjoin(Evaluation, Evaluation.checkin_id == CheckIn.id)
        .outerjoin(PolicyVersion, PolicyVersion.id == Evaluation.policy_version_id)
        .where(TherapySession.id == session_id, TherapySession.practice_id == practice_id)
    ).first()
    if row is None:
        return None
    version = (row[3], row[4]) if row[3] is not None else None
    return _view(row[0], row[1], row[2], version)


def verdict_of(
    session: Session, practice_id: uuid.UUID, session_id: uuid.UUID, checkin_id: uuid.UUID
) -> dict[str, Any] | None:
    """A check-in's verdict without its answers: nothing here is PHI, so reads go unaudited."""
    row = session.execute(
        select(
            CheckIn.submitted_at, Evaluation.status, Evaluation.findings, Evaluation.evaluated_at
        )
        .outerjoin(Evaluation, Evaluation.checkin_id == CheckIn.id)
        .where(
            CheckIn.id == checkin_id,
            CheckIn.session_id == session_id,
            CheckIn.practice_id == practice_id,
        )
    ).first()
    if row is None:
        return None
    submitted_at, status, findings, evaluated_at = row
    return {
        "checkin_id": checkin_id,
        "status": status or "pending",
        "codes": sorted({finding["code"] for finding in findings or []}),
        "submitted_at": submitted_at,
        "evaluated_at": evaluated_at,
    }
