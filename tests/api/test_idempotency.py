"""`Idempotency-Key`: a platform's retry gets the first answer, never a second effect."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from teleframe.extensions import db
from teleframe.models import CheckIn, Client, IdempotencyKey, SessionEvent
from teleframe.models.base import utcnow
from teleframe.operations import idempotency
from tests.samples import GOOD_CHECKIN


def _post(practice, path: str, body: object, key: str | None):  # type: ignore[no-untyped-def]
    headers = dict(practice.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return practice.http.post(path, json=body, headers=headers)


def _count(app, model, *where) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_retried_checkin_gets_the_first_answer_and_makes_one_checkin(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = f"/v1/sessions/{session}/checkins"
    first = _post(practice, path, GOOD_CHECKIN, "retry-1")
    again = _post(practice, path, GOOD_CHECKIN, "retry-1")
    assert first.status_code == again.status_code == 202
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(app, CheckIn, CheckIn.session_id == uuid.UUID(session)) == 1


def test_without_a_key_each_post_is_a_new_checkin(app, make_practice):
    practice = make_practice()
    session = practice.session()
    for _ in range(2):
        assert (
            _post(practice, f"/v1/sessions/{session}/checkins", GOOD_CHECKIN, None).status_code
            == 202
        )
    assert _count(app, CheckIn, CheckIn.session_id == uuid.UUID(session)) == 2


def test_the_same_key_with_another_body_is_refused(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = f"/v1/sessions/{session}/checkins"
    assert _post(practice, path, GOOD_CHECKIN, "k-2").status_code == 202
    changed = {**GOOD_CHECKIN, "readiness": {"good_time_to_proceed": False, "not_driving": True}}
    refused = _post(practice, path, changed, "k-2")
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "Idempotency-Key" in refused.get_json()["errors"]
    other_session = practice.session()
    elsewhere = _post(practice, f"/v1/sessions/{other_session}/checkins", GOOD_CHECKIN, "k-2")
    assert elsewhere.status_code == 422  # the path is part of the request too
    assert _count(app, CheckIn, CheckIn.session_id == uuid.UUID(session)) == 1


def test_key_order_and_whitespace_do_not_make_a_new_request(make_practice):
    practice = make_practice()
    session = practice.session()
    path = f"/v1/sessions/{session}/checkins"
    first = _post(practice, path, GOOD_CHECKIN, "k-order")
    reordered = dict(reversed(list(GOOD_CHECKIN.items())))
    again = _post(practice, path, reordered, "k-order")
    assert again.status_code == 202 and again.get_json() == first.get_json()


def test_keys_are_scoped_to_the_practice(app, make_practice):
    a, b = make_practice("A"), make_practice("B")
    made_a = _post(a, "/v1/clients", {"display_name": "Sam"}, "shared-key")
    made_b = _post(b, "/v1/clients", {"display_name": "Sam"}, "shared-key")
    assert made_a.status_code == made_b.status_code == 201
    assert made_a.get_json()["id"] != made_b.get_json()["id"]
    assert "Idempotent-Replayed" not in made_b.headers


@pytest.mark.parametrize("resource", ["clinicians", "clients", "sessions", "checkin-links"])
def test_every_creating_post_replays(app, make_practice, resource):
    practice = make_practice()
    if resource == "clinicians":
        path, body = "/v1/clinicians", {"name": "Dana", "home_jurisdiction": "US-CA"}
    elif resource == "clients":
        path, body = "/v1/clients", {"display_name": "Sam Client"}
    elif resource == "sessions":
        path, body = (
            "/v1/sessions",
            {
                "clinician_id": practice.clinician(),
                "client_id": practice.client(),
                "scheduled_start": "2026-12-01T17:00:00Z",
                "scheduled_end": "2026-12-01T17:50:00Z",
            },
        )
    else:
        path, body = f"/v1/sessions/{practice.session()}/checkin-links", {}
    first = _post(practice, path, body, f"create-{resource}")
    again = _post(practice, path, body, f"create-{resource}")
    assert first.status_code == again.status_code == 201, first.get_json()
    assert again.get_json() == first.get_json()
    fresh = _post(practice, path, body, f"create-{resource}-2")
    assert fresh.get_json() != first.get_json()  # a new key is a new effect


def test_reported_events_share_the_rule(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = f"/v1/sessions/{session}/events"
    event = {"type": "participant.joined", "data": {"role": "client"}}
    assert _post(practice, path, event, "ev-1").status_code == 202
    assert _post(practice, path, event, "ev-1").headers["Idempotent-Replayed"] == "true"
    other = {"type": "participant.left", "data": {"role": "client", "reason": "network"}}
    assert _post(practice, path, other, "ev-1").status_code == 422
    assert _count(app, SessionEvent, SessionEvent.session_id == uuid.UUID(session)) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there", "é"])
def test_a_malformed_key_is_a_422_with_the_header_named(make_practice, key):
    practice = make_practice()
    response = _post(practice, "/v1/clients", {"display_name": "Sam"}, key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]


def test_a_refused_body_does_not_use_the_key_up(make_practice):
    practice = make_practice()
    assert _post(practice, "/v1/clients", {"display_name": ""}, "fix-me").status_code == 422
    fixed = _post(practice, "/v1/clients", {"display_name": "Sam"}, "fix-me")
    assert fixed.status_code == 201


def test_concurrent_duplicates_have_one_effect(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = f"/v1/sessions/{session}/checkins"
    barrier = threading.Barrier(5)
    answers: list[tuple[int, object]] = []

    def send() -> None:
        http = app.test_client()
        barrier.wait()
        response = http.post(
            path, json=GOOD_CHECKIN, headers={**practice.headers, "Idempotency-Key": "race"}
        )
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _ in answers] == [202] * 5
    assert len({str(body) for _, body in answers}) == 1
    assert _count(app, CheckIn, CheckIn.session_id == uuid.UUID(session)) == 1


def test_no_phi_in_clear_and_old_keys_are_purged(app, make_practice):
    practice = make_practice()
    made = _post(practice, "/v1/clients", {"display_name": "Zelda Unique-Name"}, "phi-1")
    assert made.status_code == 201
    with app.app_context():
        raw = db.session.execute(
            text("SELECT request_hash, response FROM idempotency_keys WHERE key = 'phi-1'")
        ).one()
        assert "Zelda" not in raw.request_hash + raw.response
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "phi-1")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
        idempotency.purge(db.session, timedelta(hours=24))
        assert (
            db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "phi-1")) is None
        )
    again = _post(practice, "/v1/clients", {"display_name": "Zelda Unique-Name"}, "phi-1")
    assert again.status_code == 201 and again.get_json()["id"] != made.get_json()["id"]
    assert _count(app, Client, Client.practice_id == practice.id) == 2
