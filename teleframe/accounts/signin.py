"""Signing in (password and authenticator code), sign-in sessions, re-authentication."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.accounts import clock
from teleframe.accounts.users import normalise_email
from teleframe.db import audit
from teleframe.models import SignInSession, User
from teleframe.services.accounts import codes, rules
from teleframe.services.accounts.passwords import password_matches


class Outcome(enum.StrEnum):
    signed_in = "signed_in"
    refused = "refused"
    locked = "locked"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    user: User | None = None
    token: str | None = None


def sign_in(session: Session, email: str, password: str, code: str, actor: audit.Actor) -> Attempt:
    """Check all three answers; count failures, lock, audit every outcome. Flushes."""
    now = clock.now()
    user = session.scalars(select(User).where(User.email == normalise_email(email))).first()
    password_ok = password_matches(user.password_hash if user else None, password)
    if user is None or not user.active:
        return Attempt(Outcome.refused)
    if rules.locked(user.locked_until, now):
        _record(session, user, "sign_in_failed", actor, reason="locked")
        return Attempt(Outcome.locked, user)
    step = second_factor(user, code) if password_ok else None
    if step is None:
        return _failed(session, user, actor)
    if step >= 0:
        user.last_totp_step = step
    user.failed_count = 0
    user.locked_until = None
    user.last_sign_in_at = now
    token = codes.new_token("s_")
    session.add(
        SignInSession(
            id=uuid.uuid4(),
            user_id=user.id,
            token_hash=codes.digest(token),
            created_at=now,
            last_seen_at=now,
            # signing in is itself a re-authentication with both factors
            reauthenticated_at=now,
        )
    )
    _record(session, user, "sign_in", actor)
    session.flush()
    return Attempt(Outcome.signed_in, user, token)


def second_factor(user: User, code: str) -> int | None:
    """The TOTP step the code used, -1 for a recovery code (then used up), None if wrong."""
    if user.totp_secret:
        step = codes.totp_step(user.totp_secret, code, clock.now(), user.last_totp_step)
        if step is not None:
            return step
    recovery = codes.digest(codes.normalise_recovery_code(code))
    if recovery in (user.recovery_codes or []):
        user.recovery_codes = [c for c in user.recovery_codes if c != recovery]
        return -1
    return None


def _failed(session: Session, user: User, actor: audit.Actor) -> Attempt:
    now = clock.now()
    user.failed_count = (user.failed_count or 0) + 1
    _record(session, user, "sign_in_failed", actor, failures=user.failed_count)
    until = rules.lock_after_failure(user.failed_count, now)
    if until is not None:
        user.locked_until = until
        user.failed_count = 0
        _record(session, user, "lock", actor, until=until.isoformat())
        session.flush()
        return Attempt(Outcome.locked, user)
    session.flush()
    return Attempt(Outcome.refused, user)


def _record(
    session: Session, user: User, action: str, actor: audit.Actor, **detail: object
) -> None:
    if action in ("sign_in", "sign_out"):
        # the person proved who they are: the event names them as its actor
        actor = dataclasses.replace(actor, type="user", id=str(user.id))
    audit.record(
        session,
        actor,
        practice_id=user.practice_id,
        action=action,
        resource_type="user",
        resource_id=user.id,
        detail=dict(detail),
    )


def current(session: Session, token: str) -> tuple[User, SignInSession] | None:
    """The user behind a session cookie, if the session is live; touches it (idle timeout)."""
    row = session.scalars(
        select(SignInSession).where(SignInSession.token_hash == codes.digest(token))
    ).first()
    now = clock.now()
    if row is None or row.ended_at is not None:
        return None
    if rules.session_expired(row.created_at, row.last_seen_at, now):
        row.ended_at = now
        session.commit()
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_seen_at = now
    session.commit()
    return user, row


def sign_out(session: Session, user: User, row: SignInSession, actor: audit.Actor) -> None:
    row.ended_at = clock.now()
    _record(session, user, "sign_out", actor)
    session.flush()


def reauthenticate(
    session: Session, user: User, row: SignInSession, password: str, code: str
) -> bool:
    """Either the password or a fresh authenticator code proves the person is still there."""
    proved = False
    if password:
        proved = password_matches(user.password_hash, password)
    elif code:
        step = second_factor(user, code)
        proved = step is not None
        if step is not None and step >= 0:
            user.last_totp_step = step
    if proved:
        row.reauthenticated_at = clock.now()
    session.flush()
    return proved


def is_fresh(row: SignInSession) -> bool:
    return rules.fresh(row.reauthenticated_at, clock.now())
