"""Tolerant readers for the loosely shaped JSON the report is built from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def pick(value: Any, keys: Sequence[str]) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {key: value.get(key) for key in keys}


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def minutes_between(start: Any, end: Any) -> float | None:
    started, ended = parse_time(start), parse_time(end)
    if started is None or ended is None:
        return None
    return round((ended - started).total_seconds() / 60, 2)
