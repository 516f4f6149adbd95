"""The webhook edge: verify on the raw body, store once, answer 2xx; refuse with 401, never 500."""

from __future__ import annotations

import json
import re
import time

from sqlalchemy import func, select

from teleframe.extensions import db
from teleframe.models import InboundEvent
from tests.hooks.conftest import HookClient
from tests.services.providers import signing


def fresh(form_or_json: bytes) -> bytes:
    """Twilio's form carries the event time, checked against the replay window: make it now."""
    from urllib.parse import quote

    from teleframe.models.base import utcnow
    from teleframe.services.providers import rfc3339

    stamp = quote(rfc3339(utcnow()), safe="")
    return re.sub(rb"Timestamp=[^&]*", b"Timestamp=" + stamp.encode(), form_or_json)


def _stored(app, hook) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(InboundEvent)
            .where(InboundEvent.integration_id == hook.integration["id"])
        )


def test_signed_zoom_event_is_stored_once(app, zoom_hook):
    body = signing.fixture("zoom/participant_left_network.json")
    first = zoom_hook.send(zoom_hook.sign(body))
    assert first.status_code == 200 and first.get_json()["status"] == "accepted"
    again = zoom_hook.send(zoom_hook.sign(body))  # a retry: same event, new signature
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert _stored(app, zoom_hook) == 1


def test_forged_stale_and_malformed_zoom_requests_are_401(app, zoom_hook):
    body = signing.fixture("zoom/participant_left_network.json")
    good = zoom_hook.sign(body)
    cases = {
        "one byte changed": signing.with_body(good, body.replace(b"14:10:00", b"14:10:01")),
        "wrong secret": zoom_hook.sign(body, secret="not-the-secret-0000"),
        "stale": zoom_hook.sign(body, timestamp=int(time.time()) - 3600),
        "no signature": signing.with_headers(good, x_zm_signature=None),
        "garbage signature": signing.with_headers(good, x_zm_signature="v0=zz"),
        "garbage timestamp": signing.with_headers(good, x_zm_request_timestamp="soon"),
    }
    for name, request in cases.items():
        response = zoom_hook.send(request)
        assert response.status_code == 401, name
        assert response.mimetype == "application/problem+json", name
    assert _stored(app, zoom_hook) == 0


def test_zoom_url_validation_handshake(app, zoom_hook):
    import hashlib
    import hmac

    body = signing.fixture("zoom/url_validation.json")
    response = zoom_hook.send(zoom_hook.sign(body))
    assert response.status_code == 200
    plain = json.loads(body)["payload"]["plainToken"]
    assert response.get_json() == {
        "plainToken": plain,
        "encryptedToken": hmac.new(
            signing.ZOOM_SECRET.encode(), plain.encode(), hashlib.sha256
        ).hexdigest(),
    }
    assert _stored(app, zoom_hook) == 0


def test_each_provider_verifies_its_own_signature(app, make_practice):
    practice = make_practice()
    now = int(time.time())
    cases = [
        (
            "twilio",
            signing.TWILIO_TOKEN,
            "twilio/participant_disconnected.form",
            lambda body, url: signing.twilio(body, url=url),
        ),
        (
            "daily",
            signing.DAILY_SECRET,
            "daily/participant_left.json",
            lambda body, url: signing.daily(body, timestamp=now),
        ),
        (
            "standard",
            signing.STANDARD_SECRET,
            "standard/participant_left.json",
            lambda body, url: signing.standard(body, timestamp=now),
        ),
    ]
    for provider, secret, fixture, sign in cases:
        hook = HookClient(practice, provider, secret)
        body = fresh(signing.fixture(fixture))
        good = sign(body, hook.url)
        assert hook.send(good).status_code == 200, provider
        forged = signing.with_body(good, body[:-1] + (b"x" if body[-1:] != b"x" else b"y"))
        assert hook.send(forged).status_code == 401, provider
        assert _stored(app, hook) == 1, provider


def test_unknown_or_foreign_integrations_are_404(make_practice):
    a, b = make_practice("A"), make_practice("B")
    hook_b = HookClient(b, "zoom", signing.ZOOM_SECRET)
    assert a.get(f"/v1/integrations/{hook_b.integration['id']}").status_code == 404
    assert b.get(f"/v1/integrations/{hook_b.integration['id']}").status_code == 200
    body = signing.fixture("zoom/meeting_started.json")
    signed = signing.zoom(body, timestamp=int(time.time()))
    wrong_provider = f"/hooks/daily/{hook_b.integration['id']}"
    assert a.http.post(wrong_provider, data=body, headers=dict(signed.headers)).status_code == 404
    unknown = "/hooks/zoom/6b0e2a36-2f0e-4a55-9a0e-0d1f4b2b3c4d"
    assert a.http.post(unknown, data=body, headers=dict(signed.headers)).status_code == 404


def test_integration_secrets_are_never_shown_and_standard_secrets_are_made(make_practice):
    practice = make_practice()
    made = practice.post("/v1/integrations", {"provider": "standard"}).get_json()
    assert made["secret"].startswith("whsec_")
    again = practice.get(f"/v1/integrations/{made['id']}").get_json()
    assert "secret" not in again
    zoom = practice.post("/v1/integrations", {"provider": "zoom", "secret": "s" * 20}).get_json()
    assert "secret" not in zoom
    missing = practice.post("/v1/integrations", {"provider": "zoom"})
    assert missing.status_code == 422 and "secret" in missing.get_json()["errors"]
