"""The services a run starts and stops: a scratch database, Redis keys, gunicorn and Celery.

Every process is started in a session of its own and stopped by that process group's id, so a
run never touches processes it did not start, also on error or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from celery import Celery

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TELEFRAME_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TELEFRAME_BENCH_REDIS", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Shape:
    """The one process shape both the floor and teleframe run with."""

    gunicorn_workers: int = 2
    gunicorn_threads: int = 4
    celery_concurrency: int = 2

    def gunicorn_args(self) -> list[str]:
        return [
            "--workers", str(self.gunicorn_workers),
            "--threads", str(self.gunicorn_threads),
            "--worker-class", "gthread",
            "--keep-alive", "30",
            "--backlog", "2048",
            "--log-level", "warning",
        ]  # fmt: skip

    def celery_args(self) -> list[str]:
        return [
            "--pool", "prefork",
            "--concurrency", str(self.celery_concurrency),
            "--without-mingle", "--without-gossip",
            "--loglevel", "WARNING",
        ]  # fmt: skip

    def describe(self) -> str:
        return (
            f"gunicorn gthread {self.gunicorn_workers} workers x {self.gunicorn_threads} threads; "
            f"celery prefork concurrency {self.celery_concurrency}, prefetch 1, acks_late"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def scratch_database(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A fresh database for the run, dropped at the end; yields its SQLAlchemy URL."""
    name = f"teleframe_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def plain_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")


@contextlib.contextmanager
def redis_keys(url: str = REDIS_URL) -> Iterator[list[str]]:
    """Keys the run adds to (queues, counters); deleted at the end."""
    keys: list[str] = []
    try:
        yield keys
    finally:
        with contextlib.suppress(redis.RedisError):
            client = redis.Redis.from_url(url)
            for key in keys:
                client.delete(key, f"_kombu.binding.{key}", f"_kombu.binding_permanent.{key}")
                # what teleframe keeps under a queue's name: heartbeats, wake-up flags
                for kept in client.scan_iter(match=f"teleframe:{key}:*"):
                    client.delete(kept)


@dataclass
class Started:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@dataclass
class Processes:
    """Processes started by this run; `stop_all` ends each by its own process group id."""

    log_dir: Path
    started: list[Started] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Started:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        item = Started(name, process, log_path)
        self.started.append(item)
        return item

    def stop(self, item: Started, timeout: float = 15.0) -> None:
        if item.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(item.process.pid, signal.SIGTERM)
            try:
                item.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(item.process.pid, signal.SIGKILL)
                item.process.wait(timeout=5)
        if item in self.started:
            self.started.remove(item)

    def stop_all(self) -> None:
        for item in reversed(list(self.started)):
            self.stop(item)


def gunicorn(
    procs: Processes, name: str, target: str, port: int, shape: Shape, env: dict[str, str]
) -> Started:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        *shape.gunicorn_args(),
        target,
    ]
    item = procs.start(name, command, env)
    wait_http(item, f"http://127.0.0.1:{port}/healthz")
    return item


def celery_worker(
    procs: Processes,
    name: str,
    app: str,
    queues: str,
    broker: str,
    shape: Shape,
    env: dict[str, str],
) -> Started:
    hostname = f"{name}-{uuid.uuid4().hex[:6]}@bench"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "-Q",
        queues,
        "-n",
        hostname,
        *shape.celery_args(),
    ]
    item = procs.start(name, command, env)
    wait_worker(item, broker, hostname)
    return item


def wait_http(item: Started, url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback http)
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            return  # listening: /healthz says 503 until a worker and beat beat
        except OSError:
            pass
        if item.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{item.name} did not start:\n{item.tail()}")
        time.sleep(0.2)


def wait_worker(item: Started, broker: str, hostname: str, timeout: float = 60.0) -> None:
    """Ready when the worker answers a remote-control ping addressed to it alone."""
    control = Celery(broker=broker)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if control.control.ping(destination=[hostname], timeout=0.5):
                return
            if item.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{item.name} did not start:\n{item.tail()}")
    finally:
        control.close()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the process's peak resident set size."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def memory(item: Started) -> dict[str, float | None]:
    """Peak RSS of the master/main process and of its largest child (the actual worker)."""
    kids = [peak_rss_mb(pid) for pid in children(item.process.pid)]
    kids_known = [k for k in kids if k is not None]
    return {
        "main_mb": peak_rss_mb(item.process.pid),
        "child_max_mb": max(kids_known) if kids_known else None,
        "children": len(kids_known),
    }
