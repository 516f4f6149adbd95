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
        """One API worker at a time, so the other keeps serving (as a second replica would)."""
        killed: list[int] = []
        for _ in range(2):
            survivors = [pid for pid in stack.api_workers() if pid not in killed]
            assert survivors, "gunicorn has no workers"
            killed.append(min(survivors))  # the oldest: never the one still booting
            os.kill(killed[-1], signal.SIGKILL)  # the master starts another
            time.sleep(6)

    never_published: list[str] = []

    def committed_never_published() -> list[str]:
        never_published.extend(_stage_without_publishing(stack, monkeypatch, count=3))
        return never_published

    outcome = scenario.run(
        stack,
        "gunicorn workers kill -9 (twice); 3 check-ins committed, never published",
        fault,
        bound=30,
        extra=committed_never_published,
    )
    outcome.assert_held()
    lags = stack.pg.query(
        "SELECT extract(epoch FROM e.evaluated_at - c.submitted_at) FROM checkins c"
        " JOIN evaluations e ON e.checkin_id = c.id WHERE c.id = ANY(%s::uuid[])",
        never_published,
    )
    slowest = max(float(lag) for (lag,) in lags)  # type: ignore[arg-type]
    print(f"never published: evaluated {slowest:.1f} s after commit (relay grace 5 s, tick 2 s)")
    assert len(lags) == 3 and slowest <= 20


def _stage_without_publishing(stack, monkeypatch, count: int) -> list[str]:  # type: ignore[no-untyped-def]
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
    made = []
    for session_id in scenario.make_sessions(stack, count):
        with app.app_context():
            therapy_session = db.session.get_one(TherapySession, uuid.UUID(session_id))
            answers = CheckInCreateSchema().load(GOOD_CHECKIN)
            checkin = submit(db.session, therapy_session, answers, source="api")
            db.session.info.pop("teleframe.outbox.staged")  # the publish that never happened
            db.session.commit()
            made.append(str(checkin.id))
    with app.app_context():
        db.engine.dispose()
    return made
