"""Claims take work round-robin across practices: a backlog in one practice does not push
another practice's newer work out of the batch."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from teleframe import tasks
from teleframe.db import outbox
from teleframe.extensions import db
from teleframe.models import InboundEvent, OutboxMessage
from teleframe.models.base import utcnow
from teleframe.operations import ingest
from tests.hooks.conftest import HookClient
from tests.isolation.hostile import ZOOM_ROOM, now, zoom_body
from tests.services.providers import signing


def _set_aside_other_practices(column: Any, *practices: uuid.UUID) -> None:
    """Work other tests left waiting in the shared database, done for this transaction only
    (rolled back at the end), so the claim sees these two practices alone."""
    model = column.class_
    db.session.execute(
        update(model)
        .where(column.is_(None), model.practice_id.not_in(practices))
        .values({column.key: utcnow()})
    )


def test_a_webhook_backlog_in_one_practice_does_not_starve_another(quiet_app, quiet_practice):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    flood = HookClient(hostile, "zoom", signing.ZOOM_SECRET)
    for _ in range(30):
        assert flood.send(signing.zoom(zoom_body(ZOOM_ROOM), timestamp=now())).status_code == 200
    mine = HookClient(victim, "zoom", signing.ZOOM_SECRET)
    assert mine.send(signing.zoom(zoom_body(ZOOM_ROOM), timestamp=now())).status_code == 200
    with quiet_app.app_context():
        _set_aside_other_practices(InboundEvent.processed_at, hostile.id, victim.id)
        claimed = ingest.claim_inbound(db.session, 5, utcnow())
        practices = [row.practice_id for row in claimed]
        assert victim.id in practices  # oldest-first alone would give B's five
        assert practices.count(hostile.id) == 4
        db.session.rollback()


def test_staged_check_ins_are_claimed_round_robin_across_practices(quiet_app, quiet_practice):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    with quiet_app.app_context():
        for _ in range(30):
            outbox.stage(db.session, hostile.id, tasks.EVALUATE_CHECKIN, str(uuid.uuid4()))
        db.session.flush()
        own = outbox.stage(db.session, victim.id, tasks.EVALUATE_CHECKIN, str(uuid.uuid4()))
        db.session.flush()
        _set_aside_other_practices(OutboxMessage.done_at, hostile.id, victim.id)
        claimed = outbox.claim_staged(db.session, tasks.EVALUATE_CHECKIN, 4)
        assert own.id in {row.id for row in claimed}
        db.session.rollback()  # nothing published: staged rows rolled back


def test_the_row_a_task_was_sent_for_leads_its_batch(quiet_app, quiet_practice):
    practice = quiet_practice()
    with quiet_app.app_context():
        rows = [
            outbox.stage(db.session, practice.id, tasks.EVALUATE_CHECKIN, str(uuid.uuid4()))
            for _ in range(5)
        ]
        db.session.flush()
        newest = rows[-1]
        claimed = outbox.claim_staged(db.session, tasks.EVALUATE_CHECKIN, 2, first=newest.id)
        assert claimed[0].id == newest.id
        found = outbox.own_row(db.session, tasks.EVALUATE_CHECKIN, None, list(newest.args))
        assert found == newest.id  # a message sent by hand finds its row by its arguments
        db.session.rollback()
