"""Housekeeping that keeps stored state bounded."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app

from teleframe import tasks
from teleframe.extensions import db
from teleframe.operations import idempotency

log = logging.getLogger(__name__)


@shared_task(name=tasks.PURGE_IDEMPOTENCY_KEYS)
def purge_idempotency_keys() -> int:
    """Hourly: forget Idempotency-Keys past their window (24 h by default)."""
    hours = current_app.config["TELEFRAME_SETTINGS"].idempotency_key_hours
    purged = idempotency.purge(db.session, timedelta(hours=hours))
    log.info("forgot %d idempotency key(s)", purged)
    return purged
