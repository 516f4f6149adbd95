"""PostgreSQL stopped or frozen under load: 503 with Retry-After meanwhile, nothing lost after."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from tests.faults.production import scenario

pytestmark = pytest.mark.faults


def test_postgres_stopped_then_started(stack):
    def fault() -> None:
        stack.pg.stop_immediately()
        time.sleep(5)
        stack.pg.start()

    scenario.run(
        stack, "PostgreSQL stopped 5 s (immediate), started", fault, bound=30
    ).assert_held()


def test_postgres_frozen_then_thawed(stack):
    answers: list[tuple[int, float, str | None]] = []

    def fault() -> None:
        frozen = stack.pg.freeze()
        thaw_at = time.monotonic() + 10
        try:
            time.sleep(1)
            # an unbounded wait would last until the thaw and then say 200
            answers.append(_health(stack.base))
            time.sleep(max(0.0, thaw_at - time.monotonic()))
        finally:
            stack.pg.thaw(frozen)

    outcome = scenario.run(stack, "PostgreSQL frozen 10 s (SIGSTOP), thawed", fault, bound=30)
    outcome.assert_held()
    status, _, retry_after = answers[0]
    assert status == 503 and retry_after, answers


def _health(base: str) -> tuple[int, float, str | None]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
            return response.status, time.monotonic() - started, None
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.headers.get("Retry-After")
