"""gunicorn settings: `gunicorn -c python:config.gunicorn "teleframe:create_app()"`.

Command-line flags win over these (`--bind`, `--workers`). gunicorn's own lines (booting,
worker timeouts) go through teleframe's log processors too, as JSON unless
TELEFRAME_LOG_FORMAT says otherwise. With `PROMETHEUS_MULTIPROC_DIR` set, a worker that exits
is marked dead, as prometheus_client's multiprocess mode asks.
"""

from __future__ import annotations

import logging
import os
from typing import Any

workers = 2
threads = 4
worker_class = "gthread"
accesslog = None  # teleframe logs each request itself, as JSON with its request id


def on_starting(server: Any) -> None:
    from teleframe.runtime import logs

    logs.configure(os.environ.get("TELEFRAME_LOG_FORMAT") or "json", server.log.loglevel)
    gunicorn_errors = logging.getLogger("gunicorn.error")
    gunicorn_errors.handlers.clear()  # its plain-text handler; the root's writes JSON
    gunicorn_errors.propagate = True


on_reload = on_starting  # a reload sets gunicorn's logging up again


def child_exit(_server: Any, worker: Any) -> None:
    from teleframe.runtime.metrics import mark_process_dead

    mark_process_dead(worker.pid)
