"""The endpoint API: the secret shown once and stored encrypted, event types, tenancy."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import text

from teleframe.services.delivery import EVENT_TYPES
from tests.webhooks.helpers import emit_event, run_due, subscribe

pytestmark = pytest.mark.usefixtures("allow_loopback")


def test_registration_shows_the_secret_once(app, make_practice, receiver):
    practice = make_practice()
    endpoint = subscribe(practice, receiver, "checkin.evaluated", "frame.blocked")
    secret = endpoint["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert endpoint["event_types"] == ["checkin.evaluated", "frame.blocked"]
    shown = practice.get(f"/v1/webhook-endpoints/{endpoint['id']}").get_json()
    assert "secret" not in shown and shown["url"] == receiver.url
    from teleframe.extensions import db

    with app.app_context():
        stored = db.session.execute(
            text("SELECT secret FROM webhook_endpoints WHERE id = :id"), {"id": endpoint["id"]}
        ).scalar_one()
    assert secret not in stored and secret[6:] not in stored


def test_secrets_differ_per_endpoint(make_practice, receiver):
    practice = make_practice()
    assert subscribe(practice, receiver)["secret"] != subscribe(practice, receiver)["secret"]


@pytest.mark.parametrize(
    "event_types", [[], ["checkin.created"], ["frame.blocked", "nope"], "frame.blocked", None]
)
def test_event_types_come_from_the_published_list(make_practice, receiver, event_types):
    response = make_practice().post(
        "/v1/webhook-endpoints", {"url": receiver.url, "event_types": event_types}
    )
    assert response.status_code == 422


def test_every_emitted_type_can_be_subscribed(make_practice, receiver):
    assert {"reschedule.suggested", "checkin.evaluated", "backup_plan.due"} <= set(EVENT_TYPES)
    assert subscribe(make_practice(), receiver, *EVENT_TYPES)["event_types"] == sorted(EVENT_TYPES)


def test_another_practices_endpoint_answers_404(app, make_practice, receiver):
    owner, other = make_practice("Owner"), make_practice("Other")
    endpoint = subscribe(owner, receiver)
    emit_event(app, owner.session())
    run_due(app, owner.id)
    base = f"/v1/webhook-endpoints/{endpoint['id']}"
    for path in (base, f"{base}/deliveries"):
        assert owner.get(path).status_code == 200
        assert other.get(path).status_code == 404, path
    (delivery,) = owner.get(f"{base}/deliveries").get_json()
    response = other.post(f"{base}/replay", {"delivery_id": delivery["id"]})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_another_endpoints_delivery_cannot_be_replayed(app, make_practice, receiver):
    practice = make_practice()
    first, second = subscribe(practice, receiver), subscribe(practice, receiver)
    emit_event(app, practice.session())
    run_due(app, practice.id)
    (delivery,) = practice.get(f"/v1/webhook-endpoints/{first['id']}/deliveries").get_json()
    response = practice.post(
        f"/v1/webhook-endpoints/{second['id']}/replay", {"delivery_id": delivery["id"]}
    )
    assert response.status_code == 404


def test_one_event_fans_out_to_every_subscribed_endpoint(app, make_practice, receiver):
    practice = make_practice()
    subscribe(practice, receiver)
    subscribe(practice, receiver)
    event_id = emit_event(app, practice.session())
    assert sorted(run_due(app, practice.id)) == ["succeeded", "succeeded"]
    assert [r.headers["webhook-id"] for r in receiver.received] == [event_id, event_id]


def test_events_of_other_practices_never_reach_an_endpoint(app, make_practice, receiver):
    owner, other = make_practice("Owner"), make_practice("Other")
    subscribe(owner, receiver)
    emit_event(app, other.session())
    assert run_due(app, owner.id) == []
    assert run_due(app, other.id) == []
