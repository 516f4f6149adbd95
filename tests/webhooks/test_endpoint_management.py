"""Listing (paginated), changing and removing webhook endpoints: admin keys only."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from teleframe.api.auth import issue_key
from teleframe.extensions import db
from teleframe.models import Delivery, WebhookEndpoint
from tests.links import next_link
from tests.webhooks.helpers import emit_event, run_due, subscribe

pytestmark = pytest.mark.usefixtures("allow_loopback")
BASE = "/v1/webhook-endpoints"


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (embedded mode): pages are keyset positions over stored times."""
    return either_app


def test_the_list_pages_through_every_endpoint_with_a_link_cursor(make_practice, receiver):
    practice = make_practice()
    made = [subscribe(practice, receiver)["id"] for _ in range(5)]
    seen: list[str] = []
    path: str | None = f"{BASE}?limit=2"
    pages = 0
    while path:
        response = practice.get(path)
        assert response.status_code == 200, response.get_json()
        assert all("secret" not in row for row in response.get_json())
        seen += [row["id"] for row in response.get_json()]
        path, pages = next_link(response), pages + 1
    assert seen == made and pages == 3
    assert next_link(practice.get(f"{BASE}?limit=5")) is None


def test_patch_changes_fields_and_revets_the_url(make_practice, receiver):
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    path = f"{BASE}/{endpoint['id']}"
    changed = practice.http.patch(
        path,
        json={"event_types": ["frame.blocked", "frame.blocked"], "description": "EHR"},
        headers=practice.headers,
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["event_types"] == ["frame.blocked"]
    assert changed.get_json()["description"] == "EHR" and "secret" not in changed.get_json()
    for url in (
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/hook",
        "ftp://x.example",
    ):
        refused = practice.http.patch(path, json={"url": url}, headers=practice.headers)
        assert refused.status_code == 422 and "url" in str(refused.get_json()), url
    assert practice.get(path).get_json()["url"] == receiver.url  # nothing half-written
    for body in ({}, {"enabled": "maybe"}, {"description": "a\x00b"}, {"event_types": ["nope"]}):
        response = practice.http.patch(path, json=body, headers=practice.headers)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"


def test_a_disabled_endpoint_gets_nothing_until_re_enabled(app, make_practice, receiver):
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    path = f"{BASE}/{endpoint['id']}"
    off = practice.http.patch(path, json={"enabled": False}, headers=practice.headers).get_json()
    assert off["disabled_at"] and off["disabled_reason"] == "disabled_by_practice"
    session = practice.session()
    emit_event(app, session)
    run_due(app, practice.id)
    assert receiver.received == []
    on = practice.http.patch(path, json={"enabled": True}, headers=practice.headers).get_json()
    assert on["disabled_at"] is None and on["disabled_reason"] is None
    emit_event(app, session)
    run_due(app, practice.id)
    # the fan-out's look-back catches up the event emitted while disabled, then the new one
    assert len(receiver.received) == 2


def test_delete_hides_and_disables_but_keeps_deliveries(app, make_practice, receiver):
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    run_due(app, practice.id)
    path = f"{BASE}/{endpoint['id']}"
    assert practice.http.delete(path, headers=practice.headers).status_code == 204
    for hidden in (path, f"{path}/deliveries"):
        assert practice.get(hidden).status_code == 404
    assert endpoint["id"] not in practice.get(BASE).get_data(as_text=True)
    assert practice.http.delete(path, headers=practice.headers).status_code == 404
    with app.app_context():
        row = db.session.get(WebhookEndpoint, uuid.UUID(endpoint["id"]))
        assert row is not None and row.deleted_at and row.disabled_at
        kept = db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.endpoint_id == row.id)
        )
    assert kept == 1


def test_platform_keys_403_and_another_practice_404(app, make_practice, receiver):
    owner, other = make_practice("Owner"), make_practice("Other")
    endpoint = subscribe(owner, receiver)
    path = f"{BASE}/{endpoint['id']}"
    with app.app_context():
        platform = {
            "Authorization": "Bearer " + issue_key(db.session, owner.id, label="p", role="platform")
        }
        db.session.commit()
    assert owner.http.get(BASE, headers=platform).status_code == 403
    assert owner.http.patch(path, json={"enabled": False}, headers=platform).status_code == 403
    assert owner.http.delete(path, headers=platform).status_code == 403

    assert other.http.patch(path, json={"enabled": False}, headers=other.headers).status_code == 404
    assert other.http.delete(path, headers=other.headers).status_code == 404
    assert other.get(BASE).get_json() == []
    cursor = other.get(f"{BASE}?after={endpoint['id']}")
    assert cursor.status_code == 422 and "after" in str(cursor.get_json())
    assert owner.get(path).get_json()["disabled_at"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "after=not-a-uuid"])
def test_bad_list_arguments_are_422(make_practice, query):
    assert make_practice().get(f"{BASE}?{query}").status_code == 422


def test_every_change_to_an_endpoint_is_in_the_audit_trail_without_url_or_secret(
    make_practice, receiver
):
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    path = f"{BASE}/{endpoint['id']}"
    off = practice.http.patch(path, json={"enabled": False}, headers=practice.headers)
    assert off.get_json()["enabled"] is False
    on = practice.http.patch(
        path, json={"enabled": True, "description": "EHR"}, headers=practice.headers
    )
    assert on.get_json()["enabled"] is True
    practice.http.patch(path, json={"description": "EHR 2"}, headers=practice.headers)
    rotated = practice.post(f"{path}/rotate-secret", {}).get_json()
    assert practice.http.delete(path, headers=practice.headers).status_code == 204
    trail = practice.get("/v1/audit-events?limit=200&actor=api_key").get_json()
    about = [e for e in trail if e["resource_id"] == endpoint["id"]][::-1]  # oldest first
    assert [e["action"] for e in about] == [
        "create", "disable", "enable", "update", "rotate", "delete"
    ]  # fmt: skip
    assert {e["resource_type"] for e in about} == {"webhook_endpoint"}
    assert about[2]["detail"] == {"fields": ["description", "enabled"]}
    for secret_or_url in (endpoint["secret"], rotated["secret"], receiver.url):
        assert secret_or_url not in str(trail)
