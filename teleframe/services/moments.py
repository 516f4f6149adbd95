"""How teleframe writes a moment: RFC 3339 in UTC with the `Z` suffix, everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
