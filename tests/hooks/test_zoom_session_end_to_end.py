"""A realistic Zoom session posted to the hook with real signatures, through a real worker."""

from __future__ import annotations

import json
import random
import time
import uuid

from tests.conftest import wait_for
from tests.services.providers import signing

SCENARIO = json.loads(signing.fixture("zoom/session_drop_rejoin_phone.json"))


def _session_for_scenario(practice) -> str:  # type: ignore[no-untyped-def]
    return practice.session(
        start=SCENARIO["scheduled_start"].replace("Z", "+00:00"),
        provider="zoom",
        room_id=SCENARIO["room_id"],
    )


def _deliver(practice, zoom_hook, session: str, deliveries) -> None:  # type: ignore[no-untyped-def]
    for delivery in deliveries:
        body = json.dumps(delivery["body"]).encode()
        if delivery["source"] == "zoom":
            response = zoom_hook.send(zoom_hook.sign(body))
            assert response.status_code == 200, response.get_json()
        else:
            response = practice.post(f"/v1/sessions/{session}/events", delivery["body"])
            assert response.status_code == 202, response.get_json()


def test_zoom_sequence_folds_into_the_expected_continuity(worker, zoom_hook):
    practice = zoom_hook.practice
    session = _session_for_scenario(practice)
    _deliver(practice, zoom_hook, session, SCENARIO["deliveries"])
    expected = SCENARIO["expected"]
    frame = wait_for(lambda: _settled(practice, session), timeout=20)
    record = frame["continuity"]
    for key, value in expected.items():
        assert record[key] == value, key
    assert frame["state"] == "ended"
    notifications = practice.get(f"/v1/sessions/{session}/notifications").get_json()
    types = [item["type"] for item in notifications]
    assert types.count("disruption.started") == 2
    assert "session.ended" in types
    # the session's end queues the report draft, built by the worker from the same timeline
    report = wait_for(
        lambda: (
            "report.ready"
            in [n["type"] for n in practice.get(f"/v1/sessions/{session}/notifications").get_json()]
            and practice.get(f"/v1/sessions/{session}/report").get_json()
        ),
        timeout=20,
    )
    assert report["report"]["continuity"]["summary"] == expected["summary"]
    for item in notifications:
        text = json.dumps(item["payload"])
        assert "+1510" not in text and "Sam" not in text


def _settled(practice, session: str):  # type: ignore[no-untyped-def]
    """Every ingest and fold task of the practice has run and beat's sweep (sent here, as
    beat would every few seconds) has settled the session: its record is the final one."""
    from sqlalchemy import func, select

    from teleframe import tasks
    from teleframe.extensions import db
    from teleframe.models import InboundEvent, OutboxMessage, TherapySession
    from teleframe.models.base import utcnow

    with practice.app.app_context():
        pending = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.practice_id == practice.id,
                OutboxMessage.done_at.is_(None),
                OutboxMessage.task == tasks.FOLD_SESSION,
            )
        ) + db.session.scalar(
            select(func.count())
            .select_from(InboundEvent)
            .where(InboundEvent.practice_id == practice.id, InboundEvent.processed_at.is_(None))
        )
        settle_at = db.session.scalar(
            select(TherapySession.settle_at).where(TherapySession.id == uuid.UUID(session))
        )
    if pending == 0 and settle_at is not None and settle_at <= utcnow():
        celery = practice.app.extensions["celery"]
        celery.send_task(tasks.CHECK_DISRUPTIONS, queue=celery.conf.task_default_queue)
        time.sleep(0.3)
    frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
    return frame if pending == 0 and settle_at is None and frame["continuity"] else None


def test_shuffled_and_repeated_deliveries_give_the_same_continuity(worker, make_practice):
    from tests.hooks.conftest import HookClient

    practice = make_practice()
    hook = HookClient(practice, "zoom", signing.ZOOM_SECRET)
    hook.sign = lambda body, **kw: signing.zoom(
        body, timestamp=int(__import__("time").time()), **kw
    )  # type: ignore[attr-defined]
    session = _session_for_scenario(practice)
    deliveries = list(SCENARIO["deliveries"]) * 2
    random.Random(7).shuffle(deliveries)
    _deliver(practice, hook, session, deliveries)
    frame = wait_for(lambda: _settled(practice, session), timeout=20)
    expected = SCENARIO["expected"]
    for key in ("drops", "outages", "total_outage_seconds", "modality_segments", "billing"):
        assert frame["continuity"][key] == expected[key], key
    # each outage of the final record started and resolved once, however the hooks arrived
    sent = practice.get(f"/v1/sessions/{session}/notifications").get_json()
    outages = sorted(outage["start_at"] for outage in expected["outages"])
    for kind in ("disruption.started", "disruption.resolved"):
        assert sorted(n["payload"]["started_at"] for n in sent if n["type"] == kind) == outages
    assert [n["type"] for n in sent].count("session.ended") == 1


def test_a_lost_wake_up_is_caught_by_the_sweep(app, worker, zoom_hook, settings):
    """The stored webhook is the work item: if the message that wakes a worker is lost, the
    beat sweep (`teleframe.drain_inbound`, no arguments) processes it."""
    practice = zoom_hook.practice
    session = _session_for_scenario(practice)
    celery = app.extensions["celery"]
    original = celery.send_task
    celery.send_task = lambda *a, **k: None  # the wake-up never reaches the broker
    try:
        _deliver(practice, zoom_hook, session, SCENARIO["deliveries"][:2])
    finally:
        celery.send_task = original
    assert practice.get(f"/v1/sessions/{session}/frame").get_json()["continuity"] is None
    celery.send_task("teleframe.drain_inbound", args=[], queue=settings.queue)
    frame = wait_for(lambda: _settled(practice, session), timeout=20)
    assert frame["continuity"]["event_count"] >= 2
    assert frame["state"] == "in_progress"


def test_a_session_does_not_settle_while_its_webhooks_wait(app, zoom_hook):
    """A backlog is not quiet: beat leaves the session alone until its room's stored webhooks
    have been processed, then settles it once they have been quiet."""
    from teleframe.extensions import db
    from teleframe.models import TherapySession
    from teleframe.models.base import utcnow
    from teleframe.operations import continuity, ingest
    from teleframe.services.session_progress import SETTLE

    practice = zoom_hook.practice
    session = uuid.UUID(_session_for_scenario(practice))
    celery = app.extensions["celery"]
    original = celery.send_task
    celery.send_task = lambda *a, **k: None  # stored, and no worker told
    try:
        _deliver(practice, zoom_hook, str(session), SCENARIO["deliveries"][:2])
    finally:
        celery.send_task = original
    with app.app_context():
        db.session.get_one(TherapySession, session).settle_at = utcnow()  # as if quiet already
        db.session.commit()
        assert session not in continuity.sessions_to_recheck(db.session, utcnow())
        while ingest.ingest_staged(db.session, now=utcnow()):
            db.session.commit()
        db.session.commit()
        assert session not in continuity.sessions_to_recheck(db.session, utcnow())
        later = utcnow() + SETTLE
        assert session in continuity.sessions_to_recheck(db.session, later)
        assert continuity.recheck(db.session, session, now=later)
        db.session.commit()
        assert db.session.get_one(TherapySession, session).continuity["event_count"] >= 2
