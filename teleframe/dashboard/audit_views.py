"""The audit trail, searchable by client, session, actor and time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import render_template, request
from flask_login import current_user

from teleframe.dashboard.admin_views import admin_required
from teleframe.dashboard.blueprint import blp
from teleframe.extensions import db
from teleframe.models import AuditEvent
from teleframe.operations import audit_trail as audit_trail_of

LIMIT = 200


def _day(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None


def _uuid(text: str) -> uuid.UUID | None:
    """None when not asked; an id nothing has when asked with something that is no id."""
    if not text.strip():
        return None
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return uuid.UUID(int=0)


@blp.get("/admin/audit")
@admin_required
def audit_trail() -> Any:
    args = {k: request.args.get(k, "")[:100] for k in ("client", "session", "actor", "from", "to")}
    end = _day(args["to"])
    filters = audit_trail_of.Filters(
        client_id=_uuid(args["client"]),
        session_id=_uuid(args["session"]),
        actor=args["actor"].strip() or None,
        since=_day(args["from"]),
        until=end + timedelta(days=1) if end else None,
    )
    query = audit_trail_of.events(db.session, current_user.practice_id, filters)
    events = db.session.scalars(query.order_by(AuditEvent.occurred_at.desc()).limit(LIMIT)).all()
    return render_template("dashboard/audit.html", events=events, args=args, limit=LIMIT)
