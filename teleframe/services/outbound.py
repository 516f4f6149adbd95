"""Which outbound events a change calls for: pure functions of the previous and the new state.

Every event has an identity within its session, `(type, occurrence)`; the database records each
identity once, so emitting the same event again is harmless and a re-run emits nothing new. An
outage's identity is its start time: its `disruption.started` and `disruption.resolved` share it.
Payloads are thin: ids, codes and times, never PHI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from teleframe.services.continuity import Continuity, Outage, Protocol, due_actions
from teleframe.services.moments import rfc3339
from teleframe.services.session_state import Move, SessionState


@dataclass(frozen=True)
class Outbound:
    type: str
    occurrence: str  # the event's identity within its session, with its type
    facts: dict[str, Any] = field(default_factory=dict, compare=True)

    @property
    def key(self) -> tuple[str, str]:
        return self.type, self.occurrence


def outage_events(previous: Continuity | None, current: Continuity) -> list[Outbound]:
    """A start for each outage new since `previous`, a resolve for each that ended since.

    An outage that `previous` showed open and `current` no longer has at all (late events
    showed there was no break) is resolved as withdrawn, so every start has its resolve.
    """
    before = {outage.start_at: outage for outage in previous.outages} if previous else {}
    now_seen = {outage.start_at for outage in current.outages}
    events = []
    for outage in current.outages:
        earlier = before.get(outage.start_at)
        if earlier is None:
            events.append(Outbound("disruption.started", _id(outage), _started(outage)))
        if outage.end_at is not None and (earlier is None or earlier.end_at is None):
            events.append(Outbound("disruption.resolved", _id(outage), _resolved(outage)))
    for start, outage in before.items():
        if start not in now_seen and outage.end_at is None:
            withdrawn = {**_started(outage), "withdrawn": True}
            events.append(Outbound("disruption.resolved", _id(outage), withdrawn))
    return events


def protocol_events(current: Continuity, protocol: Protocol, *, now: datetime) -> list[Outbound]:
    """What the disruption protocol calls for at `now`: `backup_plan.due` once per outage,
    `reschedule.suggested` once per session."""
    outage = current.open_outage
    events = []
    for action in due_actions(current, protocol, now=now):
        facts: dict[str, Any] = {"at": rfc3339(now)}
        if outage is not None:
            facts["outage_started_at"] = rfc3339(outage.start_at)
        per_outage = action == "backup_plan.due" and outage is not None
        events.append(Outbound(action, _id(outage) if per_outage and outage else "", facts))
    return events


def move_events(move: Move, current: Continuity) -> list[Outbound]:
    """`session.ended` when, and only when, the session moved to ended."""
    if move.after != SessionState.ended or not move.changed or current.ended_at is None:
        return []
    return [Outbound("session.ended", "", {"ended_at": rfc3339(current.ended_at)})]


def continuity_events(
    previous: Continuity | None,
    current: Continuity,
    protocol: Protocol,
    move: Move,
    *,
    now: datetime,
) -> list[Outbound]:
    return [
        *outage_events(previous, current),
        *protocol_events(current, protocol, now=now),
        *move_events(move, current),
    ]


def evaluation_events(
    checkin_id: str,
    submitted_at: datetime,
    status: str,
    codes: Iterable[str],
    *,
    is_latest: bool,
) -> list[Outbound]:
    """`checkin.submitted` and `checkin.evaluated` for every check-in; `frame.blocked` or
    `frame.attention` only for the session's latest, which is its current frame."""
    ref = {"checkin_id": checkin_id}
    events = [
        Outbound("checkin.submitted", checkin_id, {**ref, "submitted_at": rfc3339(submitted_at)}),
        Outbound(
            "checkin.evaluated", checkin_id, {**ref, "status": status, "codes": sorted(set(codes))}
        ),
    ]
    if is_latest and status in ("blocked", "attention"):
        events.append(Outbound(f"frame.{status}", checkin_id, ref))
    return events


def checkin_missing(scheduled_start: datetime, *, opened_at: datetime) -> Outbound:
    """Once per session (one identity): no check-in has come although the window is open."""
    return Outbound(
        "checkin.missing",
        "",
        {"scheduled_start": rfc3339(scheduled_start), "window_opened_at": rfc3339(opened_at)},
    )


def _id(outage: Outage) -> str:
    return rfc3339(outage.start_at)


def _started(outage: Outage) -> dict[str, Any]:
    return {"started_at": rfc3339(outage.start_at)}


def _resolved(outage: Outage) -> dict[str, Any]:
    assert outage.end_at is not None
    return {
        "started_at": rfc3339(outage.start_at),
        "resolved_at": rfc3339(outage.end_at),
        "seconds": outage.seconds,
    }
