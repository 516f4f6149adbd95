"""In-process isolation tests run batches themselves: their app publishes to queues of its own
that no worker consumes, so the shared worker never races them for the rows they stage."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from config.settings import Settings
from teleframe import tasks
from tests.conftest import PracticeHandle


@pytest.fixture(scope="session")
def quiet_app(settings: Settings) -> Iterator[Any]:
    from teleframe import create_app
    from teleframe.extensions import db

    quiet = dataclasses.replace(settings, queue=f"teleframe-quiet-{uuid.uuid4().hex[:8]}")
    made = create_app(quiet, TESTING=True)
    yield made
    with made.app_context():
        db.engine.dispose()
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(settings.broker_url).delete(*tasks.queues(quiet.queue))


@pytest.fixture
def quiet_practice(quiet_app: Any) -> Any:
    from teleframe.api.auth import issue_key
    from teleframe.extensions import db
    from teleframe.models import Practice
    from teleframe.operations import policy

    def make(name: str = "Practice") -> PracticeHandle:
        with quiet_app.app_context():
            practice = Practice(id=uuid.uuid4(), name=name)
            db.session.add(practice)
            db.session.flush()
            policy.ensure_default(db.session, practice.id)
            key = issue_key(db.session, practice.id)
            db.session.commit()
            return PracticeHandle(quiet_app, practice.id, key)

    return make
