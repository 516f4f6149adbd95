"""The one pass over ordered events that finds contact, outages and modality changes.

Contact means the client and the clinician are both connected (with roles unknown: two
participants), or the session has moved to phone. An outage is a break in contact after the two
had first been in contact; it ends when contact resumes (a rejoin, or the switch to phone). A
final break ends the session instead of counting as an outage when it was intentional, came
within `reconnect_wait_seconds` of the scheduled end, or (with no stated reason) was shorter
than that wait before the room emptied or the session ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from teleframe.services.continuity.contact import has_contact, leave_reasons, roles
from teleframe.services.continuity.protocol import Protocol
from teleframe.services.continuity.records import ModalitySegment, Outage
from teleframe.services.providers import Event

INTENTIONAL = frozenset({"client_left", "removed"})


class Walk:
    """One pass over the ordered events, tracking who is connected and whether there is contact."""

    def __init__(self, events: list[Event], protocol: Protocol, scheduled_end: datetime) -> None:
        self.events = events
        self.wait = timedelta(seconds=protocol.reconnect_wait_seconds)
        self.scheduled_end = scheduled_end
        self.roles = roles(events)
        self.leave_reasons = leave_reasons(events, self.roles, self.wait)
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
        contact = self.modality == "phone" or has_contact(self.connected(), self.roles)
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
