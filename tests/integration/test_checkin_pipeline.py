"""A check-in through the API, a real Celery worker on Redis, and PostgreSQL."""

from __future__ import annotations

import copy
import time
import uuid

import redis
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import Evaluation, OutboxMessage
from tests.conftest import wait_for
from tests.samples import GOOD_CHECKIN


def _verdict(practice, session):  # type: ignore[no-untyped-def]
    frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
    return frame if frame["evaluation"] else None


def test_checkin_gets_a_verdict_from_the_worker(worker, make_practice):
    practice = make_practice()
    session = practice.session()
    started = time.monotonic()
    response = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending"
    frame = wait_for(lambda: _verdict(practice, session), timeout=10)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"verdict took {elapsed:.2f}s"
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
    time.sleep(1.0)
    assert _verdict(practice, session) is None
    time.sleep(settings.relay_grace_seconds)
    relayed = celery.send_task("teleframe.relay_outbox", queue=settings.queue)
    assert relayed is not None
    frame = wait_for(lambda: _verdict(practice, session), timeout=15)
    assert frame["evaluation"]["checkin_id"] == checkin_id
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.practice_id == practice.id)
        ).one()
        assert message.done_at is not None and message.attempts >= 1
    for key in redis.Redis.from_url(settings.broker_url).keys("nowhere-*"):
        redis.Redis.from_url(settings.broker_url).delete(key)


def test_running_the_task_twice_stores_one_evaluation(app, worker, make_practice, settings):
    practice = make_practice()
    session = practice.session()
    checkin_id = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()[
        "checkin_id"
    ]
    wait_for(lambda: _verdict(practice, session), timeout=10)
    celery = app.extensions["celery"]
    for _ in range(3):
        celery.send_task("teleframe.evaluate_checkin", args=[checkin_id], queue=settings.queue)
    time.sleep(1.0)
    with app.app_context():
        rows = db.session.scalars(
            select(Evaluation).where(Evaluation.checkin_id == uuid.UUID(checkin_id))
        ).all()
    assert len(rows) == 1


def test_no_phi_in_broker_messages_or_worker_log(app, worker, make_practice, settings):
    practice = make_practice()
    session = practice.session()
    celery = app.extensions["celery"]
    captured: list[dict] = []
    original = celery.send_task

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        captured.append({"args": args, "kwargs": kwargs})
        return original(*args, **kwargs)

    celery.send_task = spy
    try:
        practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    finally:
        celery.send_task = original
    wait_for(lambda: _verdict(practice, session), timeout=10)
    phi = ["Oakland", "Lakeshore", "+15105550123", "5105550123", "Alex Client", "+14155550188"]
    text = repr(captured) + worker.log_path.read_text()  # type: ignore[attr-defined]
    assert captured, "the API published nothing"
    for item in phi:
        assert item not in text, item


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
