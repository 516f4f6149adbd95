"""Bad input gets a clear 4xx problem with field messages, and nothing is half-written."""

from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import func, select

from teleframe.extensions import db
from teleframe.models import CheckIn, OutboxMessage
from tests.samples import GOOD_CHECKIN


def _count(app, model, session_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        return (
            db.session.scalar(
                select(func.count()).select_from(model).where(model.session_id == session_id)
            )
            if hasattr(model, "session_id")
            else db.session.scalar(select(func.count()).select_from(model))
        )


def _with(path: str, value: object) -> dict:
    body = copy.deepcopy(GOOD_CHECKIN)
    target = body
    *parents, last = path.split(".")
    for part in parents:
        target = target[part]
    target[last] = value
    return body


BAD_FIELDS = [
    ("privacy.private_space", 1, "private_space"),
    ("privacy.private_space", "true", "private_space"),
    ("privacy.can_speak_freely", 0, "can_speak_freely"),
    ("location.country", "USA", "country"),
    ("location.country", "ZZ", "country"),
    ("location.subdivision", "US-XX", "subdivision"),
    ("location.subdivision", "CA-ON", "subdivision"),
    ("location.place_type", "spaceship", "place_type"),
    ("backup.callback_phone", "510-555-0123", "callback_phone"),
    ("backup.callback_phone", "+1", "callback_phone"),
    ("backup.callback_phone", 15105550123, "callback_phone"),
    ("others_present", [{"relationship": "child"}], "others_present"),
    (
        "others_present",
        [{"relationship": "x", "minor": False, "client_consents_to_hear": True}] * 21,
        "others_present",
    ),
    ("location.locality", "x" * 201, "locality"),
    ("readiness.not_driving", None, None),  # null is allowed: the policy decides
]


@pytest.mark.parametrize(("path", "value", "field"), BAD_FIELDS)
def test_bad_checkin_fields_are_named(app, make_practice, path, value, field):
    practice = make_practice()
    session = practice.session()
    response = practice.post(f"/v1/sessions/{session}/checkins", _with(path, value))
    if field is None:
        assert response.status_code == 202
        return
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"]
    assert field in str(problem["errors"])
    assert _count(app, CheckIn, session) == 0


def test_unknown_fields_are_rejected(make_practice):
    practice = make_practice()
    session = practice.session()
    body = {**GOOD_CHECKIN, "practice_id": "00000000-0000-0000-0000-000000000000"}
    response = practice.post(f"/v1/sessions/{session}/checkins", body)
    assert response.status_code == 422
    assert "practice_id" in response.get_json()["errors"]
    nested = _with("privacy.status", "clear")
    assert practice.post(f"/v1/sessions/{session}/checkins", nested).status_code == 422


def test_malformed_json_is_400_not_500(make_practice):
    practice = make_practice()
    session = practice.session()
    for raw in (b"{", b"[1,2", b"\xff\xfe", b"null", b"[]", b'"text"'):
        response = practice.http.post(
            f"/v1/sessions/{session}/checkins",
            data=raw,
            headers={**practice.headers, "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, (raw, response.status_code)
        assert response.mimetype == "application/problem+json"


def test_oversized_body_is_413(app, make_practice):
    practice = make_practice()
    session = practice.session()
    huge = _with("location.address", "x" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    response = practice.post(f"/v1/sessions/{session}/checkins", huge)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert _count(app, CheckIn, session) == 0


def test_unknown_session_ids_are_404(make_practice):
    practice = make_practice()
    for path in (
        "/v1/sessions/6b0e2a36-2f0e-4a55-9a0e-0d1f4b2b3c4d/frame",
        "/v1/sessions/not-a-uuid/frame",
        "/v1/nothing-here",
    ):
        response = practice.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_wrong_method_is_405_problem(make_practice):
    practice = make_practice()
    response = practice.http.delete("/v1/clinicians", headers=practice.headers)
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    # RFC 9110: a 405 names the methods the resource has (found by the contract test)
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}
    trace = practice.http.open("/v1/sessions", method="TRACE", headers=practice.headers)
    assert trace.status_code == 405
    assert {"GET", "POST"} <= set(trace.headers["Allow"].split(", "))


def test_errors_are_documented_as_the_problem_details_they_are(client):
    spec = client.get("/v1/openapi.json").get_json()
    invalid = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(invalid) == ["application/problem+json"]
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert problem["status"]["type"] == "integer" and "title" in problem


def test_session_times_must_carry_an_offset_and_end_after_start(make_practice):
    practice = make_practice()
    base = {"clinician_id": practice.clinician(), "client_id": practice.client()}
    naive = practice.post(
        "/v1/sessions",
        {**base, "scheduled_start": "2026-12-01T17:00:00", "scheduled_end": "2026-12-01T17:50:00Z"},
    )
    assert naive.status_code == 422 and "scheduled_start" in naive.get_json()["errors"]
    backwards = practice.post(
        "/v1/sessions",
        {
            **base,
            "scheduled_start": "2026-12-01T17:00:00Z",
            "scheduled_end": "2026-12-01T16:00:00Z",
        },
    )
    assert backwards.status_code == 422 and "scheduled_end" in backwards.get_json()["errors"]


def test_script_in_a_text_field_is_stored_as_text_and_never_echoed_as_html(app, make_practice):
    practice = make_practice()
    session = practice.session()
    hostile = _with("location.locality", "<script>alert(1)</script>")
    response = practice.post(f"/v1/sessions/{session}/checkins", hostile)
    assert response.status_code == 202
    frame = practice.get(f"/v1/sessions/{session}/frame")
    assert frame.mimetype == "application/json"
    assert frame.get_json()["checkin"]["location"]["locality"] == "<script>alert(1)</script>"
    assert frame.headers["X-Content-Type-Options"] == "nosniff"


def test_accepted_checkin_and_its_outbox_row_are_written_together(app, make_practice):
    practice = make_practice()
    session = practice.session()
    response = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    assert response.status_code == 202
    assert response.headers["Location"].endswith(f"/v1/sessions/{session}/frame")
    checkin_id = response.get_json()["checkin_id"]
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.practice_id == practice.id)
        ).one()
    assert message.args == [checkin_id]
    assert message.task == "teleframe.evaluate_checkin"
    assert _count(app, CheckIn, session) == 1


@pytest.mark.parametrize(
    "path",
    ["/v1/practice", "/v1/integrations/{id}", "/v1/webhook-endpoints/{id}"],
)
def test_an_empty_change_is_refused(make_practice, path):
    """A PATCH that names no field would change nothing: 422, said in the body's errors."""
    practice = make_practice()
    response = practice.http.patch(path.format(id=uuid.uuid4()), json={}, headers=practice.headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]["_schema"] == ["Give at least one field to change."]
