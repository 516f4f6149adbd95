"""Outbound webhook delivery rules: the body, the retry schedule, what each answer means.

Plain functions over plain data; the database work is in `teleframe.operations.delivery`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from teleframe.services.moments import rfc3339

EVENT_TYPES = (
    "checkin.submitted",
    "checkin.evaluated",
    "frame.attention",
    "frame.blocked",
    "checkin.missing",
    "disruption.started",
    "disruption.resolved",
    "backup_plan.due",
    "reschedule.suggested",
    "session.ended",
    "report.ready",
    "report.signed",
)

# Standard Webhooks' example schedule: the delay before each retry (the first try is at once)
RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
MAX_RETRY_AFTER = timedelta(hours=24)
THROTTLE_CODES = frozenset({429, 502, 503, 504})
MAX_BODY_BYTES = 20 * 1024
FATAL_ERRORS = frozenset({"PayloadTooLarge"})  # retrying cannot help

SUCCEEDED = "succeeded"
RETRY = "retry"
EXHAUSTED = "exhausted"
GONE = "gone"  # the receiver answered 410: disable the endpoint


class PayloadTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class Outcome:
    """One HTTP attempt as recorded: never the response body."""

    status_code: int | None
    latency_ms: int
    error: str | None = None
    retry_after: str | None = None

    def record(self, at: datetime) -> dict[str, Any]:
        return {
            "at": at.isoformat(),
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }


@dataclass(frozen=True)
class Decision:
    result: str  # SUCCEEDED | RETRY | EXHAUSTED | GONE
    next_attempt_at: datetime | None = None


def body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    """The thin Standard Webhooks payload, serialised once so it is signed and sent as is."""
    stamp = rfc3339(occurred_at)
    payload = {"type": event_type, "timestamp": stamp, "data": data}
    encoded = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    if len(encoded) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"{len(encoded)} bytes is over the {MAX_BODY_BYTES} byte limit")
    return encoded


def retry_delay(attempts_made: int, rng: random.Random | None = None) -> timedelta:
    """The delay after the `attempts_made`-th failure, with ±20 % jitter so retries spread."""
    base = RETRY_DELAYS[min(attempts_made, len(RETRY_DELAYS)) - 1]
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return base * spread


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """RFC 9110 Retry-After: delay seconds or an HTTP date; clamped to [1 s, 24 h]."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        delay = timedelta(seconds=int(text[:9]))
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    return min(max(delay, timedelta(seconds=1)), MAX_RETRY_AFTER)


def decide(
    outcome: Outcome, attempts_made: int, now: datetime, rng: random.Random | None = None
) -> Decision:
    """What follows an attempt. 2xx only is success; 3xx is a failure (never followed)."""
    code = outcome.status_code
    if code is not None and 200 <= code < 300:
        return Decision(SUCCEEDED)
    if code == 410:
        return Decision(GONE)
    if attempts_made >= MAX_ATTEMPTS or outcome.error in FATAL_ERRORS:
        return Decision(EXHAUSTED)
    delay = retry_delay(attempts_made, rng)
    if code in THROTTLE_CODES:
        # "not before": a Retry-After shorter than the schedule would use the attempts up
        # (a day of 503 + Retry-After: 60 exhausted every delivery in under two hours)
        delay = max(delay, parse_retry_after(outcome.retry_after, now) or delay)
    return Decision(RETRY, now + delay)
