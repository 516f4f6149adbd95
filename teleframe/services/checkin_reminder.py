"""When a session's missing check-in is worth an outbound `checkin.missing`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from teleframe.services.outbound import Outbound, checkin_missing


def notice_at(scheduled_start: datetime, window: dict[str, Any]) -> datetime:
    """The policy's lead time before the start (inside the open check-in window)."""
    return scheduled_start - timedelta(minutes=window["missing_notice_minutes_before_start"])


def missing_checkin(
    now: datetime,
    scheduled_start: datetime,
    scheduled_end: datetime,
    window: dict[str, Any],
    *,
    has_checkin: bool,
) -> Outbound | None:
    """`checkin.missing` from the notice time until the session's scheduled end, while no
    check-in has come; the event's identity makes it once per session."""
    due = notice_at(scheduled_start, window)
    if has_checkin or not due <= now < scheduled_end:
        return None
    opened = scheduled_start - timedelta(minutes=window["opens_minutes_before_start"])
    return checkin_missing(scheduled_start, opened_at=opened)
