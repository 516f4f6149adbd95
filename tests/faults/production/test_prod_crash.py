"""A crash between commit and publish: API workers killed under load, and work committed with
no publish at all. The client's retry with its Idempotency-Key gets the first answer; the relay
publishes what was never sent."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from config.settings import load_settings
from tests.faults.production import scenario
from tests.samples import GOOD_CHECKIN

pytestmark = pytest.mark.faults


def test_api_workers_killed_and_publish_lost(stack, monkeypatch):
    def fault() -> None:
        for _ in range(2):
            workers = stack.api_workers()
            assert workers, "gunicorn has no workers"
            os.kill(workers[0], signal.SIGKILL)  # the master starts another
            time.sleep(1.5)

    def committed_never_published() -> list[str]:
        return [_stage_without_publishing(stack, monkeypatch) for _ in range(3)]

    outcome = scenario.run(
        stack,
        "gunicorn workers kill -9 (twice); 3 check-ins committed, never published",
        fault,
        bound=30,
        extra=committed_never_published,
    )
    outcome.assert_held()


def _stage_without_publishing(stack, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """As if the API process died right after its commit: the outbox row is all there is."""
    from teleframe import create_app
    from teleframe.api.sessions.schemas import CheckInCreateSchema
    from teleframe.extensions import db
    from teleframe.models import TherapySession
    from teleframe.operations.checkin import submit

    for name, value in stack.env.items():
        if name.startswith("TELEFRAME_"):
            monkeypatch.setenv(name, value)
    app = create_app(load_settings())
    session_id = scenario.make_sessions(stack, 1)[0]
    with app.app_context():
        therapy_session = db.session.get_one(TherapySession, uuid.UUID(session_id))
        checkin = submit(
            db.session, therapy_session, CheckInCreateSchema().load(GOOD_CHECKIN), source="api"
        )
        db.session.info.pop("teleframe.outbox.staged")  # the publish that never happened
        db.session.commit()
        made = str(checkin.id)
    with app.app_context():
        db.engine.dispose()
    return made
