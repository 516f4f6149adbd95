"""What /healthz reports: database, broker, worker, beat and outbox lag, each on its own.

Every probe catches its own failure, so one dependency being down is reported as such and
never turns the answer into a 500. Probes use short timeouts: a health check that hangs on a
stuck dependency is no health check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import redis
from flask import Flask
from sqlalchemy import text

from teleframe.db import outbox
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.runtime import heartbeat

log = logging.getLogger(__name__)
Probe = dict[str, Any]


def _database() -> Probe:
    db.session.execute(text("SELECT 1"))
    return {"up": True}


def _outbox() -> Probe:
    pending, oldest = outbox.lag(db.session)
    return {"up": True, "pending": pending, "oldest_age_seconds": _age(oldest)}


def _age(created_at: datetime | None) -> float | None:
    if created_at is None:
        return None
    if created_at.tzinfo is None:  # SQLite hands back naive UTC
        created_at = created_at.replace(tzinfo=utcnow().tzinfo)
    return round((utcnow() - created_at).total_seconds(), 1)


def _broker(broker: redis.Redis) -> Probe:
    broker.ping()
    return {"up": True}


def _worker(broker: redis.Redis, queue: str) -> Probe:
    count, age = heartbeat.workers(broker, queue)
    return {"up": count > 0, "consuming": count, "last_heartbeat_seconds": _rounded(age)}


def _beat(broker: redis.Redis, queue: str) -> Probe:
    age = heartbeat.beat_age(broker, queue)
    up = age is not None and age <= heartbeat.STALE_SECONDS
    return {"up": up, "last_heartbeat_seconds": _rounded(age)}


def _rounded(age: float | None) -> float | None:
    return None if age is None else round(age, 1)


def _safely(name: str, probe: Callable[[], Probe]) -> Probe:
    try:
        return probe()
    except Exception as error:  # a probe reports its failure; it never raises
        log.warning("health: %s unreachable (%s)", name, type(error).__name__)
        return {"up": False, "error": type(error).__name__}


def report(app: Flask) -> tuple[dict[str, Any], bool]:
    """Every check, and whether all are up."""
    settings = app.config["TELEFRAME_SETTINGS"]
    # a connection per report: nothing stale kept between probes a few seconds apart
    with heartbeat.client(settings.broker_url) as broker:
        checks = _checks(broker, settings.queue)
    _end_transaction()
    healthy = all(check["up"] for check in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, healthy


def _checks(broker: redis.Redis, queue: str) -> dict[str, Probe]:
    return {
        "database": _safely("database", _database),
        "broker": _safely("broker", lambda: _broker(broker)),
        "worker": _safely("worker", lambda: _worker(broker, queue)),
        "beat": _safely("beat", lambda: _beat(broker, queue)),
        "outbox": _safely("outbox", _outbox),
    }


def _end_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the pool replaces it
        log.debug("health: rollback after probes failed", exc_info=True)
