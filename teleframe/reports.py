"""Frame reports in the database: the draft, signing, addenda, chain verification, retention.

The versions of a session form a hash chain (`services.report_chain`). Only the head draft is
ever rewritten; a signed version never changes (a PostgreSQL trigger enforces it too) and an
addendum appends version n+1. Every change locks the session row, so two requests cannot race
to create, sign or amend the same report.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import Text, delete, func, select, type_coerce
from sqlalchemy.orm import Session

from teleframe import audit, crypto, outbox
from teleframe.frame import latest_checkin
from teleframe.models import (
    CheckIn,
    Client,
    Clinician,
    Evaluation,
    OutboxMessage,
    PolicyVersion,
    Practice,
    ReportKind,
    ReportVersion,
    SessionState,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.notifications import emit
from teleframe.services import report as report_service
from teleframe.services.accounts.signature import credentials
from teleframe.services.report_chain import ChainVerdict, verify_chain, version_hash
from teleframe.timeline import continuity_for

BUILD_REPORT_DRAFT = "teleframe.build_report_draft"
SYSTEM = "teleframe"
AGE_OF_MAJORITY = 18
YEARS_AFTER_MAJORITY = 3
_DECRYPT_ERRORS = (InvalidTag, RuntimeError, ValueError)


class ReportError(Exception):
    """A report action that cannot be done as asked."""


class NotTheClinician(ReportError):
    """Only the session's clinician may sign or amend its report."""


class AlreadySigned(ReportError):
    """The report is signed; changes append as addenda."""


class NotSigned(ReportError):
    """An addendum needs a signed report."""


class SessionNotEnded(ReportError):
    """A report is signed after the session, not before or during it."""


class DraftChanged(ReportError):
    """The draft changed since the clinician reviewed it."""


class ReportUnreadable(ReportError):
    """A stored version no longer decrypts: it was altered or its key is gone."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- gathering ---------------------------------------------------------------------------------


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
                "submitted_at": _iso(checkin.submitted_at),
                "data": checkin.data,
            }
            if checkin
            else None
        ),
        evaluation=_evaluation_facts(session, evaluation) if evaluation else None,
        continuity=continuity,
        events=events,
        generated_at=_iso(now),
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
        "scheduled_start": _iso(therapy_session.scheduled_start),
        "scheduled_end": _iso(therapy_session.scheduled_end),
    }


def _evaluation_facts(session: Session, evaluation: Evaluation) -> dict[str, Any]:
    policy = session.get(PolicyVersion, evaluation.policy_version_id)
    return {
        "status": evaluation.status,
        "findings": evaluation.findings,
        "facts": evaluation.facts,
        "policy_hash": policy.content_hash if policy else None,
        "evaluated_at": _iso(evaluation.evaluated_at),
    }


# -- versions ----------------------------------------------------------------------------------


def _lock(session: Session, therapy_session: TherapySession) -> None:
    session.execute(
        select(TherapySession.id).where(TherapySession.id == therapy_session.id).with_for_update()
    )


def head(session: Session, session_id: uuid.UUID) -> ReportVersion | None:
    try:
        return session.scalars(
            select(ReportVersion)
            .where(ReportVersion.session_id == session_id)
            .order_by(ReportVersion.number.desc())
            .limit(1)
        ).first()
    except _DECRYPT_ERRORS as error:
        raise ReportUnreadable("the latest report version no longer decrypts") from error


def version_list(session: Session, session_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every version's metadata (never the body), oldest first."""
    rows = session.execute(
        select(
            ReportVersion.number,
            ReportVersion.kind,
            ReportVersion.content_hash,
            ReportVersion.previous_hash,
            ReportVersion.created_at,
            ReportVersion.created_by,
        )
        .where(ReportVersion.session_id == session_id)
        .order_by(ReportVersion.number)
    )
    return [dict(row._mapping) for row in rows]


def metadata(version: ReportVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "kind": version.kind,
        "content_hash": version.content_hash,
        "previous_hash": version.previous_hash,
        "created_at": version.created_at,
        "created_by": version.created_by,
    }


def export_view(version: ReportVersion) -> dict[str, Any]:
    """The body with its version, as the PDF and FHIR exports expect it."""
    meta = metadata(version)
    meta["created_at"] = _iso(version.created_at)
    return {**version.body, "version": meta}


def _without_timestamp(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "generated_at"}


