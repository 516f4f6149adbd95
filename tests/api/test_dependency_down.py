"""A dependency that is down answers 503 with Retry-After, and the broker is skipped while down.

Against nothing listening on a free loopback port: real refused connections, no mocks. The
stopped, frozen and restarted cases with real processes are in tests/faults/production/.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from teleframe.db import breaker
from teleframe.extensions import db
from teleframe.models import CheckIn, OutboxMessage
from teleframe.models.base import utcnow
from tests.conftest import PracticeHandle
from tests.integration.http import free_port
from tests.samples import GOOD_CHECKIN


@pytest.fixture
def closed_breaker() -> Iterator[None]:
    breaker.broker.reset()
    yield
    breaker.broker.reset()


def test_database_down_is_503_with_retry_after(settings):
    from teleframe import create_app

    gone = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    app = create_app(dataclasses.replace(settings, database_url=gone), TESTING=True)
    http = app.test_client()
    for path in ("/healthz", f"/v1/sessions/{uuid.uuid4()}"):
        response = http.get(path, headers={"Authorization": "Bearer tf_" + "x" * 40})
        assert response.status_code == 503, (path, response.get_data())
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"] == str(settings.retry_after_seconds)
        assert response.get_json()["status"] == 503
    posted = http.post(
        f"/v1/sessions/{uuid.uuid4()}/checkins",
        json=GOOD_CHECKIN,
        headers={"Authorization": "Bearer tf_" + "x" * 40, "Idempotency-Key": "down-1"},
    )
    assert posted.status_code == 503


def test_broker_down_still_accepts_and_the_relay_is_due_at_once(
    settings, make_practice, closed_breaker
):
    from teleframe import create_app

    gone = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(dataclasses.replace(settings, broker_url=gone), TESTING=True)
    practice = make_practice()
    handle = PracticeHandle(app, practice.id, practice.key)
    session = practice.session()
    first = handle.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    assert first.status_code == 202
    assert breaker.broker.is_open()  # the failed publish opened it
    second = handle.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    assert second.status_code == 202
    with app.app_context():
        checkin_ids = {
            uuid.UUID(first.get_json()["checkin_id"]),
            uuid.UUID(second.get_json()["checkin_id"]),
        }
        assert (
            len(db.session.scalars(select(CheckIn).where(CheckIn.id.in_(checkin_ids))).all()) == 2
        )
        staged = {
            message.args[0]: message
            for message in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.practice_id == practice.id)
            )
        }
        # staged while the broker was known down: due for the relay now, not after the grace
        later = staged[second.get_json()["checkin_id"]]
        assert later.next_attempt_at <= utcnow()
        assert staged[first.get_json()["checkin_id"]].next_attempt_at > utcnow() + timedelta(
            seconds=1
        )
    with app.app_context():
        db.engine.dispose()


def test_a_reply_that_never_comes_is_abandoned_and_the_connection_discarded(pg_url):
    """The client-side deadline that bounds a frozen server (which cannot enforce its own
    statement_timeout). It rests on psycopg's `Connection.wait(timeout=...)` and its private
    `_WaitTimeout`: if an upgrade changes either, this fails."""
    import psycopg

    from teleframe.db.engine import BoundedConnection

    connection = BoundedConnection.connect(pg_url.replace("+psycopg", ""), autocommit=True)
    connection.reply_timeout = 0.5
    try:
        with pytest.raises(psycopg.OperationalError, match="did not reply"):
            connection.execute("SELECT pg_sleep(3)")
        assert connection.closed  # never reused: its protocol state is unknown
    finally:
        connection.close()


def test_the_engine_gives_the_database_its_bounds(app, settings):
    with app.app_context():
        limits = {
            name: db.session.execute(text(f"SHOW {name}")).scalar()
            for name in ("statement_timeout", "lock_timeout")
        }
    assert limits == {
        "statement_timeout": f"{settings.db_statement_timeout_ms // 1000}s",
        "lock_timeout": f"{settings.db_lock_timeout_ms // 1000}s",
    }
