"""Session row locks against real PostgreSQL: shuffled concurrent hooks never deadlock or
decide a session's end twice, and a worker's lock never holds up a client's check-in."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models import InboundEvent, OutboundEvent, OutboxMessage, TherapySession
from teleframe.models.base import utcnow
from teleframe.operations import continuity, ingest
from teleframe.services.session_progress import SETTLE
from tests.conftest import soon
from tests.hooks.conftest import HookClient
from tests.samples import GOOD_CHECKIN
from tests.services.providers import signing

SESSIONS = 6
THREADS = 4


def _timeline(room: str, start: Any) -> list[dict[str, Any]]:
    def event(kind: str, minute: float, **data: Any) -> dict[str, Any]:
        at = (start + timedelta(minutes=minute)).isoformat()
        return {"type": kind, "timestamp": at, "data": {"room_id": room, **data}}

    client = {"participant_key": "c", "role": "client"}
    return [
        event("session.started", 0),
        event("participant.joined", 0, participant_key="t", role="clinician"),
        event("participant.joined", 1, **client),
        event("participant.left", 10, reason="network", **client),
        event("participant.joined", 12, **client),
        event("participant.left", 20, reason="network", **client),
        event("participant.joined", 21, **client),
        event("session.ended", 50),
    ]


def _stage_shuffled_hooks(app, practice) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    hook = HookClient(practice, "standard", signing.STANDARD_SECRET)
    start = soon(0) - timedelta(hours=1)
    sessions, bodies = [], []
    for index in range(SESSIONS):
        room = f"room-{index}-{uuid.uuid4().hex[:6]}"
        sessions.append(
            uuid.UUID(practice.session(start=start.isoformat(), provider="standard", room_id=room))
        )
        bodies += _timeline(room, start) * 2  # every hook delivered twice
    random.Random(11).shuffle(bodies)
    celery = app.extensions["celery"]
    original = celery.send_task
    celery.send_task = lambda *a, **k: None  # staged only: the threads below are the workers
    try:
        for body in bodies:
            raw = json.dumps(body).encode()
            signed = signing.standard(
                raw, timestamp=int(time.time()), msg_id="msg_" + uuid.uuid4().hex
            )
            assert hook.send(signed).status_code == 200
    finally:
        celery.send_task = original
    return sessions


def _work(app, sessions: list[uuid.UUID], errors: list[BaseException], seed: int) -> None:  # type: ignore[no-untyped-def]
    """One worker: small ingest batches, and beat's settling sweep after each, far enough
    ahead that every fold settles (the most chances to decide an end twice)."""
    order = list(sessions)
    try:
        with app.app_context():
            while True:
                claimed = ingest.ingest_staged(db.session, limit=3, now=utcnow())
                db.session.commit()
                random.Random(seed).shuffle(order)
                for session_id in order:
                    continuity.recheck(db.session, session_id, now=utcnow() + SETTLE)
                    db.session.commit()
                if claimed == 0:
                    return
    except BaseException as error:  # DeadlockDetected would land here
        errors.append(error)


def test_shuffled_concurrent_hooks_neither_deadlock_nor_end_a_session_twice(app, make_practice):
    practice = make_practice()
    sessions = _stage_shuffled_hooks(app, practice)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_work, args=(app, sessions, errors, seed))
        for seed in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    with app.app_context():
        pending = db.session.scalar(
            select(func.count())
            .select_from(InboundEvent)
            .where(InboundEvent.practice_id == practice.id, InboundEvent.processed_at.is_(None))
        )
        ended = Counter(
            db.session.scalars(
                select(OutboundEvent.session_id).where(
                    OutboundEvent.practice_id == practice.id,
                    OutboundEvent.type == "session.ended",
                )
            )
        )
        drafts = Counter(
            message.args[0]
            for message in db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.practice_id == practice.id,
                    OutboxMessage.task == tasks.BUILD_REPORT_DRAFT,
                )
            )
        )
        states = set(
            db.session.scalars(select(TherapySession.state).where(TherapySession.id.in_(sessions)))
        )
    assert pending == 0
    assert states == {"ended"}
    assert ended == Counter({session_id: 1 for session_id in sessions})
    assert drafts == Counter({str(session_id): 1 for session_id in sessions})


def test_a_checkin_goes_through_while_a_worker_holds_the_session(app, make_practice):
    practice = make_practice()
    session = practice.session()
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with app.app_context():
            continuity.lock_sessions(db.session, {uuid.UUID(session)})
            locked.set()
            release.wait(timeout=60)
            db.session.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=20)
        answers: dict[str, Any] = {}

        def submit() -> None:
            answers["checkin"] = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
            event = {"type": "backup_plan.invoked", "data": {"role": "clinician"}}
            answers["event"] = practice.post(f"/v1/sessions/{session}/events", event)

        client = threading.Thread(target=submit)
        client.start()
        client.join(timeout=30)
        assert not client.is_alive(), "the check-in waited for the worker's lock"
        assert holder.is_alive()  # the lock was held the whole time
        assert answers["checkin"].status_code == 202
        assert answers["event"].status_code == 202
    finally:
        release.set()
        holder.join(timeout=30)
