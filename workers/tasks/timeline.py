"""Webhook events into a session's continuity record; the disruption protocol's clock."""

from __future__ import annotations

import uuid

from celery import shared_task
from sqlalchemy import select

from teleframe import ingest, outbox
from teleframe.extensions import db
from teleframe.models import TherapySession
from teleframe.models.base import utcnow


def _locked(session_id: uuid.UUID) -> TherapySession | None:
    return db.session.scalars(
        select(TherapySession).where(TherapySession.id == session_id).with_for_update()
    ).first()


@shared_task(name=ingest.INGEST_EVENT, bind=True)
def ingest_event(self, inbound_id: str) -> None:
    """Normalise a stored webhook and re-fold its session, in one transaction."""
    session_id = ingest.process_inbound(db.session, uuid.UUID(inbound_id))
    if session_id is not None:
        therapy_session = _locked(session_id)
        if therapy_session is not None:
            ingest.refold(db.session, therapy_session, now=utcnow())
    outbox.mark_done(db.session, self.request.id)
    db.session.commit()


@shared_task(name=ingest.FOLD_SESSION, bind=True)
def fold_session(self, session_id: str) -> None:
    therapy_session = _locked(uuid.UUID(session_id))
    if therapy_session is not None:
        ingest.refold(db.session, therapy_session, now=utcnow())
    outbox.mark_done(db.session, self.request.id)
    db.session.commit()


@shared_task(name="teleframe.check_disruptions")
def check_disruptions() -> int:
    """Outages stay open without new events: re-check them so `backup_plan.due` fires on time."""
    checked = 0
    for session_id in ingest.sessions_with_open_outage(db.session):
        therapy_session = _locked(session_id)
        if therapy_session is not None and therapy_session.outage_open_since is not None:
            ingest.refold(db.session, therapy_session, now=utcnow())
            checked += 1
        db.session.commit()
    return checked
