"""How teleframe writes a moment: RFC 3339 in UTC with the `Z` suffix, everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class OutOfRange(ValueError):
    """A moment outside what teleframe stores: before 1970 or from 2200 on, in UTC."""


def bounded_utc(value: datetime) -> datetime:
    """`value` in UTC when it lies in [1970, 2200); an offset at the calendar's edge (such as
    9999-12-31T23:59:59-23:59) would otherwise overflow only once converted."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        raise OutOfRange("outside the years teleframe accepts") from None
    if not EARLIEST <= moment < LATEST:
        raise OutOfRange("outside the years teleframe accepts")
    return moment
