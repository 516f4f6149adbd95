"""Frame report drafts after a session ends, and the retention sweep."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task

from teleframe import tasks
from teleframe.db import outbox
from teleframe.extensions import db
from teleframe.models import TherapySession
from teleframe.operations import report, retention
from teleframe.operations.notification import emit

log = logging.getLogger(__name__)


@shared_task(name=tasks.BUILD_REPORT_DRAFT, bind=True, max_retries=5)
def build_report_draft(self, session_id: str) -> None:
    """Idempotent: an unchanged draft is left alone, and a signed report is never touched."""
    session = db.session
    therapy_session = session.get(TherapySession, uuid.UUID(session_id))
    if therapy_session is not None:
        version = report.refresh_draft(session, therapy_session)
        emit(session, therapy_session, "report.ready", "", {"version": version.number})
    outbox.mark_done(session, self.request.id)
    session.commit()
    log.info("report draft ready for session %s", session_id)


@shared_task(name=tasks.ENFORCE_RETENTION)
def enforce_retention() -> int:
    """Daily: delete records past their retention period, never one inside it."""
    deleted = retention.enforce_retention(db.session)
    log.info("retention: deleted the records of %d session(s)", deleted)
    return deleted
