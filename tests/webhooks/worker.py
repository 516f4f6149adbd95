"""A Celery worker for webhook delivery on its own queue, and a stand-in for beat."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import redis

from teleframe import tasks
from tests.conftest import settings_env

BEAT_TASKS = ("teleframe.fan_out_events", "teleframe.deliver_due")


class WebhookWorker:
    """Runs with the test-only loopback allow-list, which the shared worker does not have."""

    def __init__(self, settings: Any, folder: Path, allow: str) -> None:
        self.settings = settings
        self.queue = f"teleframe-webhooks-{uuid.uuid4().hex[:8]}"
        self.log_path = folder / "webhook-worker.log"
        self.env = {
            **os.environ,
            **settings_env(dataclasses.replace(settings, webhook_allow_private=allow)),
            "TELEFRAME_QUEUE": self.queue,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
        command += ["--pool", "solo", "--without-mingle", "--without-gossip", "-l", "INFO"]
        with self.log_path.open("ab") as log:
            start = log.tell()
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while b"ready." not in self.log_path.read_bytes()[start:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(self.log_path.read_text()[-3000:])
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, whatever was in flight is cut off."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(self.settings.broker_url).delete(*tasks.queues(self.queue))


class Beat:
    """What `celery beat` does with the two webhook entries, at a test-friendly pace."""

    def __init__(self, celery: Any, queue: str, every: float = 0.5) -> None:
        self.celery, self.queue, self.every = celery, queue, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            for name in BEAT_TASKS:
                self.celery.send_task(name, queue=self.queue)

    def __enter__(self) -> Beat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
