"""The draft is built by the worker from staged work (the session.ended path)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import OutboxMessage, TherapySession
from teleframe.operations import report
from tests.conftest import wait_for
from tests.reports.helpers import session_only, stored_versions
from workers.tasks.report import build_report_draft


def test_worker_builds_the_draft_from_the_outbox(app, worker, make_practice):
    practice = make_practice()
    session = session_only(practice)
    with app.app_context():
        therapy_session = db.session.get_one(TherapySession, uuid.UUID(session["id"]))
        message = report.stage_draft_build(db.session, therapy_session)
        db.session.commit()  # publishes what the transaction staged
        message_id = message.id

    rows = wait_for(lambda: stored_versions(app, session["id"]), timeout=10)

    assert [(r["number"], r["kind"]) for r in rows] == [(1, "draft")]
    with app.app_context():
        done = select(OutboxMessage.done_at).where(OutboxMessage.id == message_id)
        assert wait_for(lambda: db.session.scalar(done), timeout=5)
        # a second run (a relay re-publish) changes nothing
        build_report_draft.run(session["id"])
    assert stored_versions(app, session["id"]) == rows
