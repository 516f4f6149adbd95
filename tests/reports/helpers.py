"""Shared steps for the report tests: a session with an evaluated check-in, raw SQL access."""

from __future__ import annotations

import copy
import io
import re
import uuid
from typing import Any

from pypdf import PdfReader
from sqlalchemy import text

from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations import continuity
from teleframe.services.session_progress import SETTLE
from tests.conftest import wait_for
from tests.samples import GOOD_CHECKIN

HOSTILE = "<script>alert(1)</script>"


def checkin(**location: str) -> dict[str, Any]:
    body = copy.deepcopy(GOOD_CHECKIN)
    body["location"].update(location)
    return body


def evaluated_session(practice, answers: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A session whose check-in the real worker has evaluated; returns the session as read."""
    session_id = practice.session(provider="zoom", room_id="86431910364")
    response = practice.post(f"/v1/sessions/{session_id}/checkins", answers or GOOD_CHECKIN)
    assert response.status_code == 202, response.get_json()
    wait_for(lambda: practice.get(f"/v1/sessions/{session_id}/frame").get_json()["evaluation"])
    return dict(practice.get(f"/v1/sessions/{session_id}").get_json())


def session_only(practice) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    session_id = practice.session()
    return dict(practice.get(f"/v1/sessions/{session_id}").get_json())


def report_path(session: dict[str, Any], suffix: str = "") -> str:
    return f"/v1/sessions/{session['id']}/report{suffix}"


def end_session(practice, session: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """The session starts and ends (reported through the API, as a platform would), and is
    settled as beat would settle it: a report is signed after its session has ended."""
    path = f"/v1/sessions/{session['id']}/events"
    for kind, at in (("session.started", "scheduled_start"), ("session.ended", "scheduled_end")):
        response = practice.post(path, {"type": kind, "timestamp": session[at]})
        if response.status_code == 404:  # not this practice's session: nothing to end
            return
        assert response.status_code == 202, response.get_json()
    key = uuid.UUID(session["id"])
    with practice.app.app_context():
        for therapy_session in continuity.lock_sessions(db.session, {key}):
            continuity.refold(db.session, therapy_session, now=utcnow())
        continuity.recheck(db.session, key, now=utcnow() + SETTLE)
        db.session.commit()
    state = practice.get(f"/v1/sessions/{session['id']}").get_json()["state"]
    assert state in ("ended", "report_signed"), state


def sign(practice, session: dict[str, Any], clinician_id: str | None = None):  # type: ignore[no-untyped-def]
    """Sign the session's report, once the session has ended."""
    end_session(practice, session)
    return practice.post(
        report_path(session, "/sign"), {"clinician_id": clinician_id or session["clinician_id"]}
    )


def stored_versions(app, session_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The rows as PostgreSQL holds them (ciphertext, hashes), oldest first."""
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT number, kind, body, content_hash, previous_hash FROM report_versions "
                "WHERE session_id = :s ORDER BY number"
            ),
            {"s": session_id},
        )
        return [dict(row._mapping) for row in rows]


def tamper(app, sql: str, **params: Any) -> None:  # type: ignore[no-untyped-def]
    """Edit stored rows behind teleframe's back, with triggers off (as a superuser could)."""
    with app.app_context():
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(sql), params)
        db.session.commit()


def pdf_text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in pages))
