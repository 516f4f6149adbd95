"""Each app's sessions publish staged work to that app's own Celery app, with its own grace:
the outbox is handed a `Relay` at set-up and never asks Flask which app is at hand."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import breaker, outbox
from teleframe.extensions import db
from teleframe.models import OutboxMessage
from tests.conftest import new_practice


@pytest.fixture
def two_apps(settings: Any) -> Iterator[list[Any]]:
    """Two apps on one database, each with its own queues and grace."""
    from teleframe import create_app

    made = []
    for grace in (3, 7):
        prefix = f"teleframe-relay-{uuid.uuid4().hex[:8]}"
        own = dataclasses.replace(settings, queue=prefix, relay_grace_seconds=grace)
        made.append(create_app(own, TESTING=True))
    broker = redis.Redis.from_url(settings.broker_url)
    for app in made:
        with app.extensions["celery"].connection_for_write() as connection:
            for queue in app.extensions["celery"].amqp.queues.values():
                queue(connection).declare()
    breaker.broker.reset()  # an earlier test's outage must not skip the publish
    yield made
    for app in made:
        prefix = app.config["TELEFRAME_SETTINGS"].queue
        broker.delete(*tasks.queues(prefix), f"_kombu.binding.{prefix}")
        with app.app_context():
            db.engine.dispose()


def _queued(broker: redis.Redis, app: Any) -> int:
    return sum(broker.llen(q) for q in tasks.queues(app.config["TELEFRAME_SETTINGS"].queue))


def test_each_app_publishes_its_staged_work_through_its_own_celery(settings, two_apps):
    broker = redis.Redis.from_url(settings.broker_url)
    practice = new_practice(two_apps[0])
    staged: list[uuid.UUID] = []
    try:
        for index, app in enumerate(two_apps):
            with app.app_context():
                assert outbox.relay_of(db.session).celery is app.extensions["celery"]
                message = outbox.stage(db.session, practice.id, tasks.FOLD_SESSION, "x")
                staged.append(message.id)
                grace = message.next_attempt_at - message.created_at
                assert grace == timedelta(seconds=(3, 7)[index])  # this app's own grace
                db.session.commit()  # publishes on commit
            assert [_queued(broker, each) for each in two_apps] == [
                int(each is app) for each in two_apps
            ]
            broker.delete(*tasks.queues(app.config["TELEFRAME_SETTINGS"].queue))
    finally:
        with two_apps[0].app_context():  # the relay has nothing left to send again
            rows = [db.session.get(OutboxMessage, key) for key in staged]
            outbox.mark_all_done(db.session, [row for row in rows if row is not None])
            db.session.commit()


def test_a_session_made_without_the_binding_uses_the_defaults(settings, two_apps):
    broker = redis.Redis.from_url(settings.broker_url)
    plain = Session()
    relay = outbox.relay_of(plain)
    assert relay is outbox.DEFAULT_RELAY
    assert (relay.grace, relay.broker_down_seconds) == (outbox.RELAY_GRACE, 5.0)
    message = outbox.stage(plain, uuid.uuid4(), tasks.FOLD_SESSION, "x")
    assert message.next_attempt_at - message.created_at == outbox.RELAY_GRACE
    plain.rollback()
    with two_apps[0].app_context():  # an app at hand changes nothing for such a session
        assert outbox.relay_of(plain) is outbox.DEFAULT_RELAY
        outbox.kick(plain, tasks.FOLD_SESSION, "x")
        plain.commit()  # publishes on commit, through the process's default Celery app
    # which is Celery's own `current_app`: the app made last (`register_celery` sets it)
    assert [_queued(broker, each) for each in two_apps] == [0, 1]
