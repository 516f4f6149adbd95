"""A check-in through the API, a real Celery worker on Redis, and PostgreSQL."""

from __future__ import annotations

import copy
import dataclasses
import re
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models import Evaluation, OutboundEvent, OutboxMessage
from tests.conftest import PracticeHandle, start_worker, wait_for
from tests.samples import GOOD_CHECKIN


def _verdict(practice, session):  # type: ignore[no-untyped-def]
    frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
    return frame if frame["evaluation"] else None


def test_checkin_gets_a_verdict_from_the_worker(worker, make_practice):
    practice = make_practice()
    session = practice.session()
    response = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending"
    frame = wait_for(lambda: _verdict(practice, session), timeout=10)
    evaluation = frame["evaluation"]
    assert evaluation["status"] == "clear", evaluation["findings"]
    assert evaluation["checkin_id"] == response.get_json()["checkin_id"]
    assert evaluation["policy_version"]["content_hash"].startswith("sha256:")
    assert evaluation["facts"]["jurisdiction"] == "US-CA"
    assert frame["frame_status"] == "clear" and frame["state"] == "checked_in"
    assert frame["evaluation_pending"] is False


def test_unlicensed_location_and_missing_backup_are_blocked(worker, make_practice):
    practice = make_practice()
    session = practice.session()
    body = copy.deepcopy(GOOD_CHECKIN)
    body["location"].update(subdivision="US-TX", locality="Austin")
    body["backup"] = None
    body["privacy"]["private_space"] = False
    assert practice.post(f"/v1/sessions/{session}/checkins", body).status_code == 202
    frame = wait_for(lambda: _verdict(practice, session), timeout=10)
    codes = {finding["code"] for finding in frame["evaluation"]["findings"]}
    assert {"JURISDICTION_NOT_LICENSED", "BACKUP_PHONE_MISSING", "PRIVACY_NOT_PRIVATE"} <= codes
    assert frame["evaluation"]["status"] == "blocked"
    assert frame["frame_status"] == "blocked"


def test_latest_checkin_is_current(worker, make_practice):
    practice = make_practice()
    session = practice.session()
    bad = copy.deepcopy(GOOD_CHECKIN)
    bad["privacy"]["private_space"] = False
    first = practice.post(f"/v1/sessions/{session}/checkins", bad).get_json()["checkin_id"]
    wait_for(lambda: _verdict(practice, session), timeout=10)
    second = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()
    frame = wait_for(
        lambda: (
            (f := _verdict(practice, session))
            and f["evaluation"]["checkin_id"] == second["checkin_id"]
            and f
        ),
        timeout=10,
    )
    assert first != second["checkin_id"]
    assert frame["frame_status"] == "clear"


def test_a_lost_broker_message_is_recovered_by_the_relay(app, worker, make_practice, settings):
    """Publish is lost (the queue is flushed): the outbox relay publishes it again."""
    from celery import current_app as _unused  # noqa: F401

    practice = make_practice()
    session = practice.session()
    celery = app.extensions["celery"]
    # stop the API's publish from reaching the worker: send to a queue nobody reads
    original = celery.send_task
    celery.send_task = lambda *a, **k: original(*a, **{**k, "queue": "nowhere-" + uuid.uuid4().hex})
    try:
        response = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    finally:
        celery.send_task = original
    checkin_id = response.get_json()["checkin_id"]
    time.sleep(settings.relay_grace_seconds)  # the relay leaves work alone for its grace
    with app.app_context():  # the work really was lost: staged, never done, never relayed
        lost = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.practice_id == practice.id)
        ).one()
        assert lost.done_at is None and lost.attempts == 0
    assert _verdict(practice, session) is None
    celery.send_task("teleframe.relay_outbox", queue=settings.queue)
    frame = wait_for(lambda: _verdict(practice, session), timeout=15)
    assert frame["evaluation"]["checkin_id"] == checkin_id
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.practice_id == practice.id)
        ).one()
        assert message.done_at is not None and message.attempts >= 1
    for key in redis.Redis.from_url(settings.broker_url).keys("nowhere-*"):
        redis.Redis.from_url(settings.broker_url).delete(key)


