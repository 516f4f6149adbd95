"""A consuming worker says so every few seconds, and asks the relay to re-send what a dead
worker may have held as soon as it starts consuming."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from typing import Any

import redis
from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from teleframe import tasks
from teleframe.runtime import heartbeat

log = logging.getLogger(__name__)
_stop = threading.Event()


def _name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _beat_forever(app: Celery) -> None:
    broker = heartbeat.client(app.conf.broker_url)
    queue = app.conf.task_default_queue
    while True:
        try:
            heartbeat.worker_alive(broker, queue, _name())
        except redis.RedisError:
            log.warning("worker heartbeat not written: broker unreachable")
        if _stop.wait(heartbeat.INTERVAL_SECONDS):
            break
    with contextlib.suppress(redis.RedisError):  # else it ages out
        heartbeat.worker_gone(broker, queue, _name())


@worker_ready.connect
def _start(sender: Any = None, **_: Any) -> None:
    app: Celery = sender.app
    threading.Thread(target=_beat_forever, args=(app,), name="heartbeat", daemon=True).start()
    app.send_task(tasks.RELAY_OUTBOX, kwargs={"after_worker_start": True})


@worker_shutdown.connect
def _stop_beating(**_: Any) -> None:
    _stop.set()
