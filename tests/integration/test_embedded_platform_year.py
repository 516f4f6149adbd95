"""A year of a platform engineer's work on the embedded default (`teleframe serve`), through
HTTP only: keys issued, revoked and rotated, a webhook endpoint rotated, paused and read to the
end of its deliveries, an integration rotated and switched off, retention set, the audit trail
read, a verdict waited for in one request, /metrics scraped and the JSON logs read."""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from standardwebhooks import Webhook

from tests.conftest import wait_for
from tests.faults.embedded import Embedded, Ledger
from tests.integration.http import call, exchange
from tests.links import next_link
from tests.metrics.scrape import FAMILIES, families
from tests.samples import GOOD_CHECKIN
from tests.services.providers import signing
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Embedded]:
    instance = Embedded(
        tmp_path,
        TELEFRAME_WEBHOOK_ALLOW_PRIVATE="127.0.0.1/32",
        TELEFRAME_LOG_FORMAT="json",
    )
    instance.serve()
    yield instance
    instance.stop()


def _walk(base: str, key: str, path: str) -> list[dict[str, Any]]:
    """Every item of a list route, following `Link: rel="next"` as given."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        status, headers, page = exchange(base, "GET", path, key)
        assert status == 200, page
        items += page
        pages += 1
        following = next_link(headers)
        if following is None:
            return items
        target = urlsplit(following)
        path = target.path + "?" + target.query
        assert pages < 100


def _keys(base: str, admin: str) -> str:
    """Issue, revoke and rotate keys; returns the admin key to go on with."""
    status, second = call(base, "POST", "/v1/api-keys", admin, {"label": "EHR", "role": "platform"})
    assert status == 201, second
    assert call(base, "GET", "/v1/sessions?date=2026-12-01", second["key"])[0] == 200
    assert call(base, "DELETE", f"/v1/api-keys/{second['id']}", admin)[0] == 204
    assert call(base, "GET", "/v1/sessions?date=2026-12-01", second["key"])[0] == 401
    status, ops = call(base, "POST", "/v1/api-keys", admin, {"label": "ops", "role": "admin"})
    assert status == 201, ops
    status, rotated = call(base, "POST", f"/v1/api-keys/{ops['id']}/rotate", admin)
    assert status == 200, rotated
    assert rotated["id"] == ops["id"] and rotated["key"] != ops["key"]
    assert call(base, "GET", "/v1/api-keys", ops["key"])[0] == 401
    status, listed = call(base, "GET", "/v1/api-keys", rotated["key"])
    assert status == 200 and {k["id"] for k in listed} >= {ops["id"], second["id"]}
    return str(rotated["key"])


def _checkin(ledger: Ledger) -> tuple[str, str]:
    session = ledger.sessions[0]
    status, accepted = ledger._call("POST", f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    assert status == 202, accepted
    return str(accepted["checkin_id"]), str(accepted["verdict_url"])


def _endpoint(base: str, key: str, receiver: Receiver, ledger: Ledger) -> str:
    body = {"url": receiver.url, "event_types": ["checkin.evaluated"], "description": "EHR"}
    status, endpoint = call(base, "POST", "/v1/webhook-endpoints", key, body)
    assert status == 201, endpoint
    old = endpoint["secret"]
    status, rotated = call(
        base, "POST", f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", key
    )
    assert status == 200, rotated
    new = rotated["secret"]
    assert new.startswith("whsec_") and new != old and rotated["previous_secret_expires_at"]
    checkin_id, _ = _checkin(ledger)
    wait_for(lambda: _delivered(receiver, checkin_id), timeout=30)
    headers, body = _delivered(receiver, checkin_id)
    for secret in (old, new):  # the overlap: both signatures verify
        assert Webhook(secret).verify(body, headers)["data"]["checkin_id"] == checkin_id
    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    status, paused = call(base, "PATCH", path, key, {"enabled": False})
    assert status == 200 and paused["enabled"] is False and paused["disabled_at"], paused
    status, resumed = call(base, "PATCH", path, key, {"enabled": True, "description": "EHR 2"})
    assert status == 200 and resumed["enabled"] is True and resumed["disabled_at"] is None, resumed
    assert resumed["description"] == "EHR 2"
    assert endpoint["id"] in {e["id"] for e in _walk(base, key, "/v1/webhook-endpoints?limit=1")}
    return str(endpoint["id"])


def _delivered(receiver: Receiver, checkin_id: str) -> tuple[dict[str, str], bytes] | None:
    for item in list(receiver.received):
        if json.loads(item.body)["data"].get("checkin_id") == checkin_id:
            return item.headers, item.body
    return None


def _deliveries(base: str, key: str, endpoint: str, ledger: Ledger, receiver: Receiver) -> None:
    sent = [_checkin(ledger)[0] for _ in range(4)]
    wait_for(lambda: all(_delivered(receiver, c) for c in sent), timeout=40)
    walked = _walk(base, key, f"/v1/webhook-endpoints/{endpoint}/deliveries?limit=2")
    assert len(walked) == len({d["id"] for d in walked}) >= 5  # no repeats, nothing missing
    assert all(d["status"] == "succeeded" for d in walked), walked


def _integration(base: str, key: str) -> None:
    status, made = call(base, "POST", "/v1/integrations", key, {"provider": "standard"})
    assert status == 201, made
    old = made["secret"]
    path = f"/v1/integrations/{made['id']}"
    status, rotated = call(base, "POST", f"{path}/rotate-secret", key, {})
    assert status == 200, rotated
    new = rotated["secret"]
    hook = urlsplit(made["hook_url"]).path
    for secret in (old, new):
        assert _hook(base, hook, secret) == 200
    assert call(base, "PATCH", path, key, {"enabled": False})[0] == 200
    assert _hook(base, hook, new) == 410
    assert made["id"] in {i["id"] for i in _walk(base, key, "/v1/integrations?limit=1")}


def _hook(base: str, path: str, secret: str) -> int:
    body = (signing.FIXTURES / "standard" / "participant_left.json").read_bytes()
    signed = signing.standard(
        body, secret=secret, timestamp=int(time.time()), msg_id=uuid.uuid4().hex
    )
    request = urllib.request.Request(base + path, data=body, headers=signed.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _practice_and_audit(base: str, key: str) -> None:
    status, practice = call(base, "PATCH", "/v1/practice", key, {"retention_years": 10})
    assert status == 200 and practice["retention_years"] == 10, practice
    assert call(base, "PATCH", "/v1/practice", key, {"retention_years": 3})[0] == 422
    events = _walk(base, key, "/v1/audit-events?action=rotate&actor=api_key&limit=1")
    assert {e["resource_type"] for e in events} >= {"api_key", "webhook_endpoint", "integration"}
    assert all(e["action"] == "rotate" and e["actor_type"] == "api_key" for e in events)


def _wait_for_verdict(base: str, key: str, ledger: Ledger) -> None:
    _, verdict_url = _checkin(ledger)
    status, headers, verdict = exchange(
        base, "GET", verdict_url, key, timeout=15, headers={"Prefer": "wait=10"}
    )
    assert status == 200 and verdict["status"] in {"clear", "attention"}, verdict
    assert headers["Preference-Applied"] == "wait=10"


def _metrics(base: str) -> None:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
        assert answer.headers["Content-Type"].count("charset") == 1
        parsed = families(answer.read().decode())
    assert set(FAMILIES) <= set(parsed), sorted(set(FAMILIES) - set(parsed))
    delivered = [
        s for s in parsed["teleframe_deliveries"].samples if s.labels["outcome"] == "succeeded"
    ]
    assert sum(s.value for s in delivered if s.name.endswith("_total")) >= 5
    hooks = parsed["teleframe_inbound_hooks"].samples
    assert any(
        s.labels == {"provider": "standard", "outcome": "accepted"} and s.value >= 2 for s in hooks
    )


def _logs(instance: Embedded) -> None:
    text = (instance.folder / f"serve-{instance.starts}.log").read_text()
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("event") == "request"]
    assert len(requests) >= 30
    for record in requests:
        assert record["request_id"] and record["route"] and isinstance(record["status"], int)
    keyed = [r for r in requests if r["route"].startswith("/v1/") and r["status"] != 401]
    assert keyed and all(r["practice_id"] for r in keyed)
    assert sum(r["status"] == 401 and "practice_id" not in r for r in requests) == 2  # refused
    assert any(r["status"] == 410 and r["route"].startswith("/hooks/") for r in requests)
    assert not re.search(r"tf_[A-Za-z0-9]{40}|whsec_", text)  # no key or secret, anywhere


def test_a_year_of_platform_operations_on_teleframe_serve(served: Embedded, receiver: Receiver):
    base = served.base
    admin = _keys(base, served.key)
    served.key = admin  # the ledger's calls go on with the rotated admin key
    ledger = Ledger(served, sessions=1)
    endpoint = _endpoint(base, admin, receiver, ledger)
    _deliveries(base, admin, endpoint, ledger, receiver)
    _integration(base, admin)
    _practice_and_audit(base, admin)
    _wait_for_verdict(base, admin, ledger)
    _metrics(base)
    _logs(served)
