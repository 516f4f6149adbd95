"""Session events reported directly, a session's event list, and the practice's emitted events."""

from __future__ import annotations

import uuid
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from teleframe import tasks
from teleframe.api import pagination
from teleframe.api.auth import current_practice_id
from teleframe.api.events.schemas import (
    EventAcceptedSchema,
    EventSchema,
    OutboundEventSchema,
    ReportedEventSchema,
)
from teleframe.api.idempotency import idempotent
from teleframe.db import outbox
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import OutboundEvent, SessionEvent, TherapySession
from teleframe.models.base import utcnow
from teleframe.operations import ingest
from teleframe.services.providers import PayloadInvalid
from teleframe.services.providers.standard import event_from_report

blp = Blueprint("events", __name__, url_prefix="/v1", description="Session events")


@blp.route("/sessions/<uuid:session_id>/events")
class SessionEvents(MethodView):
    @idempotent
    @blp.arguments(ReportedEventSchema())
    @blp.response(202, EventAcceptedSchema())
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> dict[str, Any]:
        """Report an event (for example: switched to phone because video failed)"""
        therapy_session = get_scoped(TherapySession, session_id)
        try:
            event = event_from_report(
                request.get_json(),  # `data` is the same, loaded: the core loads it once more
                received_at=utcnow(),
                idempotency_key=request.headers.get("Idempotency-Key"),
            )
        except PayloadInvalid as error:
            errors = {name: [message] for name, message in error.errors.items()}
            abort(422, errors=errors or {"_schema": [str(error)]})
        ingest.store_events(db.session, therapy_session, [event])
        outbox.stage(
            db.session, therapy_session.practice_id, tasks.FOLD_SESSION, str(therapy_session.id)
        )
        db.session.flush()
        return {"status": "accepted", "dedupe_key": event.dedupe_key}

    @blp.arguments(pagination.PageArgsSchema(), location="query")
    @blp.response(200, EventSchema(many=True), headers=pagination.LINK)
    def get(self, args: dict[str, Any], session_id: uuid.UUID) -> Any:
        """The session's normalised events in time order, a page at a time"""
        therapy_session = get_scoped(TherapySession, session_id)
        query = select(SessionEvent).where(SessionEvent.session_id == therapy_session.id)
        order = (SessionEvent.occurred_at, SessionEvent.id)
        return pagination.listed(db.session, query, order, args)


@blp.route("/sessions/<uuid:session_id>/notifications")
class SessionNotifications(MethodView):
    @blp.arguments(pagination.PageArgsSchema(), location="query")
    @blp.response(200, OutboundEventSchema(many=True), headers=pagination.LINK)
    def get(self, args: dict[str, Any], session_id: uuid.UUID) -> Any:
        """Events teleframe emitted for the session (backup_plan.due, session.ended, ...),
        oldest first, a page at a time"""
        therapy_session = get_scoped(TherapySession, session_id)
        query = select(OutboundEvent).where(
            OutboundEvent.session_id == therapy_session.id,
            OutboundEvent.practice_id == current_practice_id(),
        )
        order = (OutboundEvent.created_at, OutboundEvent.id)
        return pagination.listed(db.session, query, order, args)
