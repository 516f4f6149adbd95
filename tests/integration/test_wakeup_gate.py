"""One broker wake-up per batch: a burst of check-ins publishes one evaluation message until a
worker starts draining, and every check-in is still staged for that drain."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from teleframe import tasks
from teleframe.db import wakeup
from teleframe.extensions import db
from teleframe.models import OutboxMessage
from tests.conftest import PracticeHandle
from tests.samples import GOOD_CHECKIN


@dataclasses.dataclass
class Gated:
    """An API on queues of its own whose broker publishes are recorded, not sent."""

    api: Flask
    practice: PracticeHandle
    path: str
    celery: Any
    sent: list[str]

    def waiting(self, **only: Any) -> int:
        """The practice's staged rows not yet done (optionally of one task)."""
        where = [OutboxMessage.practice_id == self.practice.id, OutboxMessage.done_at.is_(None)]
        if "task" in only:
            where.append(OutboxMessage.task == only["task"])
        with self.api.app_context():
            count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))
        return int(count or 0)


@pytest.fixture
def gated(make_practice, settings, monkeypatch) -> Iterator[Gated]:  # type: ignore[no-untyped-def]
    from teleframe import create_app

    private = dataclasses.replace(settings, queue=f"teleframe-gate-{uuid.uuid4().hex[:8]}")
    api = create_app(private, TESTING=True)
    owner = make_practice()
    practice = PracticeHandle(api, owner.id, owner.key)
    celery = api.extensions["celery"]
    sent: list[str] = []
    monkeypatch.setattr(celery, "send_task", lambda name, *a, **k: sent.append(name))
    try:
        yield Gated(api, practice, f"/v1/sessions/{practice.session()}/checkins", celery, sent)
    finally:
        wakeup.rearm(celery.conf, tasks.EVALUATE_CHECKIN)
        with api.app_context():
            db.engine.dispose()


def test_a_burst_publishes_one_wake_up_until_the_worker_rearms(gated, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(wakeup, "GATE_MS", 60_000)  # no expiry during the test: order, not time
    for _ in range(5):
        assert gated.practice.post(gated.path, GOOD_CHECKIN).status_code == 202
    assert gated.sent.count(tasks.EVALUATE_CHECKIN) == 1  # the other four ride on that wake-up

    wakeup.rearm(gated.celery.conf, tasks.EVALUATE_CHECKIN)  # a worker begins its claim
    assert gated.practice.post(gated.path, GOOD_CHECKIN).status_code == 202
    assert gated.sent.count(tasks.EVALUATE_CHECKIN) == 2  # committed after the claim: woken again

    # every check-in waits for the drain, published or not
    assert gated.waiting(task=tasks.EVALUATE_CHECKIN) == 6


def test_a_drain_that_runs_out_of_rounds_queues_its_sequel(gated, monkeypatch):  # type: ignore[no-untyped-def]
    """Rows left after a drain's bounded rounds were gated by its wake-up: the drain itself
    must queue the next one, or they would wait for beat's sweep."""
    from workers.tasks import checkin as checkin_tasks

    for _ in range(3):
        assert gated.practice.post(gated.path, GOOD_CHECKIN).status_code == 202
    monkeypatch.setattr(checkin_tasks, "DRAIN_ROUNDS", 1)
    monkeypatch.setattr(checkin_tasks, "BATCH", 1)  # a full round: there may be more
    with gated.api.app_context():
        assert checkin_tasks._drain(first=None) >= 1
    assert gated.sent[-1] == tasks.DRAIN_EVALUATIONS

    # rounds that end short of a full batch: everything waiting is done, no sequel
    monkeypatch.setattr(checkin_tasks, "BATCH", 50)
    monkeypatch.setattr(checkin_tasks, "DRAIN_ROUNDS", 20)
    gated.sent.clear()
    with gated.api.app_context():
        checkin_tasks._drain(first=None)
    assert gated.waiting() == 0
    assert tasks.DRAIN_EVALUATIONS not in gated.sent
