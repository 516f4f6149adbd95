"""Events in, one continuity record out: deduplicate, order, walk, then derive."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from teleframe.services.continuity.protocol import Protocol, backup_plan, reschedule_at
from teleframe.services.continuity.records import Billing, Continuity, ModalitySegment
from teleframe.services.continuity.summary import late_start, sentence
from teleframe.services.continuity.walk import Walk
from teleframe.services.providers import Event

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
    walk = Walk(timeline, protocol, scheduled_end)
    walk.run()
    outages = tuple(walk.outages())
    segments = tuple(walk.segments())
    backup = backup_plan(outages, walk.invocations, protocol)
    continuity = Continuity(
        started_at=walk.started_at(),
        ended_at=walk.ended_at,
        drops=walk.drops,
        outages=outages,
        effective_contact_seconds=walk.contact_seconds,
        modality_segments=segments,
        backup_plan=backup,
        reschedule_suggested_at=reschedule_at(outages, protocol),
        billing=_billing(segments),
        events_after_signature=len(late),
        event_count=len(unique),
        summary="",
    )
    late_by = late_start(walk.first_contact_at, scheduled_start)
    return replace(continuity, summary=sentence(continuity, walk.first_contact_at, late_by))


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


def _billing(segments: tuple[ModalitySegment, ...]) -> Billing:
    """93 when audio-only or phone time has its reason recorded; 95 for video alone."""
    audio = [segment for segment in segments if segment.modality != "video"]
    explained = [segment.reason for segment in audio if segment.reason]
    if explained:
        return Billing("93", explained[0])
    if audio or not segments:
        return Billing(None, None)
    return Billing("95", None)
