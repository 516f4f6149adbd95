"""Audit trail (HIPAA §164.312(b)): who did what to which record, when, and from where.

An event names ids and non-PHI facts only; it is written in the same transaction as the read or
change it describes, so an access that was not recorded did not happen.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from teleframe.models import AuditEvent
from teleframe.models.base import utcnow

ACTIONS = frozenset(
    {
        "read",
        "export",
        "sign",
        "amend",
        "delete",
        "create",
        "disable",
        "enable",
        "reset",
        "set_up",
        "sign_in",
        "sign_in_failed",
        "lock",
        "sign_out",
        "rotate",
        "update",
    }
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


@dataclass(frozen=True)
class Actor:
    type: str
    id: str
    remote_addr: str | None = None
    request_id: str | None = None


def system_actor(name: str) -> Actor:
    """Periodic work acting on its own authority, such as retention."""
    return Actor(type="system", id=name, request_id=str(uuid.uuid4()))


def request_actor() -> Actor:
    """Who is behind the current request (a signed-in user, a personal token's user, or an
    API key), with its remote address and request id."""
    from flask import g, request

    user_id = g.get("user_id")
    return Actor(
        type="user" if user_id else "api_key",
        id=str(user_id or g.api_key_id),
        remote_addr=(request.remote_addr or "")[:64] or None,
        request_id=request_id(),
    )


def anonymous_actor() -> Actor:
    """A request from someone not signed in yet (a sign-in attempt, a set-up link)."""
    from flask import request

    return Actor(
        type="anonymous",
        id="-",
        remote_addr=(request.remote_addr or "")[:64] or None,
        request_id=request_id(),
    )


def request_id() -> str:
    """The caller's X-Request-Id when it is a plain token, else one made for this request."""
    from flask import g, request

    if "request_id" not in g:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
    return str(g.request_id)


def record(
    session: Session,
    actor: Actor,
    *,
    practice_id: uuid.UUID,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        id=uuid.uuid4(),
        practice_id=practice_id,
        occurred_at=utcnow(),
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id),
        remote_addr=actor.remote_addr,
        request_id=actor.request_id,
        detail=detail or {},
    )
    session.add(event)
    return event


def record_setting(
    session: Session, row: Any, resource_type: str, action: str, changed: Any = ()
) -> AuditEvent:
    """A practice's set-up changed through the current request (an endpoint or integration
    made, changed, rotated, disabled or deleted). `changed` names the fields, never values:
    URLs and secrets stay out of the audit trail."""
    return record(
        session,
        request_actor(),
        practice_id=row.practice_id,
        action=action,
        resource_type=resource_type,
        resource_id=row.id,
        detail={"fields": sorted(changed)} if changed else None,
    )


def patch_action(data: dict[str, Any]) -> str:
    """The audit action of a PATCH that may carry `enabled`."""
    if "enabled" not in data:
        return "update"
    return "enable" if data["enabled"] else "disable"
