"""When failing work is tried again, when it is parked, and the reason it is parked with.

A row of batch work (a stored webhook, a staged check-in, a report build, a delivery) that
fails is tried again with backoff a few times, then parked: set aside with a reason code so
the rest of the batch, and every other practice's work, goes on. Reasons are error classes and
field names, never values: a reason is shown to the practice's admin and counted in metrics.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_FAILURES = 5
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(minutes=10)
REASON_LENGTH = 100


def backoff(failures: int) -> timedelta:
    """5 s, 10 s, 20 s, ... after the first, second, third failure; at most 10 minutes."""
    return min(FIRST_RETRY * 2 ** max(failures - 1, 0), LONGEST_RETRY)


def should_park(failures: int) -> bool:
    return failures >= MAX_FAILURES


def next_try(failures: int, now: datetime) -> datetime | None:
    """When to try again after `failures` failures; None when the row is to be parked."""
    return None if should_park(failures) else now + backoff(failures)


def reason(error: BaseException) -> str:
    """`PayloadInvalid:event_ts`, `DataError:StringDataRightTruncation`, `ValueError`: what
    went wrong and where, never the offending value (it may be PHI)."""
    fields = getattr(error, "errors", None)
    if isinstance(fields, dict) and fields:
        code = type(error).__name__ + ":" + ",".join(sorted(str(key) for key in fields))
    else:
        code = type(error).__name__
        cause = getattr(error, "orig", None)  # a database driver's error wrapped by SQLAlchemy
        if cause is not None:
            code += ":" + type(cause).__name__
    return code[:REASON_LENGTH]
