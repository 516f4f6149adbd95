"""Rotating an endpoint's secret: both signatures for 24 hours, checked with `standardwebhooks`
as a subscriber checks them; then only the new one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from teleframe.models.base import utcnow
from teleframe.services import delivery as rules
from tests.webhooks.helpers import beat_at, emit_event, platform_headers, subscribe

pytestmark = pytest.mark.usefixtures("allow_loopback")
BASE = "/v1/webhook-endpoints"


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (embedded mode): the overlap's end is compared with stored times."""
    return either_app


def rotate(practice, endpoint_id: str) -> dict:  # type: ignore[no-untyped-def]
    response = practice.http.post(f"{BASE}/{endpoint_id}/rotate-secret", headers=practice.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def verifies(secret: str, item) -> bool:  # type: ignore[no-untyped-def]
    try:
        Webhook(secret).verify(item.body, item.headers)
    except WebhookVerificationError:
        return False
    return True


def test_both_secrets_sign_during_the_overlap_and_only_the_new_one_after(
    app, make_practice, receiver
):
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    old = endpoint["secret"]
    rotated_at = utcnow()
    rotated = rotate(practice, endpoint["id"])
    new = rotated["secret"]
    assert new.startswith("whsec_") and new != old
    expires = rotated["previous_secret_expires_at"]
    assert expires and expires > (rotated_at + timedelta(hours=23, minutes=59)).isoformat()
    assert "secret" not in practice.get(f"{BASE}/{endpoint['id']}").get_json()  # shown once

    session = practice.session()
    for hours in (0, 23.9):
        emit_event(app, session)
        at = max(utcnow(), rotated_at + timedelta(hours=hours))  # the event is due
        assert beat_at(app, practice.id, at) == [rules.SUCCEEDED]
        item = receiver.received[-1]
        assert len(item.headers["webhook-signature"].split(" ")) == 2
        assert verifies(old, item) and verifies(new, item), hours

    emit_event(app, session)
    after = rotated_at + timedelta(hours=24, minutes=1)
    assert beat_at(app, practice.id, after) == [rules.SUCCEEDED]
    item = receiver.received[-1]
    assert len(item.headers["webhook-signature"].split(" ")) == 1
    assert verifies(new, item) and not verifies(old, item)


def test_a_second_rotation_drops_the_first_secret_at_once(app, make_practice, receiver):
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    first = endpoint["secret"]
    second = rotate(practice, endpoint["id"])["secret"]
    third = rotate(practice, endpoint["id"])["secret"]
    emit_event(app, practice.session())
    assert beat_at(app, practice.id, utcnow()) == [rules.SUCCEEDED]
    (item,) = receiver.received
    assert verifies(third, item) and verifies(second, item) and not verifies(first, item)


def test_rotation_is_admin_only_and_scoped_to_the_practice(app, make_practice, receiver):
    owner, other = make_practice("Owner"), make_practice("Other")
    endpoint = subscribe(owner, receiver)
    path = f"{BASE}/{endpoint['id']}/rotate-secret"
    platform = platform_headers(app, owner.id)
    assert owner.http.post(path, headers=platform).status_code == 403
    refused = other.http.post(path, headers=other.headers)
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert (
        owner.http.post(f"{BASE}/not-a-uuid/rotate-secret", headers=owner.headers).status_code
        == 404
    )
    assert owner.http.delete(f"{BASE}/{endpoint['id']}", headers=owner.headers).status_code == 204
    assert owner.http.post(path, headers=owner.headers).status_code == 404  # deleted
    emit_event(app, owner.session())
    beat_at(app, owner.id, utcnow())
    assert receiver.received == []


def test_the_old_secret_is_kept_encrypted_like_the_current_one(app, make_practice, receiver):
    from sqlalchemy import Uuid, bindparam, text

    from teleframe.extensions import db

    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    new = rotate(practice, endpoint["id"])["secret"]
    with app.app_context():
        raw = db.session.execute(
            text("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = :id").bindparams(
                bindparam("id", type_=Uuid())
            ),  # as each database stores a UUID
            {"id": uuid.UUID(endpoint["id"])},
        ).one()
    assert raw.previous_secret and raw.secret
    stored = f"{raw.secret} {raw.previous_secret}"
    for secret in (endpoint["secret"], new):
        assert secret not in stored and secret.removeprefix("whsec_") not in stored
