"""Processes the integration tests start: a Celery worker waited for until it is ready, and a
stand-in for beat that sends chosen tasks at a chosen pace."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def start_until_ready(command: list[str], env: dict[str, str], log_path: Path) -> Any:
    """Start `command` (a Celery worker) with its output appended to `log_path`, and return it
    once it says `ready.`; fails with the log's tail if it exits or takes over 60 s."""
    with log_path.open("ab") as log:
        start = log.tell()
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes()[start:]:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(log_path.read_text()[-3000:])
        time.sleep(0.1)
    return process


class Beat:
    """What `celery beat` sends: `names` every `every` seconds, to `queue` or each task's own.

    Real beat sends these every 2 to 15 s; sending faster than a busy machine's solo worker
    drains them only builds a queue in front of the work under test."""

    def __init__(
        self, celery: Any, names: Iterable[str], every: float = 2.0, queue: str | None = None
    ) -> None:
        self.celery, self.names, self.every, self.queue = celery, tuple(names), every, queue
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            for name in self.names:
                self.celery.send_task(name, queue=self.queue)

    def __enter__(self) -> Beat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
