"""The frame of a session as the API shows it: latest check-in, its verdict, continuity."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.models import CheckIn, Evaluation, PolicyVersion, TherapySession


def latest_checkin(session: Session, therapy_session: TherapySession) -> CheckIn | None:
    return session.scalars(
        select(CheckIn)
        .where(CheckIn.session_id == therapy_session.id)
        .order_by(CheckIn.submitted_at.desc(), CheckIn.id.desc())
        .limit(1)
    ).first()


def latest_checkin_id(session: Session, session_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(
        select(CheckIn.id)
        .where(CheckIn.session_id == session_id)
        .order_by(CheckIn.submitted_at.desc(), CheckIn.id.desc())
        .limit(1)
    )


def evaluation_view(session: Session, evaluation: Evaluation) -> dict[str, Any]:
    version = session.get(PolicyVersion, evaluation.policy_version_id)
    return {
        "checkin_id": evaluation.checkin_id,
        "status": evaluation.status,
        "findings": evaluation.findings,
        "facts": evaluation.facts,
        "policy_version": {
            "id": str(evaluation.policy_version_id),
            "number": version.number if version else None,
            "content_hash": version.content_hash if version else None,
        },
        "evaluated_at": evaluation.evaluated_at,
    }


def frame_view(session: Session, therapy_session: TherapySession) -> dict[str, Any]:
    checkin = latest_checkin(session, therapy_session)
    evaluation = None
    if checkin is not None:
        evaluation = session.scalars(
            select(Evaluation).where(Evaluation.checkin_id == checkin.id)
        ).first()
    return {
        "session_id": therapy_session.id,
        "state": therapy_session.state,
        "frame_status": therapy_session.frame_status,
        "checkin": (
            {"id": checkin.id, "submitted_at": checkin.submitted_at, **checkin.data}
            if checkin
            else None
        ),
        "evaluation": evaluation_view(session, evaluation) if evaluation else None,
        "evaluation_pending": checkin is not None and evaluation is None,
        "continuity": therapy_session.continuity,
    }
