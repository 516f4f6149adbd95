"""A worker killed with its check-in in hand loses nothing: the outbox relay sends it again."""

from __future__ import annotations

import dataclasses
import signal
import time
import uuid

import pytest
import redis
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import Evaluation
from tests.conftest import PracticeHandle, start_worker, wait_for
from tests.samples import GOOD_CHECKIN

pytestmark = pytest.mark.slow


def test_killed_worker_then_relay(settings, make_practice, tmp_path):
    from teleframe import create_app

    own = dataclasses.replace(settings, queue=f"teleframe-kill-{uuid.uuid4().hex[:8]}")
    app = create_app(own, TESTING=True)
    practice = make_practice()
    handle = PracticeHandle(app, practice.id, practice.key)
    session = handle.session()
    first = start_worker(own, tmp_path / "first.log")
    try:
        first.send_signal(signal.SIGSTOP)  # frozen: the message waits for it
        accepted = handle.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)  # gone without acknowledging anything
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    second = start_worker(own, tmp_path / "second.log")
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
