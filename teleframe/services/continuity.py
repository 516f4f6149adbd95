"""The continuity fold: a session's platform events in, its disruption record out.

Pure and order-free: events are deduplicated on `dedupe_key` and walked in occurrence order, so
the same set of events gives the same record however and however often they arrived.

Contact means the client and the clinician are both connected (with roles unknown: two
participants), or the session has moved to phone. An outage is a break in contact after the two
had first been in contact; it ends when contact resumes (a rejoin, or the switch to phone). A
final break ends the session instead of counting as an outage when it was intentional, came
within `reconnect_wait_seconds` of the scheduled end, or (with no stated reason) was shorter
than that wait before the room emptied or the session ended.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from teleframe.services.providers import Event, rfc3339

# At one instant: note the start, then modality and backup changes, then a leave before a join
# (a reconnection within the same second), and the end last.
KIND_ORDER = {
    "session.started": 0,
    "modality.changed": 1,
    "backup_plan.invoked": 2,
    "participant.left": 3,
    "participant.joined": 4,
    "media.degraded": 5,
    "session.ended": 6,
}
INTENTIONAL = frozenset({"client_left", "removed"})
AUDIO_ONLY_REASONS = {
    "client_not_capable": "the client could not use video",
    "client_declined_video": "the client did not consent to video",
}
LATE_START = timedelta(minutes=5)
MODALITY_WORDS = {"phone": "by phone", "audio_only": "audio-only", "video": "on video"}


@dataclass(frozen=True)
class Protocol:
    reconnect_wait_seconds: int = 60
    backup_plan_due_after_seconds: int = 120
    suggest_reschedule_after_seconds: int = 900

    def __post_init__(self) -> None:
        for item in fields(self):
            if getattr(self, item.name) < 0:
                raise ValueError(f"disruption.{item.name} cannot be negative")

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> Protocol:
        disruption = policy.get("disruption") or {}
        given = {
            item.name: int(disruption[item.name])
            for item in fields(cls)
            if disruption.get(item.name) is not None
        }
        return cls(**given)


@dataclass(frozen=True)
class Outage:
    start_at: datetime
    end_at: datetime | None  # None while contact is still lost
    seconds: int  # so far, for an open outage: up to the latest event
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_at": rfc3339(self.start_at),
            "end_at": _time(self.end_at),
            "seconds": self.seconds,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ModalitySegment:
    modality: str
    start_at: datetime
    end_at: datetime | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "modality": self.modality,
            "start_at": rfc3339(self.start_at),
            "end_at": _time(self.end_at),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class BackupPlan:
    due_at: datetime | None
    invoked_at: datetime | None
    followed: bool | None  # None when it never fell due


@dataclass(frozen=True)
class Billing:
    modifier: str | None
    audio_only_reason: str | None


@dataclass(frozen=True)
class Continuity:
    started_at: datetime | None
    ended_at: datetime | None
    drops: int
    outages: tuple[Outage, ...]
    effective_contact_seconds: float
    modality_segments: tuple[ModalitySegment, ...]
    backup_plan: BackupPlan
    reschedule_suggested_at: datetime | None
    billing: Billing
    events_after_signature: int
    event_count: int
    summary: str

    @property
    def total_outage_seconds(self) -> int:
        return sum(outage.seconds for outage in self.outages)

    @property
    def longest_outage_seconds(self) -> int:
        return max((outage.seconds for outage in self.outages), default=0)

    @property
    def open_outage(self) -> Outage | None:
        last = self.outages[-1] if self.outages else None
        return last if last is not None and last.end_at is None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": _time(self.started_at),
            "ended_at": _time(self.ended_at),
            "drops": self.drops,
            "outages": [outage.to_dict() for outage in self.outages],
            "total_outage_seconds": self.total_outage_seconds,
            "longest_outage_seconds": self.longest_outage_seconds,
            "effective_contact_minutes": round(self.effective_contact_seconds / 60, 1),
            "modality_segments": [segment.to_dict() for segment in self.modality_segments],
            "backup_plan": {
                "due_at": _time(self.backup_plan.due_at),
                "invoked_at": _time(self.backup_plan.invoked_at),
                "followed": self.backup_plan.followed,
            },
            "reschedule_suggested_at": _time(self.reschedule_suggested_at),
            "billing": {
                "modifier": self.billing.modifier,
                "audio_only_reason": self.billing.audio_only_reason,
            },
            "events_after_signature": self.events_after_signature,
            "event_count": self.event_count,
            "summary": self.summary,
        }


def fold(
    events: Iterable[Event],
    protocol: Protocol,
    *,
    scheduled_start: datetime,
    scheduled_end: datetime,
    signed_at: datetime | None = None,
) -> Continuity:
    """Fold events into continuity. Events received after `signed_at` are counted, not folded."""
    unique = _dedupe(events)
    late = {event for event in unique if signed_at is not None and _arrival(event) > signed_at}
    timeline = sorted((event for event in unique if event not in late), key=_order)
    walk = _Walk(timeline, protocol, scheduled_end)
    walk.run()
    outages = tuple(walk.outages())
    segments = tuple(walk.segments())
    backup = _backup_plan(outages, walk.invocations, protocol)
    continuity = Continuity(
        started_at=walk.started_at(),
        ended_at=walk.ended_at,
        drops=walk.drops,
        outages=outages,
        effective_contact_seconds=walk.contact_seconds,
        modality_segments=segments,
        backup_plan=backup,
        reschedule_suggested_at=_reschedule_at(outages, protocol),
        billing=_billing(segments),
        events_after_signature=len(late),
        event_count=len(unique),
        summary="",
    )
    late_by = _late_start(walk.first_contact_at, scheduled_start)
    return replace(continuity, summary=_summary(continuity, walk.first_contact_at, late_by))


def due_actions(continuity: Continuity, protocol: Protocol, *, now: datetime) -> list[str]:
    """What the disruption protocol calls for now: `backup_plan.due`, `reschedule.suggested`."""
    if continuity.ended_at is not None:
        return []
    actions = []
    lost = continuity.total_outage_seconds
    outage = continuity.open_outage
    if outage is not None:
        waited = max(0.0, (now - outage.start_at).total_seconds())
        lost += int(waited) - outage.seconds
        invoked = continuity.backup_plan.invoked_at
        answered = invoked is not None and invoked >= outage.start_at
        if waited >= protocol.backup_plan_due_after_seconds and not answered:
            actions.append("backup_plan.due")
    if lost >= protocol.suggest_reschedule_after_seconds:
        actions.append("reschedule.suggested")
    return actions


class _Walk:
    """One pass over the ordered events, tracking who is connected and whether there is contact."""

    def __init__(self, events: list[Event], protocol: Protocol, scheduled_end: datetime) -> None:
        self.events = events
        self.wait = timedelta(seconds=protocol.reconnect_wait_seconds)
        self.scheduled_end = scheduled_end
        self.roles = _roles(events)
        self.leave_reasons = _leave_reasons(events, self.roles, self.wait)
        ends = [event.occurred_at for event in events if event.kind == "session.ended"]
        self.ended_at: datetime | None = max(ends, default=None)
        self.connections: dict[str, set[str]] = {}
        self.modality = "video"
        self.in_contact = False
        self.first_contact_at: datetime | None = None
        self.contact_since: datetime | None = None
        self.contact_seconds = 0.0
        self.gap: tuple[datetime, str] | None = None
        self.gaps: list[Outage] = []
        self.changes: list[tuple[datetime, str, str | None]] = []
        self.invocations: list[datetime] = []
        self.emptied_at: datetime | None = None
        self.drops = 0
        self.last_at: datetime | None = None

    def run(self) -> None:
        for index, event in enumerate(self.events):
            if self.ended_at is not None and event.occurred_at > self.ended_at:
                break
            reason = self.leave_reasons.get(index, event.reason)
            self.apply(event, reason)
            self.update_contact(event.occurred_at, reason)
            self.last_at = event.occurred_at
        end = self.ended_at or self.last_at
        if self.in_contact and self.contact_since is not None and end is not None:
            self.contact_seconds += (end - self.contact_since).total_seconds()

    def apply(self, event: Event, reason: str | None) -> None:
        key = event.participant_key
        if event.kind == "participant.joined" and key is not None:
            self.connections.setdefault(key, set()).add(event.connection_key or "*")
        elif event.kind == "participant.left" and key is not None:
            self.leave(key, event.connection_key, reason)
        elif event.kind == "modality.changed" and event.modality is not None:
            self.change_modality(event)
        elif event.kind == "backup_plan.invoked":
            self.invocations.append(event.occurred_at)

    def leave(self, key: str, connection: str | None, reason: str | None) -> None:
        current = self.connections.get(key, set())
        if current and reason == "network" and self.first_contact_at is not None:
            self.drops += 1
        if connection is None:
            current.clear()
        else:
            current.discard(connection)

    def change_modality(self, event: Event) -> None:
        assert event.modality is not None
        if event.modality != self.modality or not self.changes:
            self.changes.append((event.occurred_at, event.modality, event.reason))
        self.modality = event.modality
        if event.modality == "phone":
            self.invocations.append(event.occurred_at)

    def update_contact(self, at: datetime, reason: str | None) -> None:
        contact = self.modality == "phone" or _has_contact(self.connected(), self.roles)
        if contact and not self.in_contact:
            self.regain(at)
        elif self.in_contact and not contact:
            assert self.contact_since is not None
            self.contact_seconds += (at - self.contact_since).total_seconds()
            self.gap = (at, reason or "unknown")
        self.in_contact = contact
        if self.connected():
            self.emptied_at = None
        elif self.emptied_at is None:
            self.emptied_at = at

    def regain(self, at: datetime) -> None:
        if self.gap is not None and at > self.gap[0]:
            self.gaps.append(_outage(self.gap[0], at, self.gap[1]))
        self.gap = None
        self.contact_since = at
        if self.first_contact_at is None:
            self.first_contact_at = at
            if not self.changes:
                self.changes.append((at, "video", None))

    def connected(self) -> set[str]:
        return {key for key, links in self.connections.items() if links}

    def started_at(self) -> datetime | None:
        starts = [e.occurred_at for e in self.events if e.kind == "session.started"]
        joins = [e.occurred_at for e in self.events if e.kind == "participant.joined"]
        return min(starts or joins, default=None) or self.first_contact_at

    def outages(self) -> list[Outage]:
        trailing = self.trailing_outage()
        return [*self.gaps, trailing] if trailing else list(self.gaps)

    def trailing_outage(self) -> Outage | None:
        """A break still open at the end: an outage, or simply how the session ended."""
        if self.in_contact or self.gap is None:
            return None
        start, reason = self.gap
        if reason in INTENTIONAL or start >= self.scheduled_end - self.wait:
            return None
        if self.ended_at is None:
            waiting = reason == "network" or bool(self.connected())
            last = self.last_at or start
            return (
                Outage(start, None, int((last - start).total_seconds()), reason)
                if waiting
                else None
            )
        end = self.ended_at
        if self.emptied_at is not None and start <= self.emptied_at < end:
            end = self.emptied_at
        if end <= start or (reason != "network" and end - start < self.wait):
            return None
        return _outage(start, end, reason)

    def segments(self) -> list[ModalitySegment]:
        if not self.changes:
            return []
        bounds = [at for at, _, _ in self.changes[1:]] + [self.ended_at]
        found = [
            ModalitySegment(modality, start, end, reason)
            for (start, modality, reason), end in zip(self.changes, bounds, strict=True)
        ]
        return [s for s in found if s.end_at is None or s.end_at > s.start_at]


def _outage(start: datetime, end: datetime, reason: str) -> Outage:
    return Outage(start, end, round((end - start).total_seconds()), reason)


def _dedupe(events: Iterable[Event]) -> list[Event]:
    """One event per dedupe key; among copies, the first received (ties broken by content)."""
    chosen: dict[str, Event] = {}
    for event in events:
        current = chosen.get(event.dedupe_key)
        if current is None or _copy_rank(event) < _copy_rank(current):
            chosen[event.dedupe_key] = event
    return list(chosen.values())


def _copy_rank(event: Event) -> tuple[datetime, str]:
    return _arrival(event), json.dumps(event.to_dict(), sort_keys=True)


def _arrival(event: Event) -> datetime:
    return event.received_at or event.occurred_at


def _order(event: Event) -> tuple[datetime, int, str, str]:
    return (
        event.occurred_at,
        KIND_ORDER[event.kind],
        event.participant_key or "",
        event.dedupe_key,
    )


def _roles(events: list[Event]) -> dict[str, str | None]:
    """Each participant's role as any of its events states it (clinician wins a conflict)."""
    roles: dict[str, str | None] = {}
    for event in events:
        if event.participant_key is None:
            continue
        stated = roles.get(event.participant_key)
        if stated != "clinician":
            roles[event.participant_key] = event.role or stated
    return roles