@pytest.mark.slow
def test_two_workers_draining_the_same_staged_checkins_evaluate_each_once(
    settings, make_practice, tmp_path
):
    """Two real worker processes wake at the same moment for the same staged check-ins (and
    get repeated messages afterwards): each check-in is evaluated, and emitted, exactly once."""
    from teleframe import create_app

    own = dataclasses.replace(settings, queue=f"teleframe-twice-{uuid.uuid4().hex[:8]}")
    app = create_app(own, TESTING=True)
    practice = make_practice()
    handle = PracticeHandle(app, practice.id, practice.key)
    sessions = [handle.session() for _ in range(5)]
    celery = app.extensions["celery"]
    original = celery.send_task
    celery.send_task = lambda *a, **k: None  # staged, not published: a backlog
    try:
        accepted = [
            handle.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()["checkin_id"]
            for session in sessions
            for _ in range(60)
        ]
    finally:
        celery.send_task = original
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    with ThreadPoolExecutor(len(logs)) as starting:  # both up together, for the same rows
        workers = list(starting.map(lambda log: start_worker(own, log), logs))
    try:
        for checkin_id in accepted[:2]:  # one message each, both drain the same rows
            celery.send_task(tasks.EVALUATE_CHECKIN, args=[checkin_id], queue=own.queue)

        def drained() -> bool:
            """A drain that met the other worker's locks yields; beat's sweep, sent to both
            here as beat would, finishes the backlog, the two still claiming side by side."""
            if _evaluated(app, accepted) == len(accepted):
                return True
            for _ in workers:
                celery.send_task(tasks.DRAIN_EVALUATIONS, queue=own.queue)
            time.sleep(1.0)
            return False

        wait_for(drained, timeout=120)
        for checkin_id in accepted[:4]:  # redelivered messages find nothing left to do
            celery.send_task(tasks.EVALUATE_CHECKIN, args=[checkin_id], queue=own.queue)
        wait_for(lambda: _runs(logs) >= 6, timeout=60)
        for log in logs:
            assert _runs([log]) >= 1, "a worker took no part"
        with app.app_context():
            keys = [uuid.UUID(c) for c in accepted]
            per_checkin = Counter(
                db.session.scalars(
                    select(Evaluation.checkin_id).where(Evaluation.checkin_id.in_(keys))
                )
            )
            emitted = Counter(
                db.session.scalars(
                    select(OutboundEvent.occurrence).where(
                        OutboundEvent.practice_id == practice.id,
                        OutboundEvent.type == "checkin.evaluated",
                    )
                )
            )
            undone = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.practice_id == practice.id, OutboxMessage.done_at.is_(None))
            )
        assert per_checkin == Counter({key: 1 for key in keys})
        assert emitted == Counter({checkin_id: 1 for checkin_id in accepted})
        assert undone == 0
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=20)
        broker = redis.Redis.from_url(own.broker_url)
        broker.delete(*tasks.queues(own.queue))
        broker.close()
        with app.app_context():
            db.engine.dispose()


def _evaluated(app, accepted: list[str]) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        keys = [uuid.UUID(c) for c in accepted]
        return len(
            db.session.scalars(
                select(Evaluation.checkin_id).where(Evaluation.checkin_id.in_(keys))
            ).all()
        )


def _runs(logs: list[Path]) -> int:
    """evaluate_checkin tasks the workers have finished, from their own logs."""
    done = re.compile(rf"Task {re.escape(tasks.EVALUATE_CHECKIN)}\[[^]]+\] succeeded")
    return sum(len(done.findall(log.read_text())) for log in logs)


def test_one_message_evaluates_every_staged_checkin_in_batches(
    app, worker, make_practice, settings
):
    """A backlog (publishes lost) is drained by the next message, 50 check-ins per transaction."""
    practice = make_practice()
    sessions = [practice.session() for _ in range(3)]
    celery = app.extensions["celery"]
    original = celery.send_task
    celery.send_task = lambda *a, **k: None  # stage without publishing
    try:
        accepted = [
            practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()["checkin_id"]
            for session in sessions
            for _ in range(40)
        ]
    finally:
        celery.send_task = original
    celery.send_task("teleframe.evaluate_checkin", args=[accepted[0]], queue=settings.queue)

    def evaluated() -> int:
        with app.app_context():
            return len(
                db.session.scalars(
                    select(Evaluation.checkin_id).where(
                        Evaluation.checkin_id.in_([uuid.UUID(c) for c in accepted])
                    )
                ).all()
            )

    wait_for(lambda: evaluated() == len(accepted), timeout=30)
    with app.app_context():
        pending = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.practice_id == practice.id, OutboxMessage.done_at.is_(None)
            )
        ).all()
    assert pending == []
    for session in sessions:  # the latest check-in of each session is the current frame
        frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
        assert frame["evaluation"]["checkin_id"] == frame["checkin"]["id"]


def test_the_verdict_route_shows_status_and_codes_without_answers(worker, make_practice):
    practice = make_practice()
    session = practice.session()
    body = copy.deepcopy(GOOD_CHECKIN)
    body["privacy"]["private_space"] = False
    accepted = practice.post(f"/v1/sessions/{session}/checkins", body).get_json()
    verdict = wait_for(
        lambda: (v := practice.get(accepted["verdict_url"]).get_json())["status"] != "pending" and v
    )
    assert verdict["status"] == "attention"  # the default policy warns on a shared space
    assert "PRIVACY_NOT_PRIVATE" in verdict["codes"]
    assert set(verdict) == {"checkin_id", "status", "codes", "submitted_at", "evaluated_at"}
    other = make_practice("other")
    assert other.get(accepted["verdict_url"]).status_code == 404
