"""`POST /v1/sessions/{id}/checkin-links`: a one-time link, of which only a hash is kept."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import CheckInLink, TherapySession


def _links(app, session: str) -> list[CheckInLink]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(
            db.session.scalars(
                select(CheckInLink).where(CheckInLink.session_id == uuid.UUID(session))
            )
        )


def test_a_link_is_absolute_expires_with_the_session_and_only_its_hash_is_stored(
    app, make_practice
):
    practice = make_practice()
    session = practice.session()
    response = practice.post(f"/v1/sessions/{session}/checkin-links", {})
    assert response.status_code == 201
    body = response.get_json()
    assert body["url"].startswith("http://localhost/c/")
    token = body["url"].rsplit("/", 1)[1]
    assert len(token) >= 43
    scheduled_end = practice.get(f"/v1/sessions/{session}").get_json()["scheduled_end"]
    assert datetime.fromisoformat(body["expires_at"]) == datetime.fromisoformat(scheduled_end)
    [link] = _links(app, session)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.practice_id == practice.id
    assert link.used_at is None
    assert token not in repr(vars(link))


def test_expires_in_minutes_sets_the_expiry(make_practice):
    practice = make_practice()
    session = practice.session()
    before = datetime.now(UTC)
    response = practice.post(f"/v1/sessions/{session}/checkin-links", {"expires_in_minutes": 30})
    assert response.status_code == 201
    expires_at = datetime.fromisoformat(response.get_json()["expires_at"])
    assert before + timedelta(minutes=30) <= expires_at <= datetime.now(UTC) + timedelta(minutes=30)


def test_a_body_is_optional(make_practice):
    practice = make_practice()
    session = practice.session()
    response = practice.http.post(f"/v1/sessions/{session}/checkin-links", headers=practice.headers)
    assert response.status_code == 201, response.get_json()


def test_bad_expiry_is_refused(make_practice):
    practice = make_practice()
    session = practice.session()
    for bad in (4, 10081, "30", True, 30.5, None):
        response = practice.post(
            f"/v1/sessions/{session}/checkin-links", {"expires_in_minutes": bad}
        )
        assert response.status_code == 422, bad
        assert "expires_in_minutes" in response.get_json()["errors"]
    response = practice.post(f"/v1/sessions/{session}/checkin-links", {"ttl": 30})
    assert response.status_code == 422


def test_another_practice_cannot_make_links_for_a_session(app, make_practice):
    a, b = make_practice("A"), make_practice("B")
    session = b.session()
    response = a.post(f"/v1/sessions/{session}/checkin-links", {})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert _links(app, session) == []


def test_a_key_is_required(make_practice):
    practice = make_practice()
    session = practice.session()
    response = practice.http.post(f"/v1/sessions/{session}/checkin-links", json={})
    assert response.status_code == 401


def test_no_links_for_an_ended_session(app, make_practice):
    practice = make_practice()
    session = practice.session()
    with app.app_context():
        db.session.get_one(TherapySession, uuid.UUID(session)).state = "ended"
        db.session.commit()
    response = practice.post(f"/v1/sessions/{session}/checkin-links", {})
    assert response.status_code == 409
    assert _links(app, session) == []
