"""Embedded mode (`teleframe serve`: SQLite, file broker, no Celery time limits): practice B's
costly custom rule is stopped by the evaluator's own budget, fails closed, and practice A can
still create a session and get its verdict."""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VERDICT_SECONDS, wait_for
from tests.integration.http import call, init_practice, new_session, serving
from tests.policy.test_hostile_policies import HIDDEN_COST, _crowded_checkin
from tests.samples import GOOD_CHECKIN

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "teleframe.cli"]


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A running `teleframe serve` with two practices: (base URL, key of A, key of B)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEFRAME_")}
    keys = [init_practice(CLI, tmp_path, env, "--practice-name", name) for name in "AB"]
    with serving(CLI, tmp_path, env) as base:
        _warm_up(base, keys[0])
        yield base, keys[0], keys[1]


def _evaluation(base: str, key: str, frame_url: str, within: float) -> dict[str, Any]:
    sent = time.monotonic()
    while True:
        _, frame = call(base, "GET", frame_url, key)
        if frame["evaluation"] and not frame["evaluation_pending"]:
            return dict(frame["evaluation"])
        assert time.monotonic() - sent < within, f"no verdict within {within} seconds"
        time.sleep(0.05)


def _warm_up(base: str, key: str) -> None:
    """The worker starts beside the API; its first verdict says it is ready."""
    session = new_session(base, key)
    status, accepted = call(base, "POST", f"/v1/sessions/{session}/checkins", key, GOOD_CHECKIN)
    assert status == 202, accepted
    _evaluation(base, key, accepted["frame_url"], within=60.0)


def test_a_costly_rule_in_embedded_mode_fails_closed_without_stalling_others(embedded):
    base, key_a, key_b = embedded
    rule = {"id": "costly", "expression": HIDDEN_COST, "message": "Please check with us."}
    status, saved = call(base, "PUT", "/v1/policy", key_b, {"custom_rules": [rule]})
    assert status == 200, saved
    session_b = new_session(base, key_b)
    status, accepted_b = call(
        base, "POST", f"/v1/sessions/{session_b}/checkins", key_b, _crowded_checkin()
    )
    assert status == 202, accepted_b
    session_a = new_session(base, key_a)  # the API is not held up by B's evaluation
    status, accepted_a = call(
        base, "POST", f"/v1/sessions/{session_a}/checkins", key_a, GOOD_CHECKIN
    )
    assert status == 202, accepted_a
    verdict_a = _evaluation(base, key_a, accepted_a["frame_url"], within=VERDICT_SECONDS)
    assert verdict_a["status"] in {"clear", "attention"}
    verdict_b = _evaluation(base, key_b, accepted_b["frame_url"], within=30.0)
    assert verdict_b["status"] == "blocked"
    assert "CUSTOM_RULE_ERROR" in {f["code"] for f in verdict_b["findings"]}


def test_embedded_metrics_show_the_worker_without_configuration(embedded):
    """`teleframe serve` sets up the multiprocess directory itself: the warm-up check-in's
    verdict and task, counted in the worker child, are in the API's /metrics."""
    from tests.metrics.scrape import families, value

    base = embedded[0]

    def scraped() -> Any:
        with urllib.request.urlopen(base + "/metrics", timeout=5) as answer:
            return families(answer.read().decode())

    # a task is counted when it ends, and a drain goes on while check-ins keep arriving (the
    # test before this one sent some): wait for it rather than read once
    evaluated = {"task": "teleframe.evaluate_checkin", "outcome": "success"}
    wait_for(
        lambda: value(scraped(), "teleframe_tasks_total", **evaluated) >= 1,
        timeout=30,
        interval=0.2,
    )
    parsed = scraped()
    assert value(parsed, "teleframe_checkin_verdict_seconds_count") >= 1
    checkins = {"route": "/v1/sessions/<uuid:session_id>/checkins", "status": "202"}
    assert value(parsed, "teleframe_http_request_duration_seconds_count", **checkins) >= 1
