"""A realistic Zoom session, signed and verified as Zoom sends it, folds to the expected record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from teleframe.services.continuity import Protocol, due_actions, fold
from teleframe.services.providers import PROVIDERS, Event
from teleframe.services.providers.standard import event_from_report
from tests.services.providers import signing

SCENARIO = json.loads(signing.fixture("zoom/session_drop_rejoin_phone.json"))
START = datetime.fromisoformat(SCENARIO["scheduled_start"])
END = datetime.fromisoformat(SCENARIO["scheduled_end"])


def received(delivery: dict[str, Any]) -> list[Event]:
    """Verify and normalise one delivery the way the hook and the events route do."""
    body = json.dumps(delivery["body"], separators=(",", ":")).encode()
    if delivery["source"] == "report":
        when = datetime.fromisoformat(delivery["body"]["timestamp"]) + timedelta(seconds=20)
        return [event_from_report(delivery["body"], received_at=when)]
    sent = delivery["body"]["event_ts"] // 1000
    request = signing.zoom(body, timestamp=sent)
    zoom = PROVIDERS["zoom"]
    zoom.verify(request, signing.ZOOM_SECRET, now=datetime.fromtimestamp(sent + 2, UTC))
    return zoom.normalize(request)


EVENTS = [event for delivery in SCENARIO["deliveries"] for event in received(delivery)]


def test_the_session_folds_to_the_record_a_clinician_would_write() -> None:
    record = fold(EVENTS, Protocol(), scheduled_start=START, scheduled_end=END).to_dict()
    assert {key: record[key] for key in SCENARIO["expected"]} == SCENARIO["expected"]
    assert record["summary"] == (
        "Interrupted twice, 6 min lost, finished by phone from 14:32 UTC "
        "because the client could not use video."
    )


@settings(max_examples=50)
@given(st.permutations(SCENARIO["deliveries"]))
def test_any_arrival_order_gives_the_same_record(deliveries: list[dict[str, Any]]) -> None:
    events = [event for delivery in deliveries for event in received(delivery)]
    record = fold(events, Protocol(), scheduled_start=START, scheduled_end=END).to_dict()
    assert {key: record[key] for key in SCENARIO["expected"]} == SCENARIO["expected"]


def live(until: str) -> list[Event]:
    """The events that had happened by a moment of the session."""
    moment = datetime.fromisoformat(until)
    return [event for event in EVENTS if event.occurred_at <= moment]


def test_the_backup_plan_falls_due_two_minutes_into_the_second_drop() -> None:
    continuity = fold(
        live("2026-12-01T14:28:00Z"), Protocol(), scheduled_start=START, scheduled_end=END
    )
    assert continuity.open_outage is not None
    assert "contact lost since 14:27 UTC" in continuity.summary
    before = datetime(2026, 12, 1, 14, 29, 29, tzinfo=UTC)
    assert due_actions(continuity, Protocol(), now=before) == []
    assert due_actions(continuity, Protocol(), now=before + timedelta(seconds=1)) == [
        "backup_plan.due"
    ]


def test_the_backup_plan_is_not_due_again_once_invoked() -> None:
    continuity = fold(
        live("2026-12-01T14:31:30Z"), Protocol(), scheduled_start=START, scheduled_end=END
    )
    assert (
        due_actions(continuity, Protocol(), now=datetime(2026, 12, 1, 14, 31, 45, tzinfo=UTC)) == []
    )


def test_rescheduling_is_suggested_once_a_quarter_hour_is_lost() -> None:
    continuity = fold(
        live("2026-12-01T14:31:00Z"), Protocol(), scheduled_start=START, scheduled_end=END
    )
    later = datetime(2026, 12, 1, 14, 41, tzinfo=UTC)  # 90 s earlier + 13.5 min of this outage
    assert "reschedule.suggested" in due_actions(continuity, Protocol(), now=later)
    assert "reschedule.suggested" not in due_actions(
        continuity, Protocol(), now=later - timedelta(seconds=1)
    )


def test_events_arriving_after_signature_are_counted_not_folded() -> None:
    signed_at = datetime(2026, 12, 1, 15, 10, tzinfo=UTC)
    late = [event for event in EVENTS if event.provider == "report"]
    assert all(event.received_at and event.received_at < signed_at for event in late)
    after = [
        Event.from_dict({**event.to_dict(), "received_at": "2026-12-01T15:30:00Z"})
        if event.provider == "report"
        else event
        for event in EVENTS
    ]
    record = fold(after, Protocol(), scheduled_start=START, scheduled_end=END, signed_at=signed_at)
    assert record.events_after_signature == 2
    assert record.event_count == len({event.dedupe_key for event in EVENTS})
    # The signed record stays as it was signed: no phone switch, the second drop ran to the end.
    assert record.billing.modifier == "95"
    assert record.outages[-1].end_at == datetime(2026, 12, 1, 14, 50, tzinfo=UTC)
