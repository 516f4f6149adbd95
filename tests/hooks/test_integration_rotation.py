"""Rotating an integration's secret: during the overlap each provider's hooks verify with the
old secret and the new one, after it only with the new one. The edge's clock is moved (and the
requests signed at that moved time), not waited for."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest

from teleframe.models.base import utcnow
from teleframe.services.providers import InboundRequest, rfc3339
from tests.hooks.conftest import HookClient
from tests.services.providers import signing

NEW = {
    "zoom": "zm_rotated_secret_token_9876543210",
    "twilio": "twilio_rotated_token_fedcba9876543210",
    "daily": base64.b64encode(b"daily-rotated-secret-32-bytes-ok").decode(),
}
OLD = {
    "zoom": signing.ZOOM_SECRET,
    "twilio": signing.TWILIO_TOKEN,
    "daily": signing.DAILY_SECRET,
    "standard": signing.STANDARD_SECRET,
}
FIXTURE = {
    "zoom": "zoom/participant_left_network.json",
    "twilio": "twilio/participant_disconnected.form",
    "daily": "daily/participant_left.json",
    "standard": "standard/participant_left.json",
}


def signed(hook: HookClient, provider: str, secret: str, when: datetime) -> InboundRequest:
    """A new event of the provider, signed with `secret` as sent at `when`."""
    body, stamp = signing.fixture(FIXTURE[provider]), int(when.timestamp())
    if provider == "zoom":
        return signing.zoom(body, secret=secret, timestamp=stamp)
    if provider == "daily":
        return signing.daily(body, secret=secret, timestamp=stamp)
    if provider == "standard":
        return signing.standard(body, secret=secret, timestamp=stamp, msg_id=uuid.uuid4().hex)
    form = re.sub(rb"Timestamp=[^&]*", b"Timestamp=" + quote(rfc3339(when), safe="").encode(), body)
    return signing.twilio(form, token=secret, url=hook.url)


def rotate(hook: HookClient, **body: object):  # type: ignore[no-untyped-def]
    return hook.practice.http.post(
        f"/v1/integrations/{hook.integration['id']}/rotate-secret",
        json=body,
        headers=hook.practice.headers,
    )


@pytest.mark.parametrize("provider", ["zoom", "twilio", "daily", "standard"])
def test_old_and_new_secrets_during_the_overlap_only_the_new_after(
    make_practice, monkeypatch, provider
):
    hook = HookClient(make_practice(), provider, OLD[provider])
    rotated_at = utcnow()
    answer = rotate(hook, **({"secret": NEW[provider]} if provider in NEW else {}))
    assert answer.status_code == 200, answer.get_json()
    view = answer.get_json()
    new = NEW.get(provider) or view["secret"]
    if provider == "standard":
        assert new.startswith("whsec_") and new != OLD[provider]
    else:
        assert "secret" not in view  # the provider's own secret is never echoed
    assert view["previous_secret_expires_at"] > (rotated_at + timedelta(hours=23)).isoformat()

    for moved in (timedelta(0), timedelta(hours=23, minutes=59)):
        now = rotated_at + moved
        monkeypatch.setattr("teleframe.api.hooks.resources.utcnow", lambda now=now: now)
        for secret in (OLD[provider], new):
            response = hook.send(signed(hook, provider, secret, now))
            assert response.status_code == 200, (moved, secret == new, response.get_json())

    after = rotated_at + timedelta(hours=24, minutes=1)
    monkeypatch.setattr("teleframe.api.hooks.resources.utcnow", lambda: after)
    assert hook.send(signed(hook, provider, OLD[provider], after)).status_code == 401
    assert hook.send(signed(hook, provider, new, after)).status_code == 200


def test_overlap_hours_zero_ends_the_old_secret_at_once(make_practice):
    hook = HookClient(make_practice(), "zoom", signing.ZOOM_SECRET)
    answer = rotate(hook, secret=NEW["zoom"], overlap_hours=0)
    assert answer.status_code == 200 and answer.get_json()["previous_secret_expires_at"] is None
    assert hook.send(signed(hook, "zoom", signing.ZOOM_SECRET, utcnow())).status_code == 401
    assert hook.send(signed(hook, "zoom", NEW["zoom"], utcnow())).status_code == 200


def test_a_rotation_made_through_another_process_is_seen_at_once(app, make_practice):
    """This process keeps a copy of the integration: a signature that fails against it is
    checked again against the database's."""
    from teleframe.extensions import db
    from teleframe.models import Integration
    from teleframe.operations import integration as integrations

    hook = HookClient(make_practice(), "zoom", signing.ZOOM_SECRET)
    assert hook.send(signed(hook, "zoom", signing.ZOOM_SECRET, utcnow())).status_code == 200
    with app.app_context():
        row = db.session.get(Integration, uuid.UUID(hook.integration["id"]))
        integrations.rotate(row, NEW["zoom"], timedelta(hours=24), utcnow())
        db.session.commit()
    assert hook.send(signed(hook, "zoom", NEW["zoom"], utcnow())).status_code == 200
    assert hook.send(signed(hook, "zoom", "zm_never_the_secret_00", utcnow())).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"secret": "short"},
        {"secret": NEW["zoom"], "overlap_hours": -1},
        {"secret": NEW["zoom"], "overlap_hours": 169},
        {"secret": NEW["zoom"], "overlap_hours": "x"},
        {"secret": NEW["zoom"], "extra": 1},
        {"secret": "s" * 501},
        {"secret": 12345678},
    ],
)
def test_bad_rotations_are_422_and_change_nothing(make_practice, body):
    hook = HookClient(make_practice(), "zoom", signing.ZOOM_SECRET)
    refused = rotate(hook, **body)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert hook.send(signed(hook, "zoom", signing.ZOOM_SECRET, utcnow())).status_code == 200


def test_a_standard_rotation_needs_no_body(make_practice):
    practice = make_practice()
    made = practice.post("/v1/integrations", {"provider": "standard"}).get_json()
    path = f"/v1/integrations/{made['id']}/rotate-secret"
    answer = practice.http.post(path, headers=practice.headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["secret"].startswith("whsec_")
    assert answer.get_json()["secret"] != made["secret"]


def test_both_secrets_are_encrypted_at_rest(app, make_practice):
    from sqlalchemy import text

    from teleframe.extensions import db

    hook = HookClient(make_practice(), "zoom", signing.ZOOM_SECRET)
    assert rotate(hook, secret=NEW["zoom"]).status_code == 200
    with app.app_context():
        raw = db.session.execute(
            text("SELECT secret, previous_secret FROM integrations WHERE id = :id"),
            {"id": hook.integration["id"]},
        ).one()
    assert raw.previous_secret and raw.secret
    stored = f"{raw.secret} {raw.previous_secret}"
    assert signing.ZOOM_SECRET not in stored and NEW["zoom"] not in stored
