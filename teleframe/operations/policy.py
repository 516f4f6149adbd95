"""Policy versions in the database: the current one, and saving a new one."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teleframe.models import PolicyVersion, TherapySession
from teleframe.services import policy as policy_doc


def current_version(session: Session, practice_id: uuid.UUID) -> PolicyVersion | None:
    return session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.practice_id == practice_id)
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    ).first()


def current_version_id(session: Session, practice_id: uuid.UUID) -> uuid.UUID | None:
    """The current version's id only (its document is large, and compiled versions are cached
    by id)."""
    return session.scalar(
        select(PolicyVersion.id)
        .where(PolicyVersion.practice_id == practice_id)
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )


def save_version(session: Session, practice_id: uuid.UUID, text: str) -> PolicyVersion:
    """Validate and store `text` as the next version; an unchanged document is not re-added."""
    document = policy_doc.parse_policy(text)
    digest = policy_doc.content_hash(document)
    latest = current_version(session, practice_id)
    if latest is not None and latest.content_hash == digest:
        return latest
    number = (
        session.scalar(
            select(func.max(PolicyVersion.number)).where(PolicyVersion.practice_id == practice_id)
        )
        or 0
    ) + 1
    version = PolicyVersion(
        practice_id=practice_id,
        number=number,
        content_hash=digest,
        document=document,
        source_text=text,
    )
    session.add(version)
    return version


def ensure_default(session: Session, practice_id: uuid.UUID) -> PolicyVersion:
    return current_version(session, practice_id) or save_version(
        session, practice_id, policy_doc.default_policy_text()
    )


def session_policy(
    session: Session, therapy_session: TherapySession, *, pin: bool = False
) -> PolicyVersion:
    """The version a session is judged by: the one pinned at its first evaluation, else the
    practice's current one (pinned now when `pin`: a later edit never re-judges the session)."""
    version = None
    if therapy_session.policy_version_id is not None:
        version = session.get(PolicyVersion, therapy_session.policy_version_id)
    if version is None:
        version = ensure_default(session, therapy_session.practice_id)
        if pin:
            session.flush()
            therapy_session.policy_version_id = version.id
    return version
