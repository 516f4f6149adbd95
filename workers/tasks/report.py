"""Frame report drafts after a session ends, and the retention sweep."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from celery import shared_task

from teleframe import tasks
from teleframe.db import outbox
from teleframe.extensions import db
from teleframe.models import OutboxMessage, TherapySession
from teleframe.models.base import utcnow
from teleframe.operations import report, retention
from teleframe.operations.notification import emit
from teleframe.operations.parking import fail_message, isolated

log = logging.getLogger(__name__)


@shared_task(name=tasks.BUILD_REPORT_DRAFT, bind=True)
def build_report_draft(self, session_id: str) -> None:
    """Idempotent: an unchanged draft is left alone, and a signed report is never touched.
    A build that fails rolls back alone, is tried again with backoff, then parked."""
    session, now = db.session, utcnow()
    own = outbox.own_row(session, tasks.BUILD_REPORT_DRAFT, self.request.id, [session_id])
    message = session.get(OutboxMessage, own) if own else None
    if message is not None and message.retry_at is not None and message.retry_at > now:
        return  # re-published early; the relay sends it again when its retry is due

    def build(ids: Sequence[str]) -> list[None]:
        therapy_session = session.get(TherapySession, uuid.UUID(ids[0]))
        if therapy_session is not None:
            version = report.refresh_draft(session, therapy_session)
            emit(session, therapy_session, "report.ready", "", {"version": version.number})
        return []

    _, failed = isolated(session, [session_id], build)
    if message is not None and failed:
        fail_message(message, failed[0][1], now)
    elif message is not None:
        outbox.mark_done(session, str(message.id))
    session.commit()
    log.info("report draft for session %s: %s", session_id, "failed" if failed else "ready")


@shared_task(name=tasks.ENFORCE_RETENTION)
def enforce_retention() -> int:
    """Daily: delete records past their retention period, never one inside it."""
    deleted = retention.enforce_retention(db.session)
    log.info("retention: deleted the records of %d session(s)", deleted)
    return deleted
