"""/metrics in one process (no PROMETHEUS_MULTIPROC_DIR): every family, and each moves."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.metrics.scrape import FAMILIES, UUID_LIKE, families, label_values, value
from tests.samples import GOOD_CHECKIN

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


def scrape(client):  # type: ignore[no-untyped-def]
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].count("charset") == 1
    return families(answer.get_data(as_text=True))


def test_every_family_is_there(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/healthz")
    parsed = scrape(client)
    missing = [name for name in FAMILIES if name not in parsed]
    assert not missing, missing


def test_a_request_is_observed_by_route_rule_never_by_path(client, make_practice) -> None:  # type: ignore[no-untyped-def]
    practice = make_practice()
    route = "/v1/sessions/<uuid:session_id>"
    sample = "teleframe_http_request_duration_seconds_count"
    before = value(scrape(client), sample, route=route, status="404", method="GET")
    assert practice.get(f"/v1/sessions/{uuid.uuid4()}").status_code == 404
    after = scrape(client)
    assert value(after, sample, route=route, status="404", method="GET") == before + 1
    assert not [v for v in label_values(after) if UUID_LIKE.search(v)]


def test_unknown_paths_and_methods_add_no_series(client) -> None:  # type: ignore[no-untyped-def]
    client.get(f"/nothing/{uuid.uuid4()}")
    client.open("/v1/sessions", method="BREW")
    routes = {
        s.labels.get("route")
        for s in scrape(client)["teleframe_http_request_duration_seconds"].samples
    }
    methods = {
        s.labels.get("method")
        for s in scrape(client)["teleframe_http_request_duration_seconds"].samples
    }
    assert "<unmatched>" in routes and not any(r and r.startswith("/nothing/") for r in routes)
    assert "BREW" not in methods and "other" in methods


def test_a_hook_is_counted_by_provider_and_outcome(client) -> None:  # type: ignore[no-untyped-def]
    sample = "teleframe_inbound_hooks_total"
    before = scrape(client)
    client.post(f"/hooks/zoom/{uuid.uuid4()}", json={"event": "meeting.started"})
    client.post(f"/hooks/<script>/{uuid.uuid4()}", json={})
    after = scrape(client)
    unknown = {"provider": "zoom", "outcome": "unknown_integration"}
    assert value(after, sample, **unknown) == value(before, sample, **unknown) + 1
    other = {"provider": "other", "outcome": "unknown_integration"}
    assert value(after, sample, **other) == value(before, sample, **other) + 1


def test_staged_work_shows_in_the_outbox_gauges(app, client, make_practice) -> None:  # type: ignore[no-untyped-def]
    practice = make_practice()
    session = practice.session()
    celery = app.extensions["celery"]
    original, celery.send_task = celery.send_task, lambda *a, **k: None  # staged, unpublished
    try:
        before = value(scrape(client), "teleframe_outbox_pending")
        assert practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).status_code == 202
        after = scrape(client)
    finally:
        celery.send_task = original
    assert value(after, "teleframe_outbox_pending") >= before + 1
    assert value(after, "teleframe_outbox_oldest_age_seconds") >= 0


def test_signed_hooks_are_counted_as_accepted_duplicate_and_challenge(
    client, make_practice
) -> None:  # type: ignore[no-untyped-def]
    from tests.hooks.conftest import HookClient
    from tests.services.providers import signing

    sample = "teleframe_inbound_hooks_total"
    hook = HookClient(make_practice(), "zoom", signing.ZOOM_SECRET)
    event = signing.fixture("zoom/participant_left_network.json")
    challenge = b'{"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}'
    before = scrape(client)
    for body in (event, event, challenge):
        assert hook.send(signing.zoom(body, timestamp=int(time.time()))).status_code == 200
    after = scrape(client)
    for outcome in ("accepted", "duplicate", "challenge"):
        labels = {"provider": "zoom", "outcome": outcome}
        assert value(after, sample, **labels) == value(before, sample, **labels) + 1, outcome
