"""The disruption protocol: an outage past the policy's threshold emits `backup_plan.due` once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import OutboundEvent, TherapySession
from teleframe.operations import continuity, ingest
from teleframe.services.providers import Event
from teleframe.services.session_progress import SETTLE
from tests.conftest import soon


def _events(start):  # type: ignore[no-untyped-def]
    def event(kind, minutes, who, **extra):  # type: ignore[no-untyped-def]
        return Event(
            kind=kind,
            occurred_at=start + timedelta(minutes=minutes),
            provider="report",
            dedupe_key=f"{kind}-{minutes}-{who}",
            participant_key=who,
            role="client" if who == "c" else "clinician",
            **extra,
        )

    return [
        event("participant.joined", 0, "t"),
        event("participant.joined", 1, "c"),
        event("participant.left", 10, "c", reason="network"),
    ]


def _emitted(session_id) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(OutboundEvent.type)
            .where(OutboundEvent.session_id == session_id)
            .order_by(OutboundEvent.created_at)
        )
    )


def test_backup_plan_due_after_the_policy_threshold_and_only_once(app, make_practice):
    practice = make_practice()
    start = soon(0)
    session_id = uuid.UUID(practice.session(start=start.isoformat()))
    dropped_at = start + timedelta(minutes=10)
    with app.app_context():
        therapy_session = db.session.get_one(TherapySession, session_id)
        ingest.store_events(db.session, therapy_session, _events(start))
        arrived = dropped_at + timedelta(seconds=30)
        continuity.refold(db.session, therapy_session, now=arrived)
        assert therapy_session.state == "in_progress"
        assert _emitted(session_id) == []  # not settled: more events may be on their way
        assert therapy_session.settle_at == arrived + SETTLE
        for seconds in (60, 121, 200):
            now = dropped_at + timedelta(seconds=seconds)
            assert continuity.recheck(db.session, session_id, now=now)
            if seconds == 60:
                assert _emitted(session_id) == ["disruption.started"]
                assert therapy_session.outage_open_since == dropped_at
        emitted = _emitted(session_id)
        assert emitted.count("backup_plan.due") == 1
        assert emitted.count("disruption.started") == 1
        db.session.commit()
        payloads = db.session.scalars(
            select(OutboundEvent.payload).where(OutboundEvent.session_id == session_id)
        ).all()
    for payload in payloads:
        assert set(payload) <= {
            "session_id",
            "at",
            "outage_started_at",
            "started_at",
            "resolved_at",
            "seconds",
            "ended_at",
        }


def test_reschedule_is_suggested_after_the_policy_minutes_lost(app, make_practice):
    practice = make_practice()
    start = soon(0)
    session_id = uuid.UUID(practice.session(start=start.isoformat()))
    with app.app_context():
        therapy_session = db.session.get_one(TherapySession, session_id)
        ingest.store_events(db.session, therapy_session, _events(start))
        continuity.refold(db.session, therapy_session, now=start)
        continuity.recheck(db.session, session_id, now=start + timedelta(minutes=10, seconds=901))
        assert "reschedule.suggested" in _emitted(session_id)
        db.session.rollback()


def test_directly_reported_events_are_validated(make_practice):
    practice = make_practice()
    session = practice.session()
    bad = [
        {"type": "participant.vanished"},
        {"type": "modality.changed", "data": {"role": "client"}},
        {"type": "participant.left", "timestamp": "yesterday"},
        {"type": "participant.left", "data": {"role": "admin"}},
    ]
    for body in bad:
        response = practice.post(f"/v1/sessions/{session}/events", body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"


def test_another_practice_cannot_report_or_read_events(make_practice):
    a, b = make_practice("A"), make_practice("B")
    session = b.session()
    event = {"type": "backup_plan.invoked", "data": {"role": "clinician"}}
    assert a.post(f"/v1/sessions/{session}/events", event).status_code == 404
    assert a.get(f"/v1/sessions/{session}/events").status_code == 404
    assert a.get(f"/v1/sessions/{session}/notifications").status_code == 404
    assert b.post(f"/v1/sessions/{session}/events", event).status_code == 202
