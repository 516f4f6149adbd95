"""Sign-in session lifetimes, lockout and freshness: plain functions over times and counts."""

from __future__ import annotations

from datetime import datetime, timedelta

IDLE_TIMEOUT = timedelta(minutes=15)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
FRESH_FOR = timedelta(minutes=5)  # re-authentication counts for signing this long
LOCK_AFTER_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
LINK_LIFETIME = timedelta(hours=72)


def session_expired(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at > IDLE_TIMEOUT or now - created_at > ABSOLUTE_TIMEOUT


def fresh(reauthenticated_at: datetime | None, now: datetime) -> bool:
    return reauthenticated_at is not None and now - reauthenticated_at <= FRESH_FOR


def locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def lock_after_failure(failed_count: int, now: datetime) -> datetime | None:
    """When the account unlocks, if this failure (already counted) locks it."""
    return now + LOCK_FOR if failed_count >= LOCK_AFTER_FAILURES else None
