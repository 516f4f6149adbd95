"""Evaluation and retention batches: one practice's bad row is retried, then parked, while
every other practice's row in the same batch is stored."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import defer

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models import (
    CheckIn,
    Client,
    Clinician,
    Evaluation,
    InboundEvent,
    OutboxMessage,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.operations import ingest, retention
from teleframe.operations.evaluation import evaluate_staged
from teleframe.services import parking
from tests.hooks.conftest import HookClient
from tests.samples import GOOD_CHECKIN
from tests.services.providers import signing


def _check_in(practice: Any) -> tuple[str, str]:
    session_id = practice.session()
    answer = practice.post(f"/v1/sessions/{session_id}/checkins", GOOD_CHECKIN)
    assert answer.status_code == 202, answer.get_json()
    return session_id, str(answer.get_json()["checkin_id"])


def _corrupt_licences(session_id: str) -> None:
    """Data that once passed validation and no longer parses (an import, an old version)."""
    therapy_session = db.session.get_one(TherapySession, uuid.UUID(session_id))
    db.session.execute(
        update(Clinician)
        .where(Clinician.id == therapy_session.clinician_id)
        .values(licenses=[{"jurisdiction": "US-CA", "expires_on": "2030-13-45"}])
    )


def _outbox_row(checkin_id: str) -> OutboxMessage:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.task == tasks.EVALUATE_CHECKIN)
    ).all()
    return next(row for row in rows if row.args == [checkin_id])


def _evaluated(checkin_id: str) -> str | None:
    return db.session.scalar(
        select(Evaluation.status).where(Evaluation.checkin_id == uuid.UUID(checkin_id))
    )


def test_a_check_in_that_cannot_be_evaluated_is_parked_and_the_others_are_evaluated(
    quiet_app, quiet_practice
):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    bad_session, bad = _check_in(hostile)
    clock = utcnow()
    with quiet_app.app_context():
        _corrupt_licences(bad_session)
        db.session.commit()
    for failures in range(1, parking.MAX_FAILURES + 1):
        _, good = _check_in(victim)
        with quiet_app.app_context():
            while evaluate_staged(db.session, now=clock):
                db.session.commit()
            db.session.commit()
            assert _evaluated(good) == "clear"
            assert _evaluated(bad) is None
            row = _outbox_row(bad)
            assert (row.failures, row.last_error) == (failures, "ValueError")
            if failures < parking.MAX_FAILURES:
                assert row.done_at is None and row.retry_at is not None
                clock = row.retry_at + timedelta(seconds=1)
    with quiet_app.app_context():
        row = _outbox_row(bad)
        assert row.parked_at is not None and row.done_at is not None
    (listed,) = hostile.get("/v1/parked-work?kind=evaluation").get_json()
    assert (listed["refers_to"], listed["reason"]) == ([bad], "ValueError")
    assert victim.get("/v1/parked-work").get_json() == []


NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def _served_long_ago(practice: Any) -> tuple[str, str]:
    """A client seen once, 7.5 years before NOW: past the default retention."""
    start = NOW - timedelta(days=365.25 * 7.5)
    client = practice.client()
    body = {
        "clinician_id": practice.clinician(),
        "client_id": client,
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(minutes=50)).isoformat(),
    }
    answer = practice.post("/v1/sessions", body)
    assert answer.status_code == 201, answer.get_json()
    session_id = answer.get_json()["id"]
    assert practice.post(f"/v1/sessions/{session_id}/checkins", GOOD_CHECKIN).status_code == 202
    return client, session_id


def _checkins(session_id: str) -> int:
    return int(
        db.session.scalar(select(func.count()).where(CheckIn.session_id == uuid.UUID(session_id)))
        or 0
    )


def test_retention_goes_on_after_a_client_born_in_9990(quiet_app, quiet_practice):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    odd_client, odd_session = _served_long_ago(hostile)
    _, expired_session = _served_long_ago(victim)
    with quiet_app.app_context():
        client = db.session.get_one(Client, uuid.UUID(odd_client))
        client.identity = {**client.identity, "date_of_birth": "9990-01-01"}
        db.session.commit()
        retention.enforce_retention(db.session, NOW)
        retention.enforce_retention(db.session, NOW)  # the parked client is skipped, not re-parked
        assert _checkins(expired_session) == 0
        assert _checkins(odd_session) == 1
    (listed,) = hostile.get("/v1/parked-work").get_json()
    assert (listed["kind"], listed["task"]) == ("maintenance", tasks.ENFORCE_RETENTION)
    assert (listed["refers_to"], listed["reason"]) == ([odd_client], "ValueError")


def test_a_report_build_that_fails_is_retried_then_parked(quiet_app, quiet_practice):
    from teleframe.operations import report
    from workers.tasks.report import build_report_draft

    practice = quiet_practice()
    session_id, _ = _check_in(practice)
    with quiet_app.app_context():
        therapy_session = db.session.get_one(TherapySession, uuid.UUID(session_id))
        report.stage_draft_build(db.session, therapy_session)
        db.session.execute(  # a stored check-in that no longer decrypts
            text("UPDATE checkins SET data = 't1:not-ciphertext' WHERE session_id = :s"),
            {"s": therapy_session.id},
        )
        db.session.commit()
        for failures in range(1, parking.MAX_FAILURES + 1):
            build_report_draft.run(session_id)
            row = next(
                m
                for m in db.session.scalars(
                    select(OutboxMessage).where(OutboxMessage.task == tasks.BUILD_REPORT_DRAFT)
                )
                if m.args == [session_id]
            )
            assert row.failures == failures
            if failures < parking.MAX_FAILURES:
                build_report_draft.run(session_id)  # re-published early: waits for its retry
                db.session.refresh(row)
                assert row.failures == failures
                row.retry_at = utcnow() - timedelta(seconds=1)  # its retry falls due
                db.session.commit()
        assert row.parked_at is not None
    (listed,) = practice.get("/v1/parked-work?kind=reports").get_json()
    assert listed["refers_to"] == [session_id] and listed["attempts"] == parking.MAX_FAILURES


def test_a_check_in_that_no_longer_decrypts_fails_alone(quiet_app, quiet_practice):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    _, bad = _check_in(hostile)
    _, good = _check_in(victim)
    with quiet_app.app_context():
        db.session.execute(
            text("UPDATE checkins SET data = 't1:not-ciphertext' WHERE id = :c"),
            {"c": uuid.UUID(bad)},
        )
        db.session.commit()
        while evaluate_staged(db.session, now=utcnow()):
            db.session.commit()
        db.session.commit()
        assert _evaluated(good) == "clear"
        row = _outbox_row(bad)
        assert row.failures == 1 and row.done_at is None and row.last_error


def test_a_webhook_that_no_longer_decrypts_fails_alone(quiet_app, quiet_practice):
    """The batch reads its stored requests in one query and decrypts each alone."""
    practice = quiet_practice("A")
    hook = HookClient(practice, "zoom", signing.ZOOM_SECRET)
    stamp = int(time.time())
    ids = []
    for number in range(3):
        event = json.loads(signing.fixture("zoom/participant_left_network.json"))
        event["payload"]["object"]["participant"]["participant_uuid"] = f"batch-{number}"
        answer = hook.send(signing.zoom(json.dumps(event).encode(), timestamp=stamp))
        ids.append(uuid.UUID(answer.get_json()["id"]))
    bad, good = ids[1], [ids[0], ids[2]]
    with quiet_app.app_context():
        db.session.execute(
            text("UPDATE inbound_events SET request = 't1:not-ciphertext' WHERE id = :i"),
            {"i": bad},
        )
        db.session.commit()
        while ingest.ingest_staged(db.session, now=utcnow()):  # other tests' rows too
            db.session.commit()
        db.session.commit()
        unread = (
            select(InboundEvent)
            .where(InboundEvent.id.in_(ids))
            .options(defer(InboundEvent.request))
        )
        rows = {row.id: row for row in db.session.scalars(unread)}
        assert all(rows[i].processed_at is not None and rows[i].attempts == 0 for i in good)
        assert all(rows[i].outcome in ("matched", "unmatched") for i in good)
        assert rows[bad].processed_at is None and rows[bad].attempts == 1
        assert rows[bad].retry_at is not None

        # parked at last, it is still listed: the listing never decrypts the raw request
        db.session.execute(
            update(InboundEvent).where(InboundEvent.id == bad).values(parked_at=utcnow())
        )
        db.session.commit()
    listed = practice.get("/v1/parked-work?kind=webhook")
    assert listed.status_code == 200, listed.get_json()
    assert [item["id"] for item in listed.get_json()] == [str(bad)]
