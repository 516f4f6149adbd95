"""A Celery worker for webhook delivery on its own queue, and what beat sends for it."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import redis

from teleframe import tasks
from tests.conftest import settings_env
from tests.processes import start_until_ready

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
        self.process = start_until_ready(command, self.env, self.log_path)

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
