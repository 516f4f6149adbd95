"""Redis restarted under load (no persistence: every queued message is gone with it)."""

from __future__ import annotations

import time

import pytest

from tests.faults.production import scenario

pytestmark = pytest.mark.faults


def test_redis_restarted_under_load(stack):
    def fault() -> None:
        stack.redis.kill()
        time.sleep(4)
        stack.redis.start()

    scenario.run(stack, "Redis killed, down 4 s, restarted empty", fault, bound=30).assert_held()