def refresh_draft(
    session: Session, therapy_session: TherapySession, *, now: datetime | None = None
) -> ReportVersion:
    """The head version: a signed one as it is, else a draft built from the current data.

    Idempotent: a draft whose content has not changed is left as it is. Flushes, never commits.
    """
    now = now or utcnow()
    _lock(session, therapy_session)
    current = head(session, therapy_session.id)
    if current is not None and current.kind != ReportKind.draft:
        return current
    body = report_service.build_report(report_input(session, therapy_session, now))
    if current is None:
        current = ReportVersion(
            id=uuid.uuid4(),
            practice_id=therapy_session.practice_id,
            session_id=therapy_session.id,
            number=1,
            kind=ReportKind.draft.value,
            previous_hash=None,
            created_by=SYSTEM,
        )
        session.add(current)
    elif _without_timestamp(current.body) == _without_timestamp(body):
        return current
    current.body = body
    current.content_hash = version_hash(body, current.previous_hash)
    current.created_at = now
    session.flush()
    return current


def stage_draft_build(session: Session, therapy_session: TherapySession) -> OutboxMessage:
    """Queue a draft build with the write that calls for it (e.g. session.ended); it is
    published when that transaction commits."""
    return outbox.stage(
        session, therapy_session.practice_id, BUILD_REPORT_DRAFT, str(therapy_session.id)
    )


@dataclass(frozen=True)
class Signer:
    """An authenticated person acting on a report, and how they proved who they are."""

    user_id: uuid.UUID
    clinician_id: uuid.UUID | None
    method: str
    token_id: uuid.UUID | None = None


def has_ended(therapy_session: TherapySession, now: datetime) -> bool:
    """Ended by the platform's events, or past its scheduled end without ever starting."""
    if therapy_session.state in (SessionState.ended.value, SessionState.report_signed.value):
        return True
    never_started = therapy_session.state in (
        SessionState.scheduled.value,
        SessionState.checked_in.value,
    )
    return never_started and therapy_session.scheduled_end <= now


def _signer_facts(
    session: Session, therapy_session: TherapySession, signer: Signer
) -> dict[str, Any]:
    if signer.clinician_id is None or signer.clinician_id != therapy_session.clinician_id:
        raise NotTheClinician
    clinician = session.get_one(Clinician, signer.clinician_id)
    return {
        "id": str(clinician.id),
        "name": clinician.name,
        "credentials": credentials(clinician.licenses or []),
        "user_id": str(signer.user_id),
        "method": signer.method,
        "token_id": str(signer.token_id) if signer.token_id else None,
    }


def sign(
    session: Session,
    therapy_session: TherapySession,
    signer: Signer,
    *,
    expected_hash: str | None = None,
    now: datetime | None = None,
) -> ReportVersion:
    """The head draft, refreshed, becomes the signed version and never changes again."""
    facts = _signer_facts(session, therapy_session, signer)
    now = now or utcnow()
    if not has_ended(therapy_session, now):
        raise SessionNotEnded
    draft = refresh_draft(session, therapy_session, now=now)
    if draft.kind != ReportKind.draft:
        raise AlreadySigned
    if expected_hash is not None and expected_hash != draft.content_hash:
        raise DraftChanged
    body = report_service.sign(
        draft.body, signer=facts, signed_at=_iso(now), reviewed_hash=draft.content_hash
    )
    draft.body = body
    draft.kind = ReportKind.signed.value
    draft.content_hash = version_hash(body, draft.previous_hash)
    draft.created_at = now
    draft.created_by = f"user:{signer.user_id}"
    therapy_session.state = SessionState.report_signed.value
    emit(
        session,
        therapy_session,
        "report.signed",
        str(draft.number),
        {
            "version": draft.number,
            "content_hash": draft.content_hash,
        },
    )
    session.flush()
    return draft


def add_addendum(
    session: Session,
    therapy_session: TherapySession,
    signer: Signer,
    text: str,
    *,
    now: datetime | None = None,
) -> ReportVersion:
    """Append version n+1 (`amended`): the previous body plus the addendum, chained to it."""
    facts = _signer_facts(session, therapy_session, signer)
    now = now or utcnow()
    _lock(session, therapy_session)
    previous = head(session, therapy_session.id)
    if previous is None or previous.kind == ReportKind.draft:
        raise NotSigned
    entry = report_service.addendum(text, author=facts, written_at=_iso(now))
    body = copy.deepcopy(previous.body)
    body["addenda"] = [*body.get("addenda", []), entry]
    version = ReportVersion(
        id=uuid.uuid4(),
        practice_id=therapy_session.practice_id,
        session_id=therapy_session.id,
        number=previous.number + 1,
        kind=ReportKind.amended.value,
        body=body,
        previous_hash=previous.content_hash,
        content_hash=version_hash(body, previous.content_hash),
        created_at=now,
        created_by=f"user:{signer.user_id}",
    )
    session.add(version)
    session.flush()
    return version


