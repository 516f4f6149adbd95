"""The pure delivery rules: what each answer means and when the next attempt is."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from teleframe.services import delivery as rules

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def outcome(status: int | None, retry_after: str | None = None) -> rules.Outcome:
    return rules.Outcome(status, 12, None if status else "ConnectionRefusedError", retry_after)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_succeeds(status):
    assert rules.decide(outcome(status), 1, NOW).result == rules.SUCCEEDED


@pytest.mark.parametrize("status", [None, 301, 302, 307, 308, 400, 401, 404, 500, 501])
def test_everything_else_retries_on_the_schedule(status):
    decision = rules.decide(outcome(status), 1, NOW, random.Random(1))
    assert decision.result == rules.RETRY
    assert timedelta(seconds=4) <= decision.next_attempt_at - NOW <= timedelta(seconds=6)


def test_410_means_stop_and_disable():
    assert rules.decide(outcome(410), 1, NOW).result == rules.GONE


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_throttling_answers_honour_retry_after(status):
    decision = rules.decide(outcome(status, "120"), 1, NOW)
    assert decision.next_attempt_at == NOW + timedelta(seconds=120)


@pytest.mark.parametrize("status", [429, 503])
def test_a_short_retry_after_never_runs_ahead_of_the_schedule(status):
    """Otherwise a receiver saying "Retry-After: 60" for a day uses up the 10 attempts."""
    rng = random.Random(3)
    for made in range(1, rules.MAX_ATTEMPTS):
        decision = rules.decide(outcome(status, "60"), made, NOW, rng)
        assert decision.next_attempt_at - NOW >= max(
            timedelta(seconds=60), rules.RETRY_DELAYS[made - 1] * (1 - rules.JITTER)
        )


def test_retry_after_as_an_http_date():
    decision = rules.decide(outcome(503, "Tue, 01 Dec 2026 17:30:00 GMT"), 1, NOW)
    assert decision.next_attempt_at == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0", timedelta(seconds=1)),
        ("9999999999", timedelta(hours=24)),
        ("soon", None),
        ("", None),
        ("Mon, 30 Nov 2026 00:00:00 GMT", timedelta(seconds=1)),  # in the past
    ],
)
def test_retry_after_is_clamped_or_ignored(header, expected):
    assert rules.parse_retry_after(header, NOW) == expected


def test_a_500_ignores_retry_after():
    decision = rules.decide(outcome(500, "3600"), 1, NOW, random.Random(1))
    assert decision.next_attempt_at - NOW < timedelta(seconds=7)


def test_the_schedule_grows_with_jitter_and_ends_exhausted():
    rng = random.Random(7)
    delays = []
    for made in range(1, rules.MAX_ATTEMPTS):
        decision = rules.decide(outcome(500), made, NOW, rng)
        assert decision.result == rules.RETRY
        delays.append(decision.next_attempt_at - NOW)
    for delay, base in zip(delays, rules.RETRY_DELAYS, strict=True):
        assert base * 0.8 <= delay <= base * 1.2
    assert sum(rules.RETRY_DELAYS, timedelta()) == timedelta(hours=75, minutes=35, seconds=5)
    assert rules.decide(outcome(500), rules.MAX_ATTEMPTS, NOW).result == rules.EXHAUSTED
    assert rules.decide(outcome(200), rules.MAX_ATTEMPTS, NOW).result == rules.SUCCEEDED


def test_jitter_spreads_retries():
    spread = {rules.retry_delay(1, random.Random(seed)) for seed in range(20)}
    assert len(spread) > 10


def test_the_body_is_the_thin_standard_shape():
    body = rules.body("checkin.evaluated", NOW, {"session_id": "s-1", "status": "clear"})
    assert json.loads(body) == {
        "type": "checkin.evaluated",
        "timestamp": "2026-12-01T17:00:00Z",
        "data": {"session_id": "s-1", "status": "clear"},
    }


def test_a_body_over_20_kb_is_refused_and_never_retried():
    with pytest.raises(rules.PayloadTooLarge):
        rules.body("report.ready", NOW, {"padding": "x" * 21000})
    too_big = rules.Outcome(None, 0, "PayloadTooLarge")
    assert rules.decide(too_big, 1, NOW).result == rules.EXHAUSTED
