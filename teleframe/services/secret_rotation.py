"""Rotating a signing secret with an overlap: the old secret keeps working for a while, so the
other side can switch without losing a message. Used for outbound endpoints (teleframe signs
with both) and inbound integrations (teleframe accepts either)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

OVERLAP = timedelta(hours=24)
MAX_OVERLAP = timedelta(days=7)


class Rotating(Protocol):
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None


def rotate(row: Rotating, new_secret: str, now: datetime, overlap: timedelta = OVERLAP) -> None:
    """The new secret becomes current; the current one stays valid for `overlap`. A secret
    already in its overlap is dropped at once (only one previous secret is kept)."""
    row.previous_secret = row.secret if overlap > timedelta(0) else None
    row.previous_secret_until = now + overlap if overlap > timedelta(0) else None
    row.secret = new_secret


def active(row: Rotating, now: datetime) -> tuple[str, ...]:
    """The secrets valid at `now`, the current one first."""
    return active_secrets(row.secret, row.previous_secret, row.previous_secret_until, now)


def active_secrets(
    current: str, previous: str | None, until: datetime | None, now: datetime
) -> tuple[str, ...]:
    if previous and until is not None and now < until:
        return (current, previous)
    return (current,)