# -- verification ------------------------------------------------------------------------------


def verify(session: Session, session_id: uuid.UUID) -> ChainVerdict:
    """Recompute the chain from the stored rows, ciphertext included."""
    rows = session.execute(
        select(
            ReportVersion.number,
            ReportVersion.kind,
            type_coerce(ReportVersion.body, Text).label("sealed"),
            ReportVersion.content_hash,
            ReportVersion.previous_hash,
        )
        .where(ReportVersion.session_id == session_id)
        .order_by(ReportVersion.number)
    ).all()
    chain: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        try:
            body = json.loads(crypto.decrypt(row.sealed))
        except _DECRYPT_ERRORS:
            earlier = verify_chain(chain) if chain else None
            if earlier is not None and not earlier.ok:
                return earlier
            return ChainVerdict(
                ok=False,
                checked=index,
                broken_at=row.number,
                reason="the stored body does not decrypt: its ciphertext was altered "
                "(or it was sealed with a key that is no longer configured)",
            )
        chain.append({**row._mapping, "body": body})
    return verify_chain(chain)


# -- retention ---------------------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    ends_on: date
    rule: str


def retention_ends(
    *, first_service: date, last_service: date, date_of_birth: date | None, years: int
) -> Retention:
    """APA Record Keeping Guidelines: `years` after the last date of service, or three years
    after a client who was a minor when served reaches majority, whichever is later."""
    after_service = Retention(_add_years(last_service, years), "years_after_last_service")
    if date_of_birth is None or _add_years(date_of_birth, AGE_OF_MAJORITY) <= first_service:
        return after_service
    after_majority = _add_years(date_of_birth, AGE_OF_MAJORITY + YEARS_AFTER_MAJORITY)
    if after_majority > after_service.ends_on:
        return Retention(after_majority, "years_after_majority")
    return after_service


def enforce_retention(session: Session, now: datetime | None = None) -> int:
    """Delete the report versions, check-ins and evaluations of clients whose records are past
    retention, one transaction per client, with an audit event per session. Commits."""
    today = (now or utcnow()).date()
    actor = audit.system_actor("teleframe.enforce_retention")
    deleted = 0
    for practice in list(session.scalars(select(Practice))):
        for client_id, first, last in _clients_served_before(session, practice, today):
            client = session.get_one(Client, client_id)
            born = date.fromisoformat(client.date_of_birth) if client.date_of_birth else None
            kept = retention_ends(
                first_service=first.date(),
                last_service=last.date(),
                date_of_birth=born,
                years=practice.retention_years,
            )
            if kept.ends_on < today:
                deleted += _delete_client_records(session, practice, client_id, kept, actor)
            session.commit()
    return deleted


def _clients_served_before(
    session: Session, practice: Practice, today: date
) -> list[tuple[uuid.UUID, datetime, datetime]]:
    """Clients whose last session ended more than the retention period ago (a cheap filter;
    the minor rule is applied per client, since birth dates are encrypted)."""
    cutoff = datetime.combine(
        _add_years(today, -practice.retention_years), datetime.min.time(), UTC
    )
    rows = session.execute(
        select(
            TherapySession.client_id,
            func.min(TherapySession.scheduled_start),
            func.max(TherapySession.scheduled_end),
        )
        .where(TherapySession.practice_id == practice.id)
        .group_by(TherapySession.client_id)
        .having(func.max(TherapySession.scheduled_end) < cutoff)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def _allow_retention_delete(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("teleframe.retention", "on", True)))


def _delete_client_records(
    session: Session,
    practice: Practice,
    client_id: uuid.UUID,
    kept: Retention,
    actor: audit.Actor,
) -> int:
    _allow_retention_delete(session)
    session_ids = session.scalars(
        select(TherapySession.id).where(
            TherapySession.practice_id == practice.id, TherapySession.client_id == client_id
        )
    ).all()
    deleted = 0
    for session_id in session_ids:
        counts = {
            "evaluations": _delete_rows(session, Evaluation, session_id),
            "checkins": _delete_rows(session, CheckIn, session_id),
            "report_versions": _delete_rows(session, ReportVersion, session_id),
        }
        if any(counts.values()):
            audit.record(
                session,
                actor,
                practice_id=practice.id,
                action="delete",
                resource_type="session_records",
                resource_id=session_id,
                detail={**counts, "rule": kept.rule, "retention_years": practice.retention_years},
            )
            deleted += 1
    return deleted


def _delete_rows(session: Session, model: Any, session_id: uuid.UUID) -> int:
    result = session.execute(delete(model).where(model.session_id == session_id))
    return int(getattr(result, "rowcount", 0) or 0)
