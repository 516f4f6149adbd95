"""The continuity record and the platform events behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from teleframe.services.report.values import as_mapping, parse_time, pick


def continuity(continuity: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if continuity is None:
        return None
    return {
        "started_at": continuity.get("started_at"),
        "ended_at": continuity.get("ended_at"),
        "drops": continuity.get("drops"),
        "outages": [
            pick(o, ("start_at", "end_at", "seconds", "reason"))
            for o in continuity.get("outages") or ()
        ],
        "total_outage_seconds": continuity.get("total_outage_seconds"),
        "longest_outage_seconds": continuity.get("longest_outage_seconds"),
        "effective_contact_minutes": continuity.get("effective_contact_minutes"),
        "events_after_signature": continuity.get("events_after_signature"),
        "event_count": continuity.get("event_count"),
        "summary": continuity.get("summary"),
    }


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def timeline(
    events: Sequence[Mapping[str, Any]], continuity: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Events in time order with their offset from the actual start (or the first event)."""
    stamped = [(parse_time(e.get("occurred_at")), i, e) for i, e in enumerate(events)]
    stamped.sort(key=lambda item: (item[0] or _FAR_FUTURE, item[1]))
    origin = parse_time(as_mapping(continuity).get("started_at"))
    if origin is None and stamped:
        origin = stamped[0][0]
    rows = []
    for at, _, event in stamped:
        offset = None if at is None or origin is None else (at - origin).total_seconds()
        rows.append(
            {
                "at": event.get("occurred_at"),
                "offset_seconds": offset,
                "kind": event.get("kind"),
                "role": event.get("role"),
                "reason": event.get("reason"),
                "modality": event.get("modality"),
                "provider": event.get("provider"),
            }
        )
    return {"event_count": len(rows), "events": rows}
