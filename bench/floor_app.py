"""The floor: what Flask, gunicorn and Celery cost with no teleframe code at all.

    gunicorn "bench.floor_app:create_app()"        # the API
    celery -A bench.floor_worker worker            # the no-op worker

`POST /v1/sessions/<id>/checkins` parses the same JSON body teleframe gets and publishes one
no-op task per request (ids only, as teleframe does); the task INCRs a Redis counter so the
harness can tell when the queue is drained. `POST /hooks-floor/<id>` does one database insert,
the floor for hook ingest. Configuration comes from BENCH_FLOOR_* variables.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import redis
from celery import Celery
from flask import Flask, abort, request
from sqlalchemy import create_engine, text

NOOP_TASK = "bench.floor_noop"
HOOK_TABLE = "bench_hook_floor"


def celery_config(broker: str, queue: str) -> dict[str, Any]:
    """The Celery settings teleframe's own `celery_config` uses for Redis, minus its imports."""
    return {
        "broker_url": broker,
        "task_default_queue": queue,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_time_limit": 120,
        "task_soft_time_limit": 90,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "broker_transport_options": {"visibility_timeout": 1800},
    }


def make_celery() -> Celery:
    celery = Celery("bench_floor")
    celery.config_from_object(
        celery_config(os.environ["BENCH_FLOOR_BROKER"], os.environ["BENCH_FLOOR_QUEUE"])
    )
    counter_key = os.environ["BENCH_FLOOR_COUNTER"]
    counter: dict[str, redis.Redis] = {}

    @celery.task(name=NOOP_TASK)
    def floor_noop(item_id: str) -> None:
        if "client" not in counter:  # one connection per pool process, made after fork
            counter["client"] = redis.Redis.from_url(os.environ["BENCH_FLOOR_BROKER"])
        counter["client"].incr(counter_key)

    return celery


def create_app() -> Flask:
    app = Flask(__name__)
    celery = make_celery()
    engine = create_engine(os.environ["BENCH_FLOOR_DATABASE_URL"], pool_pre_ping=True)
    insert = text(f"INSERT INTO {HOOK_TABLE} (id, body) VALUES (:id, :body)")  # noqa: S608

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/sessions/<uuid:session_id>/checkins")
    def checkin(session_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400)
        item_id = str(uuid.uuid4())
        celery.send_task(NOOP_TASK, args=[item_id], task_id=item_id)
        return {"checkin_id": item_id, "session_id": str(session_id), "status": "pending"}, 202

    @app.post("/hooks-floor/<integration_id>")
    def hook(integration_id: str) -> tuple[str, int]:
        body = request.get_data()
        with engine.begin() as connection:
            connection.execute(insert, {"id": uuid.uuid4(), "body": body.decode()})
        return "", 204

    return app


def create_hook_table(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {HOOK_TABLE} (id uuid PRIMARY KEY, body text NOT NULL)"
            )
        )
    engine.dispose()
