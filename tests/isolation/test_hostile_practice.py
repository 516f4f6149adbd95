"""Practice B sends every poison it can while practice A's check-ins and webhooks flow
through real workers on separate queues: A's verdicts and continuity are exactly what they
would be alone, and B's items end parked (or timed out) with their reasons.

No timing is asserted: A's work is polled with a generous timeout, and correctness checked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from sqlalchemy import select, update

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models import Clinician, Delivery, OutboxMessage, TherapySession
from tests.conftest import PracticeHandle, new_practice, wait_for
from tests.hooks.conftest import HookClient
from tests.hooks.test_zoom_session_end_to_end import (
    SCENARIO,
    _deliver,
    _session_for_scenario,
    _settled,
)
from tests.isolation.hostile import poison_hooks
from tests.isolation.workers import BEAT, Worker
from tests.processes import Beat
from tests.samples import GOOD_CHECKIN
from tests.services.providers import signing
from tests.webhooks.conftest import LOOPBACK
from tests.webhooks.drip import DripReceiver
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow
DEADLINE = 3.0  # seconds per outbound request in this test (15 in production)


@pytest.fixture
def hostile_app(settings: Any) -> Iterator[Any]:
    from teleframe import create_app

    own = dataclasses.replace(
        settings,
        queue=f"teleframe-hostile-{uuid.uuid4().hex[:8]}",
        webhook_allow_private=LOOPBACK,
        webhook_deadline_seconds=DEADLINE,
    )
    made = create_app(own, TESTING=True)
    yield made
    with made.app_context():
        db.engine.dispose()
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(settings.broker_url).delete(*tasks.queues(own.queue))


def _subscribe(practice: PracticeHandle, url: str) -> dict[str, Any]:
    body = {"url": url, "event_types": ["checkin.submitted", "checkin.evaluated"]}
    answer = practice.post("/v1/webhook-endpoints", body)
    assert answer.status_code == 201, answer.get_json()
    endpoint: dict[str, Any] = answer.get_json()
    return endpoint


def _check_in(practice: PracticeHandle) -> tuple[str, str]:
    session_id = practice.session()
    answer = practice.post(f"/v1/sessions/{session_id}/checkins", GOOD_CHECKIN)
    assert answer.status_code == 202, answer.get_json()
    return str(answer.get_json()["checkin_id"]), answer.get_json()["verdict_url"]


def _hostile_check_in(app: Any, practice: PracticeHandle) -> str:
    """A check-in whose clinician's licences no longer parse: its evaluation fails."""
    checkin_id, _ = _check_in(practice)
    with app.app_context():
        clinicians = select(TherapySession.clinician_id).where(
            TherapySession.practice_id == practice.id
        )
        db.session.execute(
            update(Clinician)
            .where(Clinician.id.in_(clinicians))
            .values(licenses=[{"jurisdiction": "US-CA", "expires_on": "2030-13-45"}])
        )
        db.session.commit()
    return checkin_id


def test_a_hostile_practice_cannot_stop_or_change_another_practices_work(
    hostile_app, settings, tmp_path
):
    own = hostile_app.config["TELEFRAME_SETTINGS"]
    victim, hostile = new_practice(hostile_app, "A"), new_practice(hostile_app, "B")
    frame_worker = Worker(
        own, tmp_path / "frame.log", (tasks.EVALUATION, tasks.INGEST), "--pool", "solo"
    )
    delivery_worker = Worker(
        own, tmp_path / "delivery.log", (tasks.DELIVERY, tasks.REPORTS, tasks.MAINTENANCE),
        "--pool", "threads", "--concurrency", "4",
    )  # fmt: skip
    with (
        Receiver() as receiver,
        DripReceiver(every=1.0) as slow,
        frame_worker,
        delivery_worker,
        Beat(hostile_app.extensions["celery"], BEAT),
    ):
        receiver.secret = _subscribe(victim, receiver.url)["secret"]
        for _ in range(2):
            _subscribe(hostile, slow.url)
        # B: a check-in that cannot be evaluated, two whose webhooks go to the slow receiver,
        # and every poison webhook
        bad_checkin = _hostile_check_in(hostile_app, hostile)
        for _ in range(2):
            _check_in(hostile)
        for name, hook, request in poison_hooks(hostile):
            assert hook.send(request).status_code == 200, name

        # A: a Zoom session and three check-ins, meanwhile
        zoom = HookClient(victim, "zoom", signing.ZOOM_SECRET)
        zoom.sign = lambda body, **kw: signing.zoom(body, timestamp=int(time.time()), **kw)  # type: ignore[attr-defined]
        session_id = _session_for_scenario(victim)
        _deliver(victim, zoom, session_id, SCENARIO["deliveries"])
        mine = [_check_in(victim) for _ in range(3)]

        for checkin_id, verdict_url in mine:
            verdict = wait_for(lambda url=verdict_url: _decided(victim, url), timeout=120)
            assert verdict["status"] == "clear", (checkin_id, verdict)
        frame = wait_for(lambda: _settled(victim, session_id), timeout=120)
        for key, value in SCENARIO["expected"].items():
            assert frame["continuity"][key] == value, key
        wait_for(lambda: _evaluated_webhooks(receiver) >= 3, timeout=120)

        parked = wait_for(lambda: _parked_webhooks(hostile, 5), timeout=60)
        assert sorted(item["reason"] for item in parked) == sorted(
            ["PayloadInvalid:event_ts", "PayloadInvalid:participant_key", "PayloadInvalid",
             "PayloadInvalid:duration", "PayloadInvalid:room_id"]
        )  # fmt: skip
        with hostile_app.app_context():
            row = next(
                m for m in db.session.scalars(select(OutboxMessage).where(
                    OutboxMessage.practice_id == hostile.id,
                    OutboxMessage.task == tasks.EVALUATE_CHECKIN,
                )) if m.args == [bad_checkin]
            )  # fmt: skip
            assert row.failures >= 1 and row.last_error == "ValueError"
        wait_for(lambda: _timed_out(hostile_app, hostile), timeout=120)
    assert slow.accepted >= 1


def _decided(practice: PracticeHandle, url: str) -> dict[str, Any] | None:
    answer = practice.get(url).get_json()
    return answer if answer["status"] != "pending" else None


def _evaluated_webhooks(receiver: Receiver) -> int:
    bodies = [json.loads(item.body) for item in receiver.received]
    for item in receiver.received:
        receiver.verify(item)
    return sum(1 for body in bodies if body["type"] == "checkin.evaluated")


def _parked_webhooks(practice: PracticeHandle, count: int) -> list[dict[str, Any]] | None:
    listed: list[dict[str, Any]] = practice.get("/v1/parked-work?kind=webhook").get_json()
    return listed if len(listed) >= count else None


def _timed_out(app: Any, practice: PracticeHandle) -> bool:
    """B's deliveries to the dripping receiver were cut off by the deadline, not waited on."""
    with app.app_context():
        errors = db.session.scalars(
            select(Delivery.last_error).where(Delivery.practice_id == practice.id)
        ).all()
    return bool(errors) and "DeadlineExceeded" in errors
