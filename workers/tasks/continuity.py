"""Webhook events into a session's continuity record; the disruption protocol's clock."""

from __future__ import annotations

import uuid

from celery import shared_task

from teleframe import tasks
from teleframe.db import outbox, wakeup
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations import continuity, ingest

MAX_ROUNDS = 20


@shared_task(name=tasks.INGEST_EVENT)
def ingest_event(inbound_id: str) -> int:
    """Sent once per stored webhook (ids only): processes this webhook first, in a batch with
    others waiting (fairly across practices), then drains what is left, boundedly. Each
    session touched is re-folded once per batch."""
    return _drain(first=_uuid(inbound_id))


@shared_task(name=tasks.DRAIN_INBOUND)
def drain_inbound() -> int:
    """Beat's sweep: processes stored webhooks whose wake-up was lost or whose retry is due."""
    return _drain(first=None)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:  # "sweep", still queued from before drain_inbound existed
        return None


def _drain(first: uuid.UUID | None) -> int:
    return wakeup.drain(
        db.session,
        tasks.INGEST_EVENT,
        tasks.DRAIN_INBOUND,
        lambda first: ingest.ingest_staged(db.session, now=utcnow(), first=first),
        ingest.BATCH,
        MAX_ROUNDS,
        first,
    )


@shared_task(name=tasks.FOLD_SESSION, bind=True)
def fold_session(self, session_id: str) -> None:
    for therapy_session in continuity.lock_sessions(db.session, {uuid.UUID(session_id)}):
        continuity.refold(db.session, therapy_session, now=utcnow())
    outbox.mark_done(db.session, self.request.id)
    db.session.commit()


@shared_task(name=tasks.CHECK_DISRUPTIONS)
def check_disruptions() -> int:
    """Settle sessions whose events have gone quiet, and re-check open outages (which get no
    new events) so that `backup_plan.due` fires on time."""
    checked = 0
    for session_id in continuity.sessions_to_recheck(db.session, utcnow()):
        checked += continuity.recheck(db.session, session_id, now=utcnow())
        db.session.commit()
    return checked
