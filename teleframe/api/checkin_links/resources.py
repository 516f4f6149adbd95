"""One-time check-in links a platform hands to the client."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from teleframe.api.checkin_links.schemas import CheckInLinkCreateSchema, CheckInLinkSchema
from teleframe.api.idempotency import idempotent
from teleframe.api.urls import public_url_for
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import CheckInLink, TherapySession
from teleframe.models.base import utcnow
from teleframe.models.checkin_link import hash_link_token
from teleframe.operations import checkin

blp = Blueprint(
    "checkin_links", __name__, url_prefix="/v1/sessions", description="Client check-in links"
)


@blp.route("/<uuid:session_id>/checkin-links")
class CheckInLinks(MethodView):
    @idempotent
    @blp.arguments(CheckInLinkCreateSchema(), required=False)
    @blp.response(201, CheckInLinkSchema())
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> dict[str, Any]:
        """Create a one-time link to the client check-in page"""
        session = get_scoped(TherapySession, session_id)
        if session.state in checkin.CLOSED_STATES:
            abort(409, message="The session has ended; check-ins are closed.")
        minutes = (data or {}).get("expires_in_minutes")
        expires_at = utcnow() + timedelta(minutes=minutes) if minutes else session.scheduled_end
        if expires_at <= utcnow():
            abort(409, message="The session's scheduled end has passed; give expires_in_minutes.")
        token = secrets.token_urlsafe(32)
        db.session.add(
            CheckInLink(
                practice_id=session.practice_id,
                session_id=session.id,
                token_hash=hash_link_token(token),
                expires_at=expires_at,
            )
        )
        db.session.flush()
        return {
            "url": public_url_for("web.checkin", token=token),
            "expires_at": expires_at,
        }
