"""Real Celery workers on chosen queues, as production runs them, and a stand-in for beat."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from teleframe import tasks
from tests.conftest import settings_env

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
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while b"ready." not in self.log_path.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(self.log_path.read_text()[-3000:])
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class Beat:
    """What `celery beat` sends, every `every` seconds, routed to each task's queue.

    Real beat sends these every 2 to 15 s; sending faster than a busy machine's solo worker
    drains them only builds a queue in front of the work under test."""

    def __init__(self, celery: Any, every: float = 2.0) -> None:
        self.celery, self.every = celery, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            for name in BEAT:
                self.celery.send_task(name)

    def __enter__(self) -> Beat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
