"""The audit trail, searchable by client, session, actor and time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import or_, select

from teleframe.dashboard.admin_views import admin_required
from teleframe.dashboard.blueprint import blp
from teleframe.extensions import db
from teleframe.models import AuditEvent, TherapySession

LIMIT = 200


def _day(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


@blp.get("/admin/audit")
@admin_required
def audit_trail() -> Any:
    args = {k: request.args.get(k, "")[:100] for k in ("client", "session", "actor", "from", "to")}
    query = select(AuditEvent).where(AuditEvent.practice_id == current_user.practice_id)
    resources: list[str] = []
    if session_id := _uuid(args["session"]):
        resources.append(str(session_id))
    if client_id := _uuid(args["client"]):
        sessions = db.session.scalars(
            select(TherapySession.id).where(
                TherapySession.practice_id == current_user.practice_id,
                TherapySession.client_id == client_id,
            )
        ).all()
        resources += [str(client_id), *map(str, sessions)]
    if args["session"] or args["client"]:
        query = query.where(AuditEvent.resource_id.in_(resources or ["-"]))
    if args["actor"]:
        query = query.where(
            or_(
                AuditEvent.actor_id == args["actor"].strip(), AuditEvent.actor_type == args["actor"]
            )
        )
    if start := _day(args["from"]):
        query = query.where(AuditEvent.occurred_at >= start)
    if end := _day(args["to"]):
        query = query.where(AuditEvent.occurred_at < end + timedelta(days=1))
    events = db.session.scalars(query.order_by(AuditEvent.occurred_at.desc()).limit(LIMIT)).all()
    return render_template("dashboard/audit.html", events=events, args=args, limit=LIMIT)
