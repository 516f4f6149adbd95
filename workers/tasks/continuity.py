"""Webhook events into a session's continuity record; the disruption protocol's clock."""

from __future__ import annotations

import uuid

from celery import shared_task

from teleframe import tasks
from teleframe.db import outbox
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations import continuity, ingest

MAX_ROUNDS = 20


@shared_task(name=tasks.INGEST_EVENT)
def ingest_event(inbound_id: str) -> int:
    """Sent once per stored webhook (ids only) and by beat, it processes every stored webhook
    not yet processed, this one among them, in batches: each session touched is re-folded once
    per batch."""
    processed = 0
    for _ in range(MAX_ROUNDS):
        claimed = ingest.ingest_staged(db.session, now=utcnow())
        db.session.commit()
        processed += claimed
        if claimed < ingest.BATCH:
            break
    return processed


@shared_task(name=tasks.FOLD_SESSION, bind=True)
def fold_session(self, session_id: str) -> None:
    for therapy_session in continuity.lock_sessions(db.session, {uuid.UUID(session_id)}):
        continuity.refold(db.session, therapy_session, now=utcnow())
    outbox.mark_done(db.session, self.request.id)
    db.session.commit()


@shared_task(name=tasks.CHECK_DISRUPTIONS)
def check_disruptions() -> int:
    """Outages stay open without new events: re-check them so `backup_plan.due` fires on time."""
    checked = 0
    for session_id in continuity.sessions_with_open_outage(db.session):
        for therapy_session in continuity.lock_sessions(db.session, {session_id}):
            if therapy_session.outage_open_since is not None:
                continuity.refold(db.session, therapy_session, now=utcnow())
                checked += 1
        db.session.commit()
    return checked
