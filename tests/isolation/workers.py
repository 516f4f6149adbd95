"""Real Celery workers on chosen queues, as production runs them, and what beat sends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from teleframe import tasks
from tests.conftest import settings_env
from tests.processes import start_until_ready

BEAT = (
    tasks.RELAY_OUTBOX,
    tasks.DRAIN_INBOUND,
    tasks.DRAIN_EVALUATIONS,
    tasks.CHECK_DISRUPTIONS,  # settles sessions whose events went quiet
    tasks.FAN_OUT_EVENTS,
    tasks.DELIVER_DUE,
)


class Worker:
    def __init__(
        self, settings: Any, log_path: Path, kinds: tuple[str, ...], *pool: str, **env: str
    ) -> None:
        self.log_path = log_path
        queues = ",".join(tasks.queues(settings.queue, kinds))
        self.command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", queues,
                        "--without-mingle", "--without-gossip", "-l", "INFO", *pool]  # fmt: skip
        self.env = {**os.environ, **settings_env(settings), **env}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Worker:
        self.process = start_until_ready(self.command, self.env, self.log_path)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
