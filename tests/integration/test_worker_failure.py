"""A worker killed with its check-in in hand loses nothing: the outbox relay sends it again."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import Evaluation
from tests.conftest import GOOD_CHECKIN, PracticeHandle, settings_env, wait_for

pytestmark = pytest.mark.slow


def _start_worker(settings, log_path: Path) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    env = {**os.environ, **settings_env(settings)}
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.app",
        "worker",
        "--pool",
        "solo",
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for(lambda: b"ready." in log_path.read_bytes(), timeout=60)
    return process


def test_killed_worker_then_relay(settings, make_practice, tmp_path):
    from teleframe import create_app

    own = dataclasses.replace(settings, queue=f"teleframe-kill-{uuid.uuid4().hex[:8]}")
    app = create_app(own, TESTING=True)
    practice = make_practice()
    handle = PracticeHandle(app, practice.id, practice.key)
    session = handle.session()
    first = _start_worker(own, tmp_path / "first.log")
    try:
        first.send_signal(signal.SIGSTOP)  # frozen: the message waits for it
        accepted = handle.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)  # gone without acknowledging anything
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    second = _start_worker(own, tmp_path / "second.log")
    try:
        time.sleep(own.relay_grace_seconds + 0.5)
        celery = app.extensions["celery"]
        celery.send_task("teleframe.relay_outbox", queue=own.queue)
        verdict = wait_for(
            lambda: (
                (v := handle.get(accepted["verdict_url"]).get_json())["status"] != "pending" and v
            ),
            timeout=20,
        )
        assert verdict["status"] == "clear"
        with app.app_context():
            stored = db.session.scalars(
                select(Evaluation).where(Evaluation.checkin_id == uuid.UUID(accepted["checkin_id"]))
            ).all()
        assert len(stored) == 1
    finally:
        second.terminate()
        second.wait(timeout=20)
        broker = redis.Redis.from_url(own.broker_url)
        broker.delete(own.queue)
        broker.close()
        with app.app_context():
            db.engine.dispose()  # this app's pool, closed now rather than at collection
