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
from tests.accounts.people import Clock, Person, page_csrf, set_up, setup_link, sign_in
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


def clinician_user(practice, clinician_id: str) -> Person:  # type: ignore[no-untyped-def]
    """A signed-in dashboard user for `clinician_id`, made once per practice handle.

    Set-up uses the current authenticator code, so sign-in uses a recovery code: no test
    waits for the next 30-second window."""
    people = practice.__dict__.setdefault("people", {})
    if clinician_id not in people:
        # an unpatched clock: the code is for the next 30-second window, within the drift
        person = set_up(practice.app, setup_link(practice, "clinician", clinician_id), Clock())
        response = sign_in(person, Clock(), code=person.recovery_codes.pop())
        assert response.status_code == 303, response.get_data(as_text=True)
        person.extra["csrf"] = page_csrf(person)
        people[clinician_id] = person
    return people[clinician_id]  # type: ignore[no-any-return]


def as_person(person: Person, path: str, body: object):  # type: ignore[no-untyped-def]
    """A write through the API with the dashboard's cookie and its CSRF token."""
    return person.http.post(path, json=body, headers={"X-CSRFToken": person.extra["csrf"]})


def end(app, session: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """The session ended (as the platform's session.ended event would leave it)."""
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE sessions SET state = 'ended', ended_at = now() "
                "WHERE id = :s AND state NOT IN ('ended', 'report_signed')"
            ),
            {"s": session["id"]},
        )
        db.session.commit()


def sign(practice, session: dict[str, Any], clinician_id: str | None = None, **body: object):  # type: ignore[no-untyped-def]
    """Sign as the signed-in clinician user of `clinician_id` (the session's by default),
    after the session has ended."""
    if practice.get(f"/v1/sessions/{session['id']}").status_code == 200:
        state = practice.get(f"/v1/sessions/{session['id']}").get_json()["state"]
        if state not in ("ended", "report_signed"):
            end_session(practice, session)
    person = clinician_user(practice, clinician_id or session["clinician_id"])
    return as_person(person, report_path(session, "/sign"), body)


def amend(practice, session: dict[str, Any], text: str, clinician_id: str | None = None):  # type: ignore[no-untyped-def]
    person = clinician_user(practice, clinician_id or session["clinician_id"])
    return as_person(person, report_path(session, "/addenda"), {"text": text})


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
