"""Sessions, the client's check-ins, and the frame they add up to."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from teleframe.api import pagination, verdict_waiters
from teleframe.api.auth import current_practice_id
from teleframe.api.idempotency import idempotent
from teleframe.api.sessions.schemas import (
    CheckInAcceptedSchema,
    CheckInCreateSchema,
    FrameSchema,
    SessionCreateSchema,
    SessionListArgsSchema,
    SessionSchema,
    VerdictSchema,
)
from teleframe.db import audit
from teleframe.db.queries import get_scoped, not_found
from teleframe.extensions import db
from teleframe.models import Client, Clinician, TherapySession
from teleframe.operations.checkin import CheckInClosed, closed_message, submit
from teleframe.operations.frame import frame_of, verdict_of
from teleframe.operations.verdict_wait import wait_for_verdict
from teleframe.services.prefer import wait_seconds

blp = Blueprint("sessions", __name__, url_prefix="/v1/sessions", description="Sessions")


def _owned(model: type[Any], object_id: uuid.UUID) -> bool:
    return (
        db.session.scalar(
            select(model.id).where(
                model.id == object_id, model.practice_id == current_practice_id()
            )
        )
        is not None
    )


@blp.route("")
class Sessions(MethodView):
    @idempotent
    @blp.arguments(SessionCreateSchema())
    @blp.response(201, SessionSchema())
    def post(self, data: dict[str, Any]) -> TherapySession:
        """Schedule a session"""
        errors = {}
        if not _owned(Clinician, data["clinician_id"]):
            errors["clinician_id"] = ["No clinician with that id in this practice."]
        if not _owned(Client, data["client_id"]):
            errors["client_id"] = ["No client with that id in this practice."]
        if errors:
            abort(422, errors=errors)
        video = data.pop("video", None) or {}
        session = TherapySession(
            practice_id=current_practice_id(),
            video_provider=video.get("provider"),
            video_room_id=video.get("room_id"),
            **data,
        )
        db.session.add(session)
        db.session.flush()
        return session

    @blp.arguments(SessionListArgsSchema(), location="query")
    @blp.response(200, SessionSchema(many=True), headers=pagination.LINK)
    def get(self, args: dict[str, Any]) -> Any:
        """Sessions starting on a UTC day, in start order, a page at a time"""
        day = datetime.combine(args["date"], datetime.min.time(), tzinfo=UTC)
        query = select(TherapySession).where(
            TherapySession.practice_id == current_practice_id(),
            TherapySession.scheduled_start >= day,
            TherapySession.scheduled_start < day + timedelta(days=1),
        )
        order = (TherapySession.scheduled_start, TherapySession.id)
        return pagination.listed(db.session, query, order, args)


@blp.route("/<uuid:session_id>")
class SessionById(MethodView):
    @blp.response(200, SessionSchema())
    def get(self, session_id: uuid.UUID) -> TherapySession:
        """Read a session"""
        return get_scoped(TherapySession, session_id)


@blp.route("/<uuid:session_id>/checkins")
class CheckIns(MethodView):
    @idempotent
    @blp.arguments(CheckInCreateSchema())
    @blp.response(202, CheckInAcceptedSchema())
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> Any:
        """Submit the client's check-in; the verdict appears on the frame"""
        session = get_scoped(TherapySession, session_id)
        try:
            checkin = submit(db.session, session, data, source="api")
        except CheckInClosed:
            abort(409, message=closed_message(session))
        frame_url = url_for("sessions.Frame", session_id=session.id)
        verdict_url = url_for("sessions.Verdict", session_id=session.id, checkin_id=checkin.id)
        body = {
            "verdict_url": verdict_url,
            "checkin_id": checkin.id,
            "session_id": session.id,
            "status": "pending",
            "frame_url": frame_url,
        }
        return body, 202, {"Location": frame_url}


@blp.route("/<uuid:session_id>/frame")
class Frame(MethodView):
    @blp.response(200, FrameSchema())
    def get(self, session_id: uuid.UUID) -> dict[str, Any]:
        """The current check-in, its evaluation and the continuity record"""
        view = frame_of(db.session, current_practice_id(), session_id)
        if view is None:
            not_found("session")
        if view["checkin"] is not None:  # the check-in is PHI: its reads are audited
            audit.record(
                db.session,
                audit.request_actor(),
                practice_id=current_practice_id(),
                action="read",
                resource_type="checkin",
                resource_id=view["checkin"]["id"],
            )
            db.session.commit()
        return view


@blp.route("/<uuid:session_id>/checkins/<uuid:checkin_id>/verdict")
class Verdict(MethodView):
    @blp.response(200, VerdictSchema())
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "Prefer",
                "schema": {"type": "string", "example": "wait=20"},
                "description": "RFC 7240 wait=N (at most 30): answer once the verdict is "
                "stored or N seconds have passed; answered with Preference-Applied",
            }
        ]
    )
    def get(self, session_id: uuid.UUID, checkin_id: uuid.UUID) -> Any:
        """One check-in's verdict: status and finding codes, no answers (cheap to poll)"""
        practice_id = current_practice_id()

        def read() -> dict[str, Any] | None:
            return verdict_of(db.session, practice_id, session_id, checkin_id)

        view = read()
        wait = wait_seconds(request.headers.getlist("Prefer"))
        if view is not None and wait and view["status"] == "pending":
            with verdict_waiters.slot() as waiting:
                if waiting:
                    view = wait_for_verdict(db.session, read, checkin_id, wait)
                else:
                    wait = None  # every waiting slot of this process is taken: answer now
        if view is None:
            not_found("check-in")
        if wait is None:
            return view
        return view, {"Preference-Applied": f"wait={wait}", "Vary": "Prefer"}
