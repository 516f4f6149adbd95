"""API keys: required, recognisable, stored hashed, revocable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from teleframe.api.auth import hash_key
from teleframe.extensions import db
from teleframe.models import ApiKey
from tests.conftest import soon


def test_requests_without_a_key_are_refused_as_problem(client):
    response = client.get("/v1/sessions?date=2026-12-01")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_made_up_or_malformed_key_is_refused(client):
    for header in (
        "Bearer tf_" + "a" * 40,
        "Bearer sk_live_x",
        "Basic dGY6eA==",
        "Bearer " + "x" * 5000,
    ):
        response = client.get("/v1/sessions?date=2026-12-01", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_keys_are_prefixed_and_only_their_hash_is_stored(app, make_practice):
    practice = make_practice()
    assert practice.key.startswith("tf_") and len(practice.key) >= 19
    assert practice.key[3:].isalnum()
    with app.app_context():
        row = db.session.scalars(select(ApiKey).where(ApiKey.practice_id == practice.id)).one()
        assert row.key_hash == hash_key(practice.key)
        assert practice.key not in (row.key_hash, row.prefix)


def test_a_revoked_key_stops_working_within_the_cache_period(app, make_practice, settings):
    import time

    from teleframe.models.base import utcnow

    practice = make_practice()
    assert practice.get("/v1/sessions?date=2026-12-01").status_code == 200
    with app.app_context():
        row = db.session.scalars(select(ApiKey).where(ApiKey.practice_id == practice.id)).one()
        row.revoked_at = utcnow()
        db.session.commit()
    time.sleep(settings.api_key_cache_seconds + 0.1)
    assert practice.get("/v1/sessions?date=2026-12-01").status_code == 401


def test_platform_keys_cannot_change_the_practice_set_up(app, make_practice):
    from teleframe.api.auth import issue_key
    from teleframe.services.policy import default_policy_text
    from tests.conftest import PracticeHandle

    admin = make_practice()
    with app.app_context():
        key = issue_key(db.session, admin.id, label="platform", role="platform")
        db.session.commit()
    platform = PracticeHandle(app, admin.id, key)
    policy = platform.http.put(
        "/v1/policy",
        data=default_policy_text(),
        headers={**platform.headers, "Content-Type": "application/yaml"},
    )
    assert policy.status_code == 403
    assert policy.mimetype == "application/problem+json"
    integration = platform.post("/v1/integrations", {"provider": "zoom", "secret": "s" * 20})
    assert integration.status_code == 403
    endpoint = platform.post(
        "/v1/webhook-endpoints",
        {"url": "https://example.com/hook", "event_types": ["frame.blocked"]},
    )
    assert endpoint.status_code == 403
    # licences feed the jurisdiction rule: clinicians are set-up too
    clinician = platform.post(
        "/v1/clinicians",
        {
            "name": "Mallory",
            "home_jurisdiction": "US-TX",
            "licenses": [
                {"jurisdiction": "US-TX", "kind": "LMFT", "number": "1", "expires_on": None}
            ],
            "compacts": [],
        },
    )
    assert clinician.status_code == 403
    # the day's work is open to it
    starts = soon()
    created = platform.post(
        "/v1/sessions",
        {
            "clinician_id": admin.clinician(),
            "client_id": platform.client(),
            "scheduled_start": starts.isoformat(),
            "scheduled_end": (starts + timedelta(minutes=50)).isoformat(),
        },
    )
    assert created.status_code == 201, created.get_json()
    session = created.get_json()["id"]
    assert platform.get(f"/v1/sessions/{session}").status_code == 200
    assert platform.get("/v1/policy").status_code == 200
