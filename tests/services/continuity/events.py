"""Compact event builders for fold tests: times are minutes after 14:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from teleframe.services.providers import Event

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
START = T0
END = T0 + timedelta(minutes=50)


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def event(kind: str, minute: float, who: str | None = None, **fields: str | None) -> Event:
    key = f"{kind}|{who}|{minute}|{sorted(fields.items())}"
    return Event(kind, at(minute), "test", key, participant_key=who, **fields)  # type: ignore[arg-type]


def joined(minute: float, who: str, role: str | None = None, link: str | None = None) -> Event:
    return event("participant.joined", minute, who, role=role, connection_key=link)


def left(
    minute: float,
    who: str,
    reason: str = "unknown",
    role: str | None = None,
    link: str | None = None,
) -> Event:
    return event("participant.left", minute, who, reason=reason, role=role, connection_key=link)


def started(minute: float = 0) -> Event:
    return event("session.started", minute)


def ended(minute: float = 50) -> Event:
    return event("session.ended", minute)


def modality(minute: float, mode: str, reason: str | None = None) -> Event:
    return event("modality.changed", minute, modality=mode, reason=reason)


def invoked(minute: float) -> Event:
    return event("backup_plan.invoked", minute, role="clinician")
