"""Fan-out by event: an event's deliveries are made with it, for the endpoints subscribed to its
type in its practice and no others, on PostgreSQL and on SQLite (embedded mode)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import Delivery, WebhookSubscription
from tests.conftest import new_practice
from tests.webhooks.conftest import LOOPBACK, allow_private
from tests.webhooks.helpers import emit_event, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("allow_loopback")


def delivered_to(app: Any, event_id: str) -> set[str]:
    """Endpoints with a delivery of the event, read before any beat has run."""
    with app.app_context():
        rows = db.session.scalars(
            select(Delivery.endpoint_id).where(Delivery.event_id == uuid.UUID(event_id))
        )
        return {str(row) for row in rows}


def check_fan_out(app: Any, receiver: Receiver) -> None:
    a, b = new_practice(app, "A"), new_practice(app, "B")
    evaluated = subscribe(a, receiver, "checkin.evaluated")["id"]
    blocked = subscribe(a, receiver, "frame.blocked")["id"]
    both = subscribe(a, receiver, "checkin.evaluated", "frame.blocked")["id"]
    off = subscribe(a, receiver, "checkin.evaluated")["id"]
    a.http.patch(f"/v1/webhook-endpoints/{off}", json={"enabled": False}, headers=a.headers)
    other = subscribe(b, receiver, "checkin.evaluated", "frame.blocked")["id"]

    session_a, session_b = a.session(), b.session()
    assert delivered_to(app, emit_event(app, session_a, "checkin.evaluated")) == {evaluated, both}
    assert delivered_to(app, emit_event(app, session_a, "frame.blocked")) == {blocked, both}
    assert delivered_to(app, emit_event(app, session_a, "report.ready")) == set()
    assert delivered_to(app, emit_event(app, session_b, "checkin.evaluated")) == {other}

    changed = a.http.patch(
        f"/v1/webhook-endpoints/{evaluated}",
        json={"event_types": ["report.ready"]},
        headers=a.headers,
    )
    assert changed.status_code == 200
    assert delivered_to(app, emit_event(app, session_a, "checkin.evaluated")) == {both}
    assert delivered_to(app, emit_event(app, session_a, "report.ready")) == {evaluated}
    with app.app_context():
        kinds = db.session.scalars(
            select(WebhookSubscription.event_type).where(
                WebhookSubscription.endpoint_id == uuid.UUID(evaluated)
            )
        ).all()
    assert kinds == ["report.ready"]


def test_an_event_goes_only_to_its_subscribers_in_its_practice(app, receiver):
    check_fan_out(app, receiver)


def test_the_same_on_sqlite(sqlite_app, receiver, monkeypatch):
    allow_private(sqlite_app, monkeypatch, LOOPBACK)  # the SQLite app's own Settings
    check_fan_out(sqlite_app, receiver)


def test_re_enabling_catches_up_on_every_missed_event_batch_after_batch(
    app, make_practice, receiver, monkeypatch
):
    from teleframe.operations import delivery_fanout

    monkeypatch.setattr(delivery_fanout, "BATCH", 2)
    practice = make_practice()
    endpoint = subscribe(practice, receiver, "checkin.evaluated")["id"]
    path = f"/v1/webhook-endpoints/{endpoint}"
    practice.http.patch(path, json={"enabled": False}, headers=practice.headers)
    session = practice.session()
    missed = {emit_event(app, session, "checkin.evaluated") for _ in range(5)}
    assert all(delivered_to(app, event) == set() for event in missed)
    practice.http.patch(path, json={"enabled": True}, headers=practice.headers)
    assert all(delivered_to(app, event) == {endpoint} for event in missed)