def _leave_reasons(
    events: list[Event], roles: dict[str, str | None], wait: timedelta
) -> dict[int, str]:
    """A leave with no stated reason, followed within the wait by a rejoin, was a drop."""
    joins = [(i, e) for i, e in enumerate(events) if e.kind == "participant.joined"]
    inferred = {}
    for index, leave in enumerate(events):
        if leave.kind != "participant.left" or leave.reason not in (None, "unknown"):
            continue
        if any(
            later > index
            and join.occurred_at - leave.occurred_at <= wait
            and _same_side(leave.participant_key, join.participant_key, roles)
            for later, join in joins
        ):
            inferred[index] = "network"
    return inferred


def _same_side(left: str | None, joined: str | None, roles: dict[str, str | None]) -> bool:
    if left is None or joined is None:
        return False
    return left == joined or (roles.get(left) == "client" and roles.get(joined) == "client")


def _has_contact(connected: set[str], roles: dict[str, str | None]) -> bool:
    known = {role for role in roles.values() if role is not None}
    if not known:
        return len(connected) >= 2
    clients = {k for k in connected if _on_side(roles.get(k), "client", known)}
    clinicians = {k for k in connected if _on_side(roles.get(k), "clinician", known)}
    return bool(clients) and bool(clinicians)


def _on_side(role: str | None, side: str, known: set[str]) -> bool:
    """With only one role ever stated, everyone else is taken to be on the other side."""
    if side in known:
        return role == side
    return role is None or role == side


