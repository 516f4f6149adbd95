"""Integrations: listed a page at a time, disabled (hooks answer 410, nothing stored), label
changed; admin keys of the practice only."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from teleframe.extensions import db
from teleframe.models import InboundEvent, Integration
from teleframe.models.base import utcnow
from tests.hooks.conftest import HookClient
from tests.links import next_link
from tests.services.providers import signing
from tests.webhooks.helpers import platform_headers

BASE = "/v1/integrations"


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (embedded mode): pages, and the 410 of a disabled integration."""
    return either_app


def stored(app, integration_id: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(InboundEvent)
            .where(InboundEvent.integration_id == uuid.UUID(integration_id))
        )


def zoom_event(hook: HookClient):  # type: ignore[no-untyped-def]
    body = signing.fixture("zoom/participant_left_network.json")
    return hook.send(signing.zoom(body, timestamp=int(time.time())))


def test_the_list_pages_through_every_integration_with_a_link_cursor(make_practice):
    practice = make_practice()
    made = [practice.post(BASE, {"provider": "standard"}).get_json()["id"] for _ in range(5)]
    seen, pages, path = [], 0, f"{BASE}?limit=2"
    while path:
        response = practice.get(path)
        assert response.status_code == 200, response.get_json()
        assert all("secret" not in row and row["enabled"] for row in response.get_json())
        seen += [row["id"] for row in response.get_json()]
        path, pages = next_link(response), pages + 1
    assert seen == made and pages == 3
    assert next_link(practice.get(f"{BASE}?limit=5")) is None
    for query in ("limit=0", "limit=201", "limit=x", "cursor=nope"):
        assert practice.get(f"{BASE}?{query}").status_code == 422, query


def test_a_disabled_integration_answers_410_and_stores_nothing(app, make_practice):
    practice = make_practice()
    hook = HookClient(practice, "zoom", signing.ZOOM_SECRET)
    path = f"{BASE}/{hook.integration['id']}"
    off = practice.http.patch(path, json={"enabled": False}, headers=practice.headers)
    assert off.status_code == 200 and off.get_json()["enabled"] is False
    assert off.get_json()["disabled_at"]
    refused = zoom_event(hook)
    assert refused.status_code == 410 and refused.mimetype == "application/problem+json"
    assert stored(app, hook.integration["id"]) == 0
    on = practice.http.patch(path, json={"enabled": True}, headers=practice.headers)
    assert on.get_json()["enabled"] is True and on.get_json()["disabled_at"] is None
    assert zoom_event(hook).get_json()["status"] == "accepted"
    assert stored(app, hook.integration["id"]) == 1


def test_disabled_through_another_process_stores_nothing_here_either(app, make_practice):
    """This process keeps a copy of the integration; the write itself checks it is enabled."""
    practice = make_practice()
    hook = HookClient(practice, "zoom", signing.ZOOM_SECRET)
    assert zoom_event(hook).status_code == 200  # the edge now holds the integration
    with app.app_context():
        db.session.get(Integration, uuid.UUID(hook.integration["id"])).disabled_at = utcnow()
        db.session.commit()
    body = signing.fixture("zoom/participant_joined.json")
    refused = hook.send(signing.zoom(body, timestamp=int(time.time())))
    assert refused.status_code == 410, refused.get_json()
    assert stored(app, hook.integration["id"]) == 1  # only the one from before


def test_label_changes_and_bad_patches_are_422(make_practice):
    practice = make_practice()
    made = practice.post(BASE, {"provider": "standard", "label": "old"}).get_json()
    path = f"{BASE}/{made['id']}"
    changed = practice.http.patch(path, json={"label": "Zoom EU"}, headers=practice.headers)
    assert changed.status_code == 200 and changed.get_json()["label"] == "Zoom EU"
    assert "secret" not in changed.get_json()
    for body in ({}, {"enabled": "no"}, {"enabled": 0}, {"label": "a\x00b"}, {"label": "x" * 201},
                 {"provider": "zoom"}):  # fmt: skip
        response = practice.http.patch(path, json=body, headers=practice.headers)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
    assert practice.get(path).get_json()["label"] == "Zoom EU"  # nothing half-written
    script = "<script>alert(1)</script>"
    kept = practice.http.patch(path, json={"label": script}, headers=practice.headers)
    assert kept.status_code == 200 and kept.mimetype == "application/json"
    assert kept.get_json()["label"] == script  # JSON text, never markup


def test_every_new_route_is_admin_only_and_scoped_to_the_practice(app, make_practice):
    owner, other = make_practice("Owner"), make_practice("Other")
    made = owner.post(BASE, {"provider": "zoom", "secret": signing.ZOOM_SECRET}).get_json()
    path = f"{BASE}/{made['id']}"
    rotate = f"{path}/rotate-secret"
    platform = platform_headers(app, owner.id)
    assert owner.http.get(BASE, headers=platform).status_code == 403
    assert owner.http.patch(path, json={"enabled": False}, headers=platform).status_code == 403
    body = {"secret": "zm_another_secret_0000"}
    assert owner.http.post(rotate, json=body, headers=platform).status_code == 403

    assert other.http.patch(path, json={"enabled": False}, headers=other.headers).status_code == 404
    assert other.http.post(rotate, json=body, headers=other.headers).status_code == 404
    assert other.get(BASE).get_json() == []
    owner.post(BASE, {"provider": "standard"})
    following = next_link(owner.get(f"{BASE}?limit=1"))
    assert following is not None
    foreign = other.get(following)  # the owner's cursor, from another practice
    assert foreign.status_code == 422 and "cursor" in str(foreign.get_json())
    still = owner.get(path).get_json()
    assert still["enabled"] is True and still["previous_secret_expires_at"] is None


def test_every_change_to_an_integration_is_in_the_audit_trail_without_its_secret(make_practice):
    practice = make_practice()
    made = practice.post(BASE, {"provider": "standard"}).get_json()
    path = f"{BASE}/{made['id']}"
    for body in ({"label": "Daily EU"}, {"enabled": False}, {"enabled": True}):
        assert practice.http.patch(path, json=body, headers=practice.headers).status_code == 200
    rotated = practice.post(f"{path}/rotate-secret", {}).get_json()
    trail = practice.get("/v1/audit-events?limit=200&action=rotate").get_json()
    assert [(e["resource_type"], e["resource_id"]) for e in trail] == [("integration", made["id"])]
    trail = practice.get("/v1/audit-events?limit=200&actor=api_key").get_json()
    about = [e["action"] for e in trail if e["resource_id"] == made["id"]][::-1]
    assert about == ["create", "update", "disable", "enable", "rotate"]
    assert made["secret"] not in str(trail) and rotated["secret"] not in str(trail)
