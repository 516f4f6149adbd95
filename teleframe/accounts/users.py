"""Adding people, their one-time set-up and reset links, and disabling them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from teleframe.accounts import clock
from teleframe.db import audit
from teleframe.models import AccountToken, Clinician, SignInSession, User
from teleframe.services.accounts import codes, rules
from teleframe.services.accounts.passwords import hash_password, password_problem

ROLES = ("admin", "clinician")
LINK_PATH = "/app/setup/"


class AccountError(ValueError):
    """Refused as asked; the message is for the person asking, keyed by field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_user(
    session: Session,
    practice_id: uuid.UUID,
    email: str,
    role: str,
    clinician_id: uuid.UUID | None = None,
) -> tuple[User, str]:
    """A user who has not set a password yet, and their set-up link token. Flushes."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError("role", f"Role must be one of {', '.join(ROLES)}.")
    if role == "clinician" and clinician_id is None:
        raise AccountError("clinician_id", "A clinician user names their clinician record.")
    if clinician_id is not None:
        clinician = session.get(Clinician, clinician_id)
        if clinician is None or clinician.practice_id != practice_id:
            raise AccountError("clinician_id", "No such clinician in this practice.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", "A user with that email already exists.")
    user = User(
        id=uuid.uuid4(),
        practice_id=practice_id,
        email=email,
        role=role,
        clinician_id=clinician_id,
        recovery_codes=[],
        failed_count=0,
    )
    session.add(user)
    session.flush()
    return user, issue_link(session, user, "setup")


def invite(
    session: Session,
    actor: audit.Actor,
    practice_id: uuid.UUID,
    email: str,
    role: str,
    clinician_id: uuid.UUID | None = None,
) -> tuple[User, str]:
    """Add a person as `actor` (an admin's key or session) and record it: `add_user` plus its
    audit event, for the API and the dashboard alike. Flushes."""
    user, token = add_user(session, practice_id, email, role, clinician_id)
    audit.record(
        session,
        actor,
        practice_id=practice_id,
        action="create",
        resource_type="user",
        resource_id=user.id,
        detail={"role": user.role},
    )
    return user, token


def issue_link(session: Session, user: User, purpose: str = "reset") -> str:
    """A fresh one-time link token; earlier unused links of the user stop working."""
    now = clock.now()
    session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = codes.new_token()
    session.add(
        AccountToken(
            id=uuid.uuid4(),
            user_id=user.id,
            purpose=purpose,
            token_hash=codes.digest(token),
            pending_totp_secret=codes.new_totp_secret(),
            created_at=now,
            expires_at=now + rules.LINK_LIFETIME,
        )
    )
    session.flush()
    return token


def link_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + LINK_PATH + token


def open_link(session: Session, token: str) -> tuple[AccountToken, User] | None:
    if not 20 <= len(token) <= 64:
        return None
    link = session.scalars(
        select(AccountToken).where(AccountToken.token_hash == codes.digest(token))
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= clock.now():
        return None
    user = session.get_one(User, link.user_id)
    return None if user.disabled_at else (link, user)


@dataclass(frozen=True)
class SetUp:
    user: User
    recovery_codes: list[str]


def complete_link(
    session: Session, link: AccountToken, user: User, password: str, confirm: str, code: str
) -> SetUp:
    """Set the password and the authenticator from the link; used up in the same flush."""
    problem = password_problem(password, email=user.email)
    if problem:
        raise AccountError("password", problem)
    if password != confirm:
        raise AccountError("confirm", "The two passwords do not match.")
    step = codes.totp_step(link.pending_totp_secret, code, clock.now(), None)
    if step is None:
        raise AccountError("code", "That code is not right. Enter the 6 digits your app shows now.")
    recovery = codes.new_recovery_codes()
    user.password_hash = hash_password(password)
    user.totp_secret = link.pending_totp_secret
    user.last_totp_step = step
    user.recovery_codes = [codes.digest(c) for c in recovery]
    user.failed_count = 0
    user.locked_until = None
    link.used_at = clock.now()
    end_sessions(session, user.id)  # a reset signs the person out everywhere
    session.flush()
    return SetUp(user, recovery)


def end_sessions(session: Session, user_id: uuid.UUID) -> None:
    session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


def set_disabled(session: Session, user: User, disabled: bool) -> None:
    user.disabled_at = clock.now() if disabled else None
    if disabled:
        end_sessions(session, user.id)
    session.flush()


def practice_users(session: Session, practice_id: uuid.UUID) -> list[User]:
    return list(
        session.scalars(select(User).where(User.practice_id == practice_id).order_by(User.email))
    )
