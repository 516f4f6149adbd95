"""The practice's settings through the API: admins only, bounded, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from teleframe.api.auth import issue_key
from teleframe.extensions import db
from teleframe.models import AuditEvent, Practice


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (the embedded default)."""
    return either_app


def _patch(practice, body: object, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return practice.http.patch("/v1/practice", json=body, headers=headers or practice.headers)


def _changes(app, practice) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            row.detail
            for row in db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.practice_id == practice.id, AuditEvent.resource_type == "practice"
                )
                .order_by(AuditEvent.occurred_at)
            )
        ]


def test_an_admin_reads_and_changes_the_practice_and_each_change_is_audited(app, make_practice):
    practice = make_practice("Bayview Counselling")
    shown = practice.get("/v1/practice")
    assert shown.status_code == 200
    assert shown.get_json() | {"created_at": None} == {
        "id": str(practice.id), "name": "Bayview Counselling", "retention_years": 7,
        "created_at": None,
    }  # fmt: skip
    changed = _patch(practice, {"retention_years": 10, "name": "Bayview Therapy"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["retention_years"] == 10
    assert practice.get("/v1/practice").get_json()["name"] == "Bayview Therapy"
    assert _patch(practice, {"retention_years": 10}).status_code == 200  # no change: no event
    assert _changes(app, practice) == [
        {
            "name": {"from": "Bayview Counselling", "to": "Bayview Therapy"},
            "retention_years": {"from": 7, "to": 10},
        }
    ]
    with app.app_context():
        assert (
            db.session.get_one(Practice, practice.id).retention_years == 10
        )  # what retention reads


def test_bad_and_hostile_settings_are_422_with_field_messages_and_change_nothing(
    app, make_practice
):
    practice = make_practice("Bayview")
    for body, field in (
        ({"retention_years": 5}, "retention_years"),  # under HIPAA's six years
        ({"retention_years": 31}, "retention_years"),
        ({"retention_years": 10**30}, "retention_years"),
        ({"retention_years": "7"}, "retention_years"),
        ({"retention_years": 7.5}, "retention_years"),
        ({"retention_years": None}, "retention_years"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "<script>\x00</script>"}, "name"),
        ({"name": "\ud800"}, "name"),
        ({"name": "ok", "retention_years": 2}, "retention_years"),
        ({"key_generation": 0}, "key_generation"),
        ({}, "_schema"),
    ):
        response = _patch(practice, body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
        assert field in response.get_json()["errors"], (body, response.get_json())
    assert practice.get("/v1/practice").get_json()["name"] == "Bayview"  # nothing half-written
    assert _changes(app, practice) == []
    script = _patch(practice, {"name": "<script>alert(1)</script>"})
    assert script.status_code == 200  # stored as text; JSON answers never render it
    assert script.get_json()["name"] == "<script>alert(1)</script>"


def test_platform_keys_get_403_and_each_key_sees_only_its_own_practice(app, make_practice):
    practice, other = make_practice("A"), make_practice("B")
    with app.app_context():
        platform = {
            "Authorization": f"Bearer {issue_key(db.session, practice.id, role='platform')}"
        }
        db.session.commit()
    assert practice.http.get("/v1/practice", headers=platform).status_code == 403
    assert _patch(practice, {"retention_years": 20}, platform).status_code == 403
    assert _patch(other, {"name": "B renamed"}).status_code == 200
    assert practice.get("/v1/practice").get_json()["name"] == "A"
    assert other.get("/v1/practice").get_json()["id"] == str(other.id)
    assert _changes(app, practice) == []
