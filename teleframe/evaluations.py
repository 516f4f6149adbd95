"""Loading what an evaluation needs, running the pure policy check, storing the verdict."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date

from cachetools import LRUCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe import policies
from teleframe.frame import latest_checkin_id
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
from teleframe.services.reference import ReferenceData, load_reference


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


@dataclass(frozen=True)
class PolicyInUse:
    version_id: uuid.UUID
    compiled: policy_doc.CompiledPolicy
    reference: ReferenceData


# Versions never change once stored, so a worker compiles each one once.
_policies: LRUCache[uuid.UUID, PolicyInUse] = LRUCache(maxsize=256)
_policies_lock = threading.Lock()


def _in_use(version: PolicyVersion) -> PolicyInUse:
    with _policies_lock:
        cached = _policies.get(version.id)
        if cached is None:
            cached = _policies[version.id] = PolicyInUse(
                version.id,
                policy_doc.compile_policy(version.document),
                load_reference(version.document.get("reference_overrides")),
            )
    return cached


def pinned_policy(session: Session, therapy_session: TherapySession) -> PolicyInUse:
    """The version pinned at the first evaluation; later policy edits do not move it."""
    pinned = therapy_session.policy_version_id
    if pinned is not None:
        with _policies_lock:
            cached = _policies.get(pinned)
        if cached is not None:
            return cached
        version = session.get(PolicyVersion, pinned)
        if version is not None:
            return _in_use(version)
    version = policies.ensure_default(session, therapy_session.practice_id)
    session.flush()
    therapy_session.policy_version_id = version.id
    return _in_use(version)


def _load(
    session: Session, checkin_id: uuid.UUID
) -> tuple[CheckIn, TherapySession, Clinician, Client] | None:
    """Everything an evaluation reads, in one round trip; the session row stays locked."""
    row = session.execute(
        select(CheckIn, TherapySession, Clinician, Client)
        .join(TherapySession, TherapySession.id == CheckIn.session_id)
        .join(Clinician, Clinician.id == TherapySession.clinician_id)
        .join(Client, Client.id == TherapySession.client_id)
        .where(CheckIn.id == checkin_id)
        .with_for_update(of=TherapySession)
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def evaluate_checkin(session: Session, checkin_id: uuid.UUID) -> Evaluation | None:
    """Store the verdict. A second run for the same check-in fails on the unique evaluation
    per check-in (IntegrityError), which the task treats as done."""
    loaded = _load(session, checkin_id)
    if loaded is None:
        return None
    checkin, therapy_session, clinician, client = loaded
    policy = pinned_policy(session, therapy_session)
    result = engine.evaluate(
        checkin.data,
        session_facts(therapy_session, client),
        clinician_facts(clinician),
        policy.compiled,
        policy.reference,
        submitted_at=checkin.submitted_at,
    )
    verdict = result.to_dict()
    evaluation = Evaluation(
        practice_id=checkin.practice_id,
        session_id=therapy_session.id,
        checkin_id=checkin.id,
        policy_version_id=policy.version_id,
        status=verdict["status"],
        findings=verdict["findings"],
        facts=verdict["facts"],
    )
    session.add(evaluation)
    session.flush()  # the unique check-in constraint speaks here, before any event is emitted
    checkin_ref = {"checkin_id": str(checkin.id)}
    codes = sorted({finding["code"] for finding in evaluation.findings})
    emit(
        session,
        therapy_session,
        "checkin.evaluated",
        str(checkin.id),
        {**checkin_ref, "status": evaluation.status, "codes": codes},
    )
    if latest_checkin_id(session, therapy_session.id) == checkin.id:
        if evaluation.status in ("blocked", "attention"):
            emit(
                session, therapy_session, f"frame.{evaluation.status}", str(checkin.id), checkin_ref
            )
        therapy_session.frame_status = evaluation.status
        if therapy_session.state == SessionState.scheduled.value:
            therapy_session.state = SessionState.checked_in.value
    return evaluation