def _backup_plan(
    outages: tuple[Outage, ...], invocations: list[datetime], protocol: Protocol
) -> BackupPlan:
    threshold = protocol.backup_plan_due_after_seconds
    due = next((outage for outage in outages if outage.seconds >= threshold), None)
    if due is None:
        return BackupPlan(None, min(invocations, default=None), None)
    answered = [at for at in invocations if at >= due.start_at]
    invoked_at = min(answered, default=None)
    return BackupPlan(
        due.start_at + timedelta(seconds=threshold), invoked_at, invoked_at is not None
    )


def _reschedule_at(outages: tuple[Outage, ...], protocol: Protocol) -> datetime | None:
    remaining = protocol.suggest_reschedule_after_seconds
    for outage in outages:
        if outage.seconds >= remaining:
            return outage.start_at + timedelta(seconds=remaining)
        remaining -= outage.seconds
    return None


def _billing(segments: tuple[ModalitySegment, ...]) -> Billing:
    """93 when audio-only or phone time has its reason recorded; 95 for video alone."""
    audio = [segment for segment in segments if segment.modality != "video"]
    explained = [segment.reason for segment in audio if segment.reason]
    if explained:
        return Billing("93", explained[0])
    if audio or not segments:
        return Billing(None, None)
    return Billing("95", None)


