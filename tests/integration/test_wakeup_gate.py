"""One broker wake-up per batch: a burst of check-ins publishes one evaluation message until a
worker starts draining, and every check-in is still staged for that drain."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from teleframe import tasks
from teleframe.db import wakeup
from teleframe.extensions import db
from teleframe.models import InboundEvent, OutboxMessage
from tests.conftest import PracticeHandle
from tests.hooks.conftest import HookClient
from tests.samples import GOOD_CHECKIN
from tests.services.providers import signing


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
        for task in wakeup.GATED:
            wakeup.rearm(celery.conf, task)
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


def _zoom_event(number: int) -> bytes:
    """A signed-ready Zoom event with a dedupe key of its own."""
    event = json.loads(signing.fixture("zoom/participant_left_network.json"))
    event["payload"]["object"]["participant"]["participant_uuid"] = f"gate-{number}"
    return json.dumps(event).encode()


def test_a_burst_of_webhooks_publishes_one_wake_up_until_the_worker_rearms(gated, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(wakeup, "GATE_MS", 60_000)
    hook = HookClient(gated.practice, "zoom", signing.ZOOM_SECRET)
    stamp = int(time.time())
    for number in range(5):
        signed = signing.zoom(_zoom_event(number), timestamp=stamp)
        assert hook.send(signed).get_json()["status"] == "accepted"
    assert gated.sent.count(tasks.INGEST_EVENT) == 1  # the other four ride on that wake-up

    wakeup.rearm(gated.celery.conf, tasks.INGEST_EVENT)  # a worker begins its claim
    assert hook.send(signing.zoom(_zoom_event(5), timestamp=stamp)).status_code == 200
    assert gated.sent.count(tasks.INGEST_EVENT) == 2
    with gated.api.app_context():  # every one is stored, unprocessed, for the drain
        waiting = db.session.scalar(
            select(func.count())
            .select_from(InboundEvent)
            .where(
                InboundEvent.integration_id == hook.integration["id"],
                InboundEvent.processed_at.is_(None),
            )
        )
    assert waiting == 6


def test_a_drain_out_of_time_hands_over_to_its_sequel(gated, monkeypatch):  # type: ignore[no-untyped-def]
    """Rounds left, time gone: the drain stops and queues the rest rather than run into the
    task's time limit (which would leave the rows its wake-up gated for beat's sweep)."""
    rounds: list[uuid.UUID | None] = []

    def full_round(first: uuid.UUID | None) -> int:
        rounds.append(first)
        return 10  # a full batch every time: there may be more

    first = uuid.uuid4()
    monkeypatch.setattr(wakeup, "DRAIN_SECONDS", 0.0)
    with gated.api.app_context():
        done = wakeup.drain(
            db.session, tasks.INGEST_EVENT, tasks.DRAIN_INBOUND, full_round, 10, 20, first
        )
    assert (done, rounds) == (10, [first])  # one round, then out of time
    assert gated.sent == [tasks.DRAIN_INBOUND]

    monkeypatch.setattr(wakeup, "DRAIN_SECONDS", 3600.0)
    rounds.clear()
    gated.sent.clear()
    with gated.api.app_context():
        wakeup.drain(db.session, tasks.INGEST_EVENT, tasks.DRAIN_INBOUND, full_round, 10, 3)
    assert rounds == [None, None, None] and gated.sent == [tasks.DRAIN_INBOUND]  # out of rounds


def test_a_busy_drain_keeps_its_wake_up_until_a_round_finds_nothing(gated, monkeypatch):  # type: ignore[no-untyped-def]
    """Requests that stage rows while a drain finds work ride on its wake-up (no message, no
    task each); once a round finds nothing the flag is cleared, and a later row publishes."""
    monkeypatch.setattr(wakeup, "GATE_MS", 60_000)
    assert gated.practice.post(gated.path, GOOD_CHECKIN).status_code == 202
    assert gated.sent.count(tasks.EVALUATE_CHECKIN) == 1  # the drain's own wake-up
    found = iter([2, 1, 0, 0])
    published: list[int] = []

    def busy_round(first: uuid.UUID | None) -> int:
        # a client checks in while this round runs
        assert gated.practice.post(gated.path, GOOD_CHECKIN).status_code == 202
        published.append(gated.sent.count(tasks.EVALUATE_CHECKIN))
        return next(found)

    with gated.api.app_context():
        done = wakeup.drain(
            db.session, tasks.EVALUATE_CHECKIN, tasks.DRAIN_EVALUATIONS, busy_round, 50, 20
        )
    assert done == 3
    # rounds 1 to 3 ran under the drain's wake-up; the third found nothing and cleared it, so
    # the request during the last round published its own
    assert published == [1, 1, 1, 2]
    assert tasks.DRAIN_EVALUATIONS not in gated.sent  # it ended idle: no sequel
