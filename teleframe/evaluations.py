"""Loading what an evaluation needs, running the pure policy check, storing the verdict."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe import policies
from teleframe.frame import latest_checkin
from teleframe.models import (
    CheckIn,
    Client,
    Clinician,
    Evaluation,
    PolicyVersion,
    SessionState,
    TherapySession,
)
from teleframe.notifications import emit
from teleframe.services import evaluation as engine
from teleframe.services import policy as policy_doc
from teleframe.services.reference import load_reference


def clinician_facts(clinician: Clinician) -> engine.ClinicianFacts:
    return engine.ClinicianFacts(
        home_jurisdiction=clinician.home_jurisdiction,
        licenses=tuple(
            engine.LicenceFacts(
                jurisdiction=item["jurisdiction"],
                kind=item.get("kind", ""),
                number=item.get("number", ""),
                expires_on=date.fromisoformat(item["expires_on"])
                if item.get("expires_on")
                else None,
            )
            for item in clinician.licenses
        ),
        compacts=tuple(clinician.compacts),
    )


def session_facts(therapy_session: TherapySession, client: Client) -> engine.SessionFacts:
    born = client.date_of_birth
    return engine.SessionFacts(
        scheduled_start=therapy_session.scheduled_start,
        scheduled_end=therapy_session.scheduled_end,
        client_date_of_birth=date.fromisoformat(born) if born else None,
    )


def pinned_policy(session: Session, therapy_session: TherapySession) -> PolicyVersion:
    """The version pinned at the first evaluation; later policy edits do not move it."""
    if therapy_session.policy_version_id is not None:
        version = session.get(PolicyVersion, therapy_session.policy_version_id)
        if version is not None:
            return version
    version = policies.ensure_default(session, therapy_session.practice_id)
    session.flush()
    therapy_session.policy_version_id = version.id
    return version


def evaluate_checkin(session: Session, checkin_id: uuid.UUID) -> Evaluation | None:
    checkin = session.get(CheckIn, checkin_id)
    if checkin is None:
        return None
    done = session.scalars(select(Evaluation).where(Evaluation.checkin_id == checkin.id)).first()
    if done is not None:
        return done
    therapy_session = session.scalars(
        select(TherapySession).where(TherapySession.id == checkin.session_id).with_for_update()
    ).one()
    clinician = session.get_one(Clinician, therapy_session.clinician_id)
    client = session.get_one(Client, therapy_session.client_id)
    version = pinned_policy(session, therapy_session)
    result = engine.evaluate(
        checkin.data,
        session_facts(therapy_session, client),
        clinician_facts(clinician),
        policy_doc.compile_policy(version.document),
        load_reference(version.document.get("reference_overrides")),
        submitted_at=checkin.submitted_at,
    )
    verdict = result.to_dict()
    evaluation = Evaluation(
        practice_id=checkin.practice_id,
        session_id=therapy_session.id,
        checkin_id=checkin.id,
        policy_version_id=version.id,
        status=verdict["status"],
        findings=verdict["findings"],
        facts=verdict["facts"],
    )
    session.add(evaluation)
    emit(
        session,
        therapy_session,
        "checkin.evaluated",
        str(checkin.id),
        {
            "checkin_id": str(checkin.id),
            "status": evaluation.status,
            "codes": sorted({finding["code"] for finding in evaluation.findings}),
        },
    )
    latest = latest_checkin(session, therapy_session)
    if latest is not None and latest.id == checkin.id:
        if evaluation.status in ("blocked", "attention"):
            emit(
                session,
                therapy_session,
                f"frame.{evaluation.status}",
                str(checkin.id),
                {
                    "checkin_id": str(checkin.id),
                },
            )
        therapy_session.frame_status = evaluation.status
        if therapy_session.state == SessionState.scheduled.value:
            therapy_session.state = SessionState.checked_in.value
    session.flush()
    return evaluation
