"""`teleframe serve`: the API, with its broker, worker and beat as supervised children.

Order: private data dir, broker (embedded), migrations, port bound, worker and beat, then
wait until a worker is consuming before the API answers, so the first check-in's verdict
does not wait for a worker still starting. SIGTERM and SIGINT stop every child.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from config.settings import Settings, load_settings
from teleframe import migrations, tasks
from teleframe.runtime import broker, heartbeat
from teleframe.runtime.data_dir import PRIVATE_UMASK, make_private
from teleframe.runtime.supervisor import Child, GaveUp, Supervisor

READY_TIMEOUT_SECONDS = 90.0
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # runtime.metrics.MULTIPROC_ENV, not imported yet
CELERY = [sys.executable, "-m", "celery", "-A", "workers.app"]


class NotReady(Exception):
    """The worker never started consuming."""


def worker_command(settings: Settings) -> list[str]:
    """One worker for every kind of work: the embedded default has no queue to spare."""
    return [
        *CELERY, "worker", "--pool", "solo", "--without-mingle", "--without-gossip",
        "--loglevel", "INFO", "-Q", ",".join(tasks.queues(settings.queue)),
    ]  # fmt: skip


def beat_command(settings: Settings) -> list[str]:
    pidfile = str(settings.data_dir / "beat.pid")
    return [*CELERY, "beat", "--loglevel", "INFO", "--pidfile", pidfile]


def run(host: str, port: int, threads: int, say: Callable[[str], None]) -> int:
    """Serve until SIGTERM or SIGINT (0), or until a child cannot be kept up (1)."""
    from waitress import create_server

    from teleframe import create_app

    os.umask(PRIVATE_UMASK)
    settings = load_settings()
    if not os.environ.get("TELEFRAME_VERDICT_WAITERS"):  # half the threads may wait
        settings = dataclasses.replace(settings, verdict_waiters=max(1, threads // 2))
    make_private(settings.data_dir, create=settings.embedded)
    _share_metrics(settings)
    stopping = _stop_on_signals()
    env = {**os.environ, "TELEFRAME_DATA_DIR": str(settings.data_dir)}
    supervisor = Supervisor(say)
    try:
        if settings.embedded:
            supervisor.start(Child("broker", broker.server_command(settings), env))
            if not broker.wait_until_up(settings):
                raise GaveUp("the embedded broker did not start; its log is above")
        migrations.upgrade(settings.database_url)
        server = create_server(create_app(settings), host=host, port=port, threads=threads)
        supervisor.start(Child("worker", worker_command(settings), env))
        supervisor.start(Child("beat", beat_command(settings), env))
        _wait_for_worker(settings, supervisor, stopping)
        make_private(settings.data_dir, create=settings.embedded)
        threading.Thread(target=server.run, name="http", daemon=True).start()
        say(f"teleframe on http://{host}:{port} (data in {settings.data_dir})")
        while not stopping.wait(0.2):
            supervisor.poll()
        say("stopping")
        return 0
    except (GaveUp, NotReady) as error:
        say(f"teleframe: {error}")
        return 1
    finally:
        supervisor.stop()


def _share_metrics(settings: Settings) -> None:
    """Without configuration the API, its worker and beat count into one directory, so one
    /metrics shows them all. Set before prometheus_client is imported here (it chooses its
    mode at import); emptied at each start, as after any restart counters begin again."""
    if os.environ.get(METRICS_DIR_ENV):
        return
    folder = settings.data_dir / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    os.environ[METRICS_DIR_ENV] = str(folder)


def _stop_on_signals() -> threading.Event:
    stopping = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stopping


def _wait_for_worker(settings: Settings, supervisor: Supervisor, stopping: threading.Event) -> None:
    client = heartbeat.client(settings.broker_url)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    try:
        while not stopping.is_set():
            supervisor.poll()
            if _consuming(client, settings.queue):
                return
            if time.monotonic() > deadline:
                raise NotReady(f"no worker consuming after {READY_TIMEOUT_SECONDS:.0f} s")
            time.sleep(0.05)
    finally:
        client.close()


def _consuming(client: redis.Redis, queue: str) -> bool:
    try:
        return heartbeat.workers(client, queue)[0] > 0
    except redis.RedisError:
        return False