def _late_start(first_contact_at: datetime | None, scheduled_start: datetime) -> int:
    """Whole minutes contact began after the scheduled start, when at least LATE_START."""
    if first_contact_at is None or first_contact_at - scheduled_start < LATE_START:
        return 0
    return int((first_contact_at - scheduled_start).total_seconds() // 60)


def _summary(continuity: Continuity, first_contact_at: datetime | None, late_by: int) -> str:
    if continuity.event_count == 0:
        return "No session events were recorded."
    if first_contact_at is None:
        return "The client and the clinician were never connected at the same time."
    parts = [f"started {late_by} min late"] if late_by else []
    parts.append(_interruptions(len(continuity.outages)))
    if continuity.total_outage_seconds:
        parts.append(f"{_duration(continuity.total_outage_seconds)} lost")
    if outage := continuity.open_outage:
        parts.append(f"contact lost since {_clock(outage.start_at)}")
    parts.extend(_modality_words(continuity))
    backup = continuity.backup_plan
    if backup.followed is False and backup.due_at is not None:
        parts.append(f"the backup plan was due at {_clock(backup.due_at)} and not recorded as used")
    if continuity.reschedule_suggested_at is not None:
        parts.append("rescheduling was suggested")
    sentence = ", ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _interruptions(count: int) -> str:
    if count == 0:
        return "no interruptions"
    return "interrupted " + {1: "once", 2: "twice"}.get(count, f"{count} times")


def _modality_words(continuity: Continuity) -> list[str]:
    segments = continuity.modality_segments
    if not segments:
        return []
    last = segments[-1]
    if last.modality != "video":
        verb = "finished" if continuity.ended_at is not None else "continuing"
        return [
            f"{verb} {MODALITY_WORDS[last.modality]} from {_clock(last.start_at)}{_because(last.reason)}"
        ]
    return [
        f"{MODALITY_WORDS[s.modality]} from {_clock(s.start_at)} to {_clock(s.end_at)}{_because(s.reason)}"
        for s in segments
        if s.modality != "video" and s.end_at is not None
    ]


def _because(reason: str | None) -> str:
    if not reason:
        return ""
    words = AUDIO_ONLY_REASONS.get(reason, reason)
    return f" {words}" if words.startswith("because") else f" because {words}"


def _duration(seconds: int) -> str:
    return f"{seconds} s" if seconds < 60 else f"{int(seconds / 60 + 0.5)} min"


def _clock(value: datetime | None) -> str:
    return value.strftime("%H:%M UTC") if value is not None else "?"


def _time(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None
