"""gunicorn settings: `gunicorn -c python:config.gunicorn "teleframe:create_app()"`.

Command-line flags win over these (`--bind`, `--workers`). With `PROMETHEUS_MULTIPROC_DIR` set, a
worker that exits has its live files marked dead, as prometheus_client's multiprocess mode asks.
"""

from __future__ import annotations

from typing import Any

workers = 2
threads = 4
worker_class = "gthread"
accesslog = None  # teleframe logs each request itself, as JSON with its request id


def child_exit(_server: Any, worker: Any) -> None:
    from teleframe.runtime.metrics import mark_process_dead

    mark_process_dead(worker.pid)
