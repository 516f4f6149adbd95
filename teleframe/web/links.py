"""Redeeming a check-in link once, and the signed cookie that replaces it afterwards.

The token lives only in the link; once used it is exchanged for a cookie naming the link id,
so the token does not linger in history or referrers. The form CSRF value is an HMAC of the
link id, so a page on another site cannot post answers with the client's cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from teleframe.models import CheckInLink
from teleframe.models.base import utcnow
from teleframe.models.checkin_link import hash_link_token

COOKIE_NAME = "tf_checkin"
COOKIE_PATH = "/c"
COOKIE_SALT = "teleframe.checkin-cookie.v1"
CSRF_CONTEXT = b"teleframe.checkin-csrf.v1:"


def find(session: Session, token: str) -> CheckInLink | None:
    return session.scalars(
        select(CheckInLink).where(CheckInLink.token_hash == hash_link_token(token))
    ).first()


def is_open(link: CheckInLink, now: datetime | None = None) -> bool:
    return link.used_at is None and link.expires_at > (now or utcnow())


def redeem(session: Session, link: CheckInLink) -> bool:
    """Marks the link used, in the caller's transaction; False when someone else won."""
    now = utcnow()
    result = session.execute(
        update(CheckInLink)
        .where(
            CheckInLink.token_hash == link.token_hash,
            CheckInLink.used_at.is_(None),
            CheckInLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def _serializer() -> URLSafeSerializer:
    # no timestamp needed: the link's own expires_at, checked below, bounds the cookie
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=COOKIE_SALT)


def set_cookie(response: Response, link: CheckInLink) -> None:
    max_age = int((link.expires_at - utcnow()).total_seconds())
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(str(link.id)),
        max_age=max(max_age, 0),
        path=COOKIE_PATH,
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
    )


def from_cookie(session: Session) -> CheckInLink | None:
    """The redeemed, unexpired link the request's cookie names, or None."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return None
    try:
        link_id = uuid.UUID(_serializer().loads(value))
    except (BadSignature, ValueError, TypeError):
        return None
    link = session.get(CheckInLink, link_id)
    if link is None or link.used_at is None or link.expires_at <= utcnow():
        return None
    return link


def csrf_token(link: CheckInLink) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, CSRF_CONTEXT + str(link.id).encode(), hashlib.sha256).hexdigest()


def csrf_ok(link: CheckInLink, given: str) -> bool:
    return hmac.compare_digest(csrf_token(link).encode(), given.encode())


def forget_cookie(response: Response) -> None:
    response.delete_cookie(
        COOKIE_NAME, path=COOKIE_PATH, secure=request.is_secure, httponly=True, samesite="Strict"
    )
