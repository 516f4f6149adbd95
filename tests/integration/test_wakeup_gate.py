"""One broker wake-up per batch: a burst of check-ins publishes one evaluation message until a
worker starts draining, and every check-in is still staged for that drain."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import func, select

from teleframe import tasks
from teleframe.db import wakeup
from teleframe.extensions import db
from teleframe.models import OutboxMessage
from tests.conftest import PracticeHandle
from tests.samples import GOOD_CHECKIN


def test_a_burst_publishes_one_wake_up_until_the_worker_rearms(
    make_practice, settings, monkeypatch
):
    from teleframe import create_app

    monkeypatch.setattr(wakeup, "GATE_MS", 60_000)  # no expiry during the test: order, not time
    private = dataclasses.replace(settings, queue=f"teleframe-gate-{uuid.uuid4().hex[:8]}")
    api = create_app(private, TESTING=True)
    owner = make_practice()
    practice = PracticeHandle(api, owner.id, owner.key)
    path = f"/v1/sessions/{practice.session()}/checkins"
    celery = api.extensions["celery"]
    sent: list[str] = []
    monkeypatch.setattr(celery, "send_task", lambda name, *a, **k: sent.append(name))
    try:
        for _ in range(5):
            assert practice.post(path, GOOD_CHECKIN).status_code == 202
        assert sent.count(tasks.EVALUATE_CHECKIN) == 1  # the other four ride on that wake-up

        wakeup.rearm(celery.conf, tasks.EVALUATE_CHECKIN)  # a worker begins its claim
        assert practice.post(path, GOOD_CHECKIN).status_code == 202
        assert sent.count(tasks.EVALUATE_CHECKIN) == 2  # committed after the claim: woken again

        with api.app_context():
            staged = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.practice_id == owner.id,
                    OutboxMessage.task == tasks.EVALUATE_CHECKIN,
                    OutboxMessage.done_at.is_(None),
                )
            )
        assert staged == 6  # every check-in waits for the drain, published or not
    finally:
        wakeup.rearm(celery.conf, tasks.EVALUATE_CHECKIN)
        with api.app_context():
            db.engine.dispose()


def test_a_drain_that_runs_out_of_rounds_queues_its_sequel(make_practice, settings, monkeypatch):
    """Rows left after a drain's bounded rounds were gated by its wake-up: the drain itself
    must queue the next one, or they would wait for beat's sweep."""
    from teleframe import create_app
    from workers.tasks import checkin as checkin_tasks

    private = dataclasses.replace(settings, queue=f"teleframe-gate-{uuid.uuid4().hex[:8]}")
    api = create_app(private, TESTING=True)
    owner = make_practice()
    practice = PracticeHandle(api, owner.id, owner.key)
    path = f"/v1/sessions/{practice.session()}/checkins"
    celery = api.extensions["celery"]
    sent: list[str] = []
    monkeypatch.setattr(celery, "send_task", lambda name, *a, **k: sent.append(name))
    try:
        for _ in range(3):
            assert practice.post(path, GOOD_CHECKIN).status_code == 202
        monkeypatch.setattr(checkin_tasks, "DRAIN_ROUNDS", 1)
        monkeypatch.setattr(checkin_tasks, "BATCH", 1)  # a full round: there may be more
        with api.app_context():
            assert checkin_tasks._drain(first=None) >= 1
        assert sent[-1] == tasks.DRAIN_EVALUATIONS

        # rounds that end short of a full batch: everything waiting is done, no sequel
        monkeypatch.setattr(checkin_tasks, "BATCH", 50)
        monkeypatch.setattr(checkin_tasks, "DRAIN_ROUNDS", 20)
        sent.clear()
        with api.app_context():
            checkin_tasks._drain(first=None)
            left = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.practice_id == owner.id, OutboxMessage.done_at.is_(None))
            )
        assert left == 0
        assert tasks.DRAIN_EVALUATIONS not in sent
    finally:
        wakeup.rearm(celery.conf, tasks.EVALUATE_CHECKIN)
        with api.app_context():
            db.engine.dispose()
