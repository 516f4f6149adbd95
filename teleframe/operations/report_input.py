"""What a frame report is built from: the session, people, latest check-in, evaluation and
continuity, gathered from the database into the pure `services.report.ReportInput`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.models import Client, Clinician, Evaluation, PolicyVersion, TherapySession
from teleframe.operations.continuity import continuity_for
from teleframe.operations.frame import latest_checkin
from teleframe.services import report as report_service
from teleframe.services.moments import rfc3339


def report_input(
    session: Session, therapy_session: TherapySession, now: datetime
) -> report_service.ReportInput:
    clinician = session.get_one(Clinician, therapy_session.clinician_id)
    client = session.get_one(Client, therapy_session.client_id)
    checkin = latest_checkin(session, therapy_session)
    evaluation = None
    if checkin is not None:
        evaluation = session.scalars(
            select(Evaluation).where(Evaluation.checkin_id == checkin.id)
        ).first()
    continuity, events = continuity_for(session, therapy_session)
    return report_service.ReportInput(
        session=_session_facts(therapy_session),
        clinician={
            "id": str(clinician.id),
            "name": clinician.name,
            "home_jurisdiction": clinician.home_jurisdiction,
            "licenses": clinician.licenses,
            "compacts": clinician.compacts,
        },
        client={
            "id": str(client.id),
            "display_name": client.display_name,
            "date_of_birth": client.date_of_birth,
        },
        checkin=(
            {
                "id": str(checkin.id),
                "submitted_at": rfc3339(checkin.submitted_at),
                "data": checkin.data,
            }
            if checkin
            else None
        ),
        evaluation=_evaluation_facts(session, evaluation) if evaluation else None,
        continuity=continuity,
        events=events,
        generated_at=rfc3339(now),
    )


def _session_facts(therapy_session: TherapySession) -> dict[str, Any]:
    video = None
    if therapy_session.video_provider:
        video = {
            "provider": therapy_session.video_provider,
            "room_id": therapy_session.video_room_id,
        }
    return {
        "id": str(therapy_session.id),
        "status": therapy_session.state,
        "external_ref": therapy_session.external_ref,
        "video": video,
        "scheduled_start": rfc3339(therapy_session.scheduled_start),
        "scheduled_end": rfc3339(therapy_session.scheduled_end),
    }


def _evaluation_facts(session: Session, evaluation: Evaluation) -> dict[str, Any]:
    policy = session.get(PolicyVersion, evaluation.policy_version_id)
    return {
        "status": evaluation.status,
        "findings": evaluation.findings,
        "facts": evaluation.facts,
        "policy_hash": policy.content_hash if policy else None,
        "evaluated_at": rfc3339(evaluation.evaluated_at),
    }
