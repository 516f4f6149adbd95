"""Personal access tokens (`tfp_...`): a clinician's own key for signing and amending."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.accounts import clock
from teleframe.models import PersonalToken, User
from teleframe.services.accounts import codes

PREFIX = "tfp_"


def create(session: Session, user: User, label: str) -> str:
    """The token, shown once; only its SHA-256 is kept. Flushes."""
    token = codes.new_token(PREFIX)
    session.add(
        PersonalToken(
            id=uuid.uuid4(),
            practice_id=user.practice_id,
            user_id=user.id,
            token_hash=codes.digest(token),
            prefix=token[:10],
            label=label.strip()[:200],
            created_at=clock.now(),
        )
    )
    session.flush()
    return token


def owned(session: Session, user: User) -> list[PersonalToken]:
    return list(
        session.scalars(
            select(PersonalToken)
            .where(PersonalToken.user_id == user.id)
            .order_by(PersonalToken.created_at.desc())
        )
    )


def revoke(session: Session, user: User, token_id: uuid.UUID) -> bool:
    row = session.get(PersonalToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = clock.now()
    session.flush()
    return True


def resolve(session: Session, token: str) -> tuple[User, PersonalToken] | None:
    """The active clinician behind a token; records its use."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = session.scalars(
        select(PersonalToken).where(
            PersonalToken.token_hash == codes.digest(token), PersonalToken.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = clock.now()
    return user, row
