"""API keys managed through the API: listed without the key, shown once, revoked at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teleframe.api.auth import issue_key
from teleframe.extensions import db
from teleframe.models import ApiKey, AuditEvent

SESSIONS = "/v1/sessions?date=2026-12-01"


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (the embedded default)."""
    return either_app


def _platform_key(app, practice) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        key = issue_key(db.session, practice.id, label="platform", role="platform")
        db.session.commit()
    return key


def _as(practice, key: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def second_process(app):  # type: ignore[no-untyped-def]
    """Another API process on the same database, with its own key cache."""
    from teleframe import create_app

    settings = app.config["TELEFRAME_SETTINGS"]
    assert settings.api_key_cache_seconds > 0  # the cache is on: the check must beat it
    other_process = create_app(settings, TESTING=True)
    yield other_process.test_client()
    with other_process.app_context():
        db.engine.dispose()


def _cached(second, practice, key: str) -> None:  # type: ignore[no-untyped-def]
    """The second process has the key's grant cached."""
    for _ in range(2):
        assert second.get(SESSIONS, headers=_as(practice, key)).status_code == 200


def test_a_created_key_is_shown_once_and_works_and_the_list_never_shows_keys(make_practice):
    practice = make_practice()
    created = practice.post("/v1/api-keys", {"label": "EHR sync", "role": "platform"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["key"].startswith("tf_") and body["prefix"] == body["key"][:10]
    assert body["role"] == "platform" and body["revoked_at"] is None
    assert practice.http.get(SESSIONS, headers=_as(practice, body["key"])).status_code == 200

    listed = practice.get("/v1/api-keys")
    assert listed.status_code == 200
    assert body["key"] not in listed.get_data(as_text=True)
    rows = {row["id"]: row for row in listed.get_json()}
    assert set(rows[body["id"]]) == {
        "id", "prefix", "label", "role", "created_at", "last_used_at", "revoked_at"
    }  # fmt: skip
    assert rows[body["id"]]["last_used_at"] is not None  # it was just used


def test_last_used_at_is_written_at_most_once_a_minute(app, make_practice):
    practice = make_practice()
    practice.get(SESSIONS)
    with app.app_context():
        first = db.session.scalars(
            select(ApiKey.last_used_at).where(ApiKey.practice_id == practice.id)
        ).one()
    assert first is not None
    practice.get(SESSIONS)
    practice.get(SESSIONS)
    with app.app_context():
        again = db.session.scalars(
            select(ApiKey.last_used_at).where(ApiKey.practice_id == practice.id)
        ).one()
    assert again == first


def test_a_revoked_key_is_refused_on_the_very_next_request_through_another_process(
    make_practice, second_process
):
    practice, second = make_practice(), second_process
    key = practice.post("/v1/api-keys", {"label": "to revoke", "role": "platform"}).get_json()
    _cached(second, practice, key["key"])

    revoked = practice.http.delete(f"/v1/api-keys/{key['id']}", headers=practice.headers)
    assert revoked.status_code == 204
    refused = second.get(SESSIONS, headers=_as(practice, key["key"]))
    assert refused.status_code == 401
    # the practice's other keys keep working on both processes
    assert second.get(SESSIONS, headers=practice.headers).status_code == 200
    listed = {row["id"]: row for row in practice.get("/v1/api-keys").get_json()}
    assert listed[key["id"]]["revoked_at"] is not None


def test_the_last_admin_key_cannot_be_revoked(make_practice):
    practice = make_practice()
    own = practice.get("/v1/api-keys").get_json()[0]
    refused = practice.http.delete(f"/v1/api-keys/{own['id']}", headers=practice.headers)
    assert refused.status_code == 409
    assert practice.get(SESSIONS).status_code == 200


def test_platform_keys_get_403_and_another_practice_gets_404(app, make_practice):
    practice, other = make_practice("A"), make_practice("B")
    platform = _as(practice, _platform_key(app, practice))
    assert practice.http.get("/v1/api-keys", headers=platform).status_code == 403
    made = practice.http.post(
        "/v1/api-keys", json={"label": "x", "role": "admin"}, headers=platform
    )
    assert made.status_code == 403
    spare = practice.post("/v1/api-keys", {"label": "spare", "role": "admin"}).get_json()
    assert practice.http.delete(f"/v1/api-keys/{spare['id']}", headers=platform).status_code == 403

    assert (
        other.http.delete(f"/v1/api-keys/{spare['id']}", headers=other.headers).status_code == 404
    )
    assert spare["id"] not in other.get("/v1/api-keys").get_data(as_text=True)
    assert practice.http.get(SESSIONS, headers=_as(practice, spare["key"])).status_code == 200


def test_bad_and_hostile_input_is_a_problem_with_field_messages(make_practice):
    practice = make_practice()
    for body, field in (
        ({"label": "x", "role": "owner"}, "role"),
        ({"label": "<script>\x00</script>", "role": "admin"}, "label"),
        ({"label": "\ud800", "role": "admin"}, "label"),
        ({"label": "x" * 201, "role": "admin"}, "label"),
        ({"role": "admin"}, "label"),
    ):
        response = practice.post("/v1/api-keys", body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        assert field in str(response.get_json()), body
    assert len(practice.get("/v1/api-keys").get_json()) == 1  # nothing half-written
    assert (
        practice.http.delete("/v1/api-keys/not-a-uuid", headers=practice.headers).status_code == 404
    )


def test_rotation_gives_the_same_key_a_new_secret_refused_at_once_through_another_process(
    app, make_practice, second_process
):
    practice, second = make_practice(), second_process
    made = practice.post("/v1/api-keys", {"label": "EHR sync", "role": "platform"}).get_json()
    _cached(second, practice, made["key"])

    rotated = practice.http.post(f"/v1/api-keys/{made['id']}/rotate", headers=practice.headers)
    assert rotated.status_code == 200, rotated.get_json()
    body = rotated.get_json()
    assert (body["id"], body["label"], body["role"]) == (made["id"], "EHR sync", "platform")
    assert body["key"] != made["key"] and body["prefix"] == body["key"][:10]
    assert second.get(SESSIONS, headers=_as(practice, made["key"])).status_code == 401
    assert practice.get(SESSIONS).status_code == 200  # the practice's other keys still work
    assert second.get(SESSIONS, headers=_as(practice, body["key"])).status_code == 200

    listed = {row["id"]: row for row in practice.get("/v1/api-keys").get_json()}
    assert listed[made["id"]]["prefix"] == body["prefix"]
    assert listed[made["id"]]["last_used_at"] is not None  # kept across the rotation
    assert body["key"] not in practice.get("/v1/api-keys").get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.resource_id == made["id"])
        ).all()
    assert sorted(events) == ["create", "rotate"]


def test_a_revoked_key_cannot_be_rotated_and_rotation_is_for_admins_of_the_practice(
    app, make_practice
):
    practice, other = make_practice("A"), make_practice("B")
    platform = _as(practice, _platform_key(app, practice))
    spare = practice.post("/v1/api-keys", {"label": "spare", "role": "platform"}).get_json()
    path = f"/v1/api-keys/{spare['id']}/rotate"
    assert practice.http.post(path, headers=platform).status_code == 403
    refused = other.http.post(path, headers=other.headers)
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert practice.http.get(SESSIONS, headers=_as(practice, spare["key"])).status_code == 200

    assert (
        practice.http.delete(f"/v1/api-keys/{spare['id']}", headers=practice.headers).status_code
        == 204
    )
    gone = practice.http.post(path, headers=practice.headers)
    assert gone.status_code == 409 and gone.mimetype == "application/problem+json"
    assert (
        practice.http.post("/v1/api-keys/not-a-uuid/rotate", headers=practice.headers).status_code
        == 404
    )
