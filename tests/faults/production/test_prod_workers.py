"""Celery worker processes killed with messages in hand: the work is done once, and soon."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest

from tests.faults.production import scenario

pytestmark = pytest.mark.faults


def test_worker_main_process_killed(stack):
    def fault() -> None:
        main = stack.processes["worker"]
        children = stack.worker_children()
        main.send_signal(signal.SIGKILL)
        main.wait(timeout=10)
        for pid in children:  # orphans of the dead main; a supervisor's cgroup would end them
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        stack.wait_restarted("worker", main.pid)  # by the stack's supervisor

    scenario.run(
        stack, "Celery worker main process kill -9, restarted", fault, bound=30
    ).assert_held()


def test_worker_pool_child_killed(stack):
    def fault() -> None:
        for _ in range(2):
            children = stack.worker_children()
            assert children, "the prefork pool has no children"
            os.kill(children[0], signal.SIGKILL)
            time.sleep(1)

    scenario.run(stack, "Celery pool child kill -9 (twice)", fault, bound=30).assert_held()
