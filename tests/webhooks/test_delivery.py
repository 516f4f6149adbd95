"""Delivery against a real receiver on 127.0.0.1: signatures, retries, redirects, 410, 429, cap."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from teleframe.services import delivery as rules
from tests.webhooks.conftest import allow_private
from tests.webhooks.helpers import deliveries, emit_event, later, run_due, subscribe
from tests.webhooks.receiver import Answer

pytestmark = pytest.mark.usefixtures("allow_loopback")


@pytest.fixture
def practice(make_practice):  # type: ignore[no-untyped-def]
    return make_practice("Webhooks")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_500_then_a_200_same_id_new_timestamp_valid_signature(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    event_id = emit_event(app, practice.session())
    receiver.answer(500, 200)
    assert run_due(app, practice.id) == [rules.RETRY]
    time.sleep(1.1)  # whole seconds: let the second attempt carry a later timestamp
    assert run_due(app, practice.id, at=later(minutes=1)) == [rules.SUCCEEDED]
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event_id
    assert int(second.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    assert first.headers["webhook-signature"] != second.headers["webhook-signature"]
    for item in (first, second):
        assert receiver.verify(item)["type"] == "checkin.submitted"
        assert item.path == "/hooks/teleframe?src=test"
    (listed,) = deliveries(practice, endpoint)
    assert listed["status"] == "succeeded" and listed["event_id"] == event_id
    assert [a["status_code"] for a in listed["attempts"]] == [500, 200]
    assert "response body" not in json.dumps(listed)


def test_the_first_retry_waits_about_five_seconds(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    receiver.answer(500)
    before = later()
    run_due(app, practice.id)
    assert run_due(app, practice.id) == []  # not due yet
    (listed,) = deliveries(practice, endpoint)
    wait = (when(listed["next_attempt_at"]) - before).total_seconds()
    assert 3.9 <= wait <= 6.5, wait


def test_a_redirect_is_a_failure_and_is_not_followed(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    elsewhere = receiver.url.replace("/hooks/teleframe", "/elsewhere")
    receiver.answer(Answer(302, {"Location": elsewhere}), Answer(301, {"Location": elsewhere}))
    assert run_due(app, practice.id) == [rules.RETRY]
    assert run_due(app, practice.id, at=later(minutes=1)) == [rules.RETRY]
    assert [r.path for r in receiver.received] == ["/hooks/teleframe?src=test"] * 2
    (listed,) = deliveries(practice, endpoint)
    assert listed["status"] == "pending" and listed["last_status_code"] == 301


def test_410_disables_the_endpoint_and_stops_sending(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    session_id = practice.session()
    emit_event(app, session_id)
    receiver.answer(410)
    assert run_due(app, practice.id) == [rules.GONE]
    shown = practice.get(f"/v1/webhook-endpoints/{endpoint['id']}").get_json()
    assert shown["disabled_at"] and "410" in shown["disabled_reason"]
    emit_event(app, session_id)
    assert run_due(app, practice.id, at=later(days=1)) == []
    assert len(receiver.received) == 1
    (listed,) = deliveries(practice, endpoint)  # the later event was never fanned out
    assert listed["status"] == "gone"


def test_429_with_retry_after_is_honoured(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    receiver.answer(Answer(429, {"Retry-After": "120"}), 200)
    before = later()
    assert run_due(app, practice.id) == [rules.RETRY]
    (listed,) = deliveries(practice, endpoint)
    wait = (when(listed["next_attempt_at"]) - before).total_seconds()
    assert 119 <= wait <= 122, wait
    assert run_due(app, practice.id, at=later(seconds=60)) == []
    assert run_due(app, practice.id, at=later(seconds=125)) == [rules.SUCCEEDED]


def test_the_attempt_cap_ends_in_exhausted_and_replay_starts_again(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    receiver.answer(*[500] * rules.MAX_ATTEMPTS)
    results = [run_due(app, practice.id, at=later(days=2))[0] for _ in range(rules.MAX_ATTEMPTS)]
    assert results == [rules.RETRY] * (rules.MAX_ATTEMPTS - 1) + [rules.EXHAUSTED]
    assert run_due(app, practice.id, at=later(days=30)) == []
    (listed,) = deliveries(practice, endpoint)
    assert listed["status"] == "exhausted" and listed["next_attempt_at"] is None
    assert len(listed["attempts"]) == rules.MAX_ATTEMPTS

    replay = f"/v1/webhook-endpoints/{endpoint['id']}/replay"
    response = practice.post(replay, {"delivery_id": listed["id"]})
    assert response.status_code == 202 and response.get_json() == {"requeued": 1}
    assert run_due(app, practice.id) == [rules.SUCCEEDED]
    (listed,) = deliveries(practice, endpoint)
    assert listed["status"] == "succeeded"
    assert len(listed["attempts"]) == rules.MAX_ATTEMPTS + 1
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


def test_replay_since_requeues_what_did_not_succeed(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    since = later().isoformat()
    session_id = practice.session()
    emit_event(app, session_id)
    emit_event(app, session_id)
    receiver.answer(200, 410)
    run_due(app, practice.id)
    replay = f"/v1/webhook-endpoints/{endpoint['id']}/replay"
    assert practice.post(replay, {"since": since}).status_code == 409  # disabled by the 410
    assert practice.post(replay, {}).status_code == 422
    assert practice.post(replay, {"since": since, "delivery_id": endpoint["id"]}).status_code == 422


def test_replay_since_after_failures(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    since = later().isoformat()
    emit_event(app, practice.session())
    receiver.answer(500)
    run_due(app, practice.id)
    replay = f"/v1/webhook-endpoints/{endpoint['id']}/replay"
    assert practice.post(replay, {"since": since}).get_json() == {"requeued": 1}
    assert run_due(app, practice.id) == [rules.SUCCEEDED]


def test_a_connection_refused_is_recorded_by_its_error_class(app, practice, receiver):
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    receiver.__exit__(None, None, None)  # nobody listens any more
    assert run_due(app, practice.id) == [rules.RETRY]
    (listed,) = deliveries(practice, endpoint)
    (attempt,) = listed["attempts"]
    assert attempt["status_code"] is None and attempt["error"] == "ConnectionRefusedError"


def test_the_delivery_time_check_refuses_what_registration_allowed(
    app, practice, receiver, monkeypatch
):
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    allow_private(app, monkeypatch, "")  # as production: loopback refused
    assert run_due(app, practice.id) == [rules.RETRY]
    assert receiver.received == []
    (listed,) = deliveries(practice, endpoint)
    assert listed["attempts"][0]["error"] == "UnsafeURL"


def test_only_subscribed_types_are_sent(app, practice, receiver):
    subscribe(practice, receiver, "frame.blocked")
    emit_event(app, practice.session(), "checkin.submitted")
    assert run_due(app, practice.id) == []


def test_events_before_the_subscription_are_not_sent(app, practice, receiver):
    session_id = practice.session()
    emit_event(app, session_id)
    subscribe(practice, receiver)
    assert run_due(app, practice.id) == []


def test_a_slow_receiver_times_out(app, practice, receiver, monkeypatch):
    from teleframe.operations import delivery

    assert (delivery.CONNECT_TIMEOUT, delivery.READ_TIMEOUT) == (3.0, 10.0)
    monkeypatch.setattr(delivery, "READ_TIMEOUT", 0.3)  # the same mechanism, without 10 s
    endpoint = subscribe(practice, receiver)
    emit_event(app, practice.session())
    receiver.answer(Answer(200, delay=2))
    assert run_due(app, practice.id) == [rules.RETRY]
    (listed,) = deliveries(practice, endpoint)
    (attempt,) = listed["attempts"]
    assert attempt["error"] == "TimeoutError" and attempt["latency_ms"] < 2000


def test_proxy_variables_are_ignored(app, practice, receiver, monkeypatch):
    """A proxy would connect on our behalf to whatever the name resolves to there."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://10.9.9.9:3128")
    subscribe(practice, receiver)
    emit_event(app, practice.session())
    assert run_due(app, practice.id) == [rules.SUCCEEDED]
