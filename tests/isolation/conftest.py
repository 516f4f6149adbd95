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
from tests.conftest import new_practice


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
    return lambda name="Practice": new_practice(quiet_app, name)
