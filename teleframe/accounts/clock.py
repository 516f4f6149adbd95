"""The one place accounts read the time, so tests can move it."""

from __future__ import annotations

from datetime import datetime

from teleframe.models.base import utcnow


def now() -> datetime:
    return utcnow()
