"""Worker logs and metrics: JSON lines carrying the task's name and id, and tasks counted by
name and outcome (into the multiprocess directory the API's /metrics reads, see README)."""

from __future__ import annotations

import os
from typing import Any

import structlog
from celery import signals

from config.settings import Settings
from teleframe.runtime import logs, metrics


def _bind(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    structlog.contextvars.bind_contextvars(task_name=getattr(task, "name", None), task_id=task_id)


def _unbind(**_: Any) -> None:
    structlog.contextvars.unbind_contextvars("task_name", "task_id")


def _counter(outcome: str) -> Any:
    def count(sender: Any = None, **_: Any) -> None:
        name = getattr(sender, "name", None) or "unknown"
        metrics.TASKS.labels(task=name, outcome=outcome).inc()

    return count


def _process_gone(**_: Any) -> None:
    metrics.mark_process_dead(os.getpid())


def connect(settings: Settings) -> None:
    """Celery keeps receivers by weak reference: these stay referenced (weak=False)."""

    def setup_logging(loglevel: Any = None, **_: Any) -> None:
        # connected at all, this replaces Celery's own logging set-up with ours
        logs.configure(settings.log_format, loglevel or settings.log_level)

    signals.setup_logging.connect(setup_logging, weak=False)
    signals.task_prerun.connect(_bind, weak=False)
    signals.task_postrun.connect(_unbind, weak=False)
    signals.task_success.connect(_counter("success"), weak=False)
    signals.task_failure.connect(_counter("failure"), weak=False)
    signals.task_retry.connect(_counter("retry"), weak=False)
    signals.worker_process_shutdown.connect(_process_gone, weak=False)
