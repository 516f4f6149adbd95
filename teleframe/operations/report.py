"""Frame reports in the database: the draft, signing, addenda and chain verification.

The versions of a session form a hash chain (`services.report_chain`). Only the head draft is
ever rewritten; a signed version never changes (a PostgreSQL trigger enforces it too) and an
addendum appends version n+1. Every change locks the session row, so two requests cannot race
to create, sign or amend the same report.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import crypto, outbox
from teleframe.models import (
    OutboxMessage,
    ReportKind,
    ReportVersion,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.operations.notification import emit
from teleframe.operations.report_input import report_input
from teleframe.operations.signer import Signer, signer_facts
from teleframe.services import report as report_service
from teleframe.services.moments import rfc3339
from teleframe.services.report_chain import ChainVerdict, verify_chain, version_hash
from teleframe.services.session_state import IllegalTransition, Trigger, advance

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


class NotEnded(ReportError):
    """A report is signed after its session has ended."""


class DraftChanged(ReportError):
    """The draft changed since the clinician reviewed it."""


class ReportUnreadable(ReportError):
    """A stored version no longer decrypts: it was altered or its key is gone."""


# -- versions ----------------------------------------------------------------------------------


def _lock(session: Session, therapy_session: TherapySession) -> None:
    """The session row, as every path locks it (continuity.lock_sessions), its state fresh."""
    session.execute(
        select(TherapySession)
        .where(TherapySession.id == therapy_session.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
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
    meta["created_at"] = rfc3339(version.created_at)
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
        session, therapy_session.practice_id, tasks.BUILD_REPORT_DRAFT, str(therapy_session.id)
    )


def sign(
    session: Session,
    therapy_session: TherapySession,
    signer: Signer,
    *,
    expected_hash: str | None = None,
    now: datetime | None = None,
) -> ReportVersion:
    """The head draft, refreshed, becomes the signed version and never changes again."""
    facts = signer_facts(session, therapy_session, signer)
    if facts is None:
        raise NotTheClinician
    now = now or utcnow()
    draft = refresh_draft(session, therapy_session, now=now)
    if draft.kind != ReportKind.draft:
        raise AlreadySigned
    if expected_hash is not None and expected_hash != draft.content_hash:
        raise DraftChanged
    try:
        signed = advance(therapy_session.state, Trigger.signed).after
    except IllegalTransition as error:
        raise NotEnded from error
    body = report_service.sign(
        draft.body, signer=facts, signed_at=rfc3339(now), reviewed_hash=draft.content_hash
    )
    draft.body = body
    draft.kind = ReportKind.signed.value
    draft.content_hash = version_hash(body, draft.previous_hash)
    draft.created_at = now
    draft.created_by = f"user:{signer.user_id}"
    therapy_session.state = signed.value
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
    facts = signer_facts(session, therapy_session, signer)
    if facts is None:
        raise NotTheClinician
    now = now or utcnow()
    _lock(session, therapy_session)
    previous = head(session, therapy_session.id)
    if previous is None or previous.kind == ReportKind.draft:
        raise NotSigned
    entry = report_service.addendum(text, author=facts, written_at=rfc3339(now))
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
    keyring = crypto.session_keyring(session)
    for index, row in enumerate(rows):
        try:
            body = json.loads(keyring.decrypt(row.sealed))
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
