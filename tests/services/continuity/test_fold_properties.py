"""The fold depends on the set of events only: not on their order, copies, or missing joins."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from teleframe.services.continuity import Protocol, due_actions, fold
from teleframe.services.providers import KINDS, LEAVE_REASONS, Event

from .events import END, START, T0

PROTOCOL = Protocol()
RETRY = timedelta(minutes=5)
ALL_KINDS = tuple(sorted(KINDS))
seconds = st.integers(min_value=-600, max_value=4200)


@st.composite
def an_event(draw: st.DrawFn, kinds: tuple[str, ...] = ALL_KINDS) -> Event:
    kind = draw(st.sampled_from(kinds))
    return Event(
        kind=kind,
        occurred_at=T0 + timedelta(seconds=draw(seconds)),
        provider=draw(st.sampled_from(["zoom", "twilio", "report"])),
        dedupe_key="pending",
        participant_key=draw(
            st.sampled_from([None, "client", "clinician", "other", "client-phone"])
        ),
        role=draw(st.sampled_from([None, "client", "clinician"])),
        reason=draw(st.sampled_from(sorted(LEAVE_REASONS)))
        if kind == "participant.left"
        else draw(st.sampled_from([None, "client_not_capable", "video_failed"])),
        modality=draw(st.sampled_from(["video", "audio_only", "phone"]))
        if kind == "modality.changed"
        else None,
        connection_key=draw(st.sampled_from([None, "a", "b"])),
        received_at=draw(st.none() | seconds.map(lambda s: T0 + timedelta(seconds=s))),
    )


def with_keys(events: list[Event]) -> list[Event]:
    return [
        Event.from_dict({**e.to_dict(), "dedupe_key": f"k{index}"})
        for index, e in enumerate(events)
    ]


@st.composite
def redelivered(draw: st.DrawFn, events: list[Event]) -> list[Event]:
    """The same events in any order, some delivered again (a retry may arrive later)."""
    copies = draw(st.lists(st.sampled_from(events), max_size=len(events))) if events else []
    late = [replace(e, received_at=(e.received_at or e.occurred_at) + RETRY) for e in copies[::2]]
    return draw(st.permutations([*events, *copies, *late]))


@st.composite
def a_session(draw: st.DrawFn) -> list[Event]:
    """Two people joining and leaving in turn (roles stated or not), among other events."""
    roles_known = draw(st.booleans())
    events = []
    for who in ("client", "clinician"):
        times = sorted(draw(st.lists(seconds, min_size=1, max_size=8, unique=True)))
        for turn, second in enumerate(times):
            kind = "participant.joined" if turn % 2 == 0 else "participant.left"
            events.append(
                Event(
                    kind=kind,
                    occurred_at=T0 + timedelta(seconds=second),
                    provider="test",
                    dedupe_key="pending",
                    participant_key=who,
                    role=who if roles_known else None,
                    reason=draw(st.sampled_from(sorted(LEAVE_REASONS)))
                    if kind == "participant.left"
                    else None,
                )
            )
    return [*events, *draw(st.lists(an_event(), max_size=6))]


session_events = (st.lists(an_event(), max_size=30) | a_session()).map(with_keys)
signed_at = st.none() | seconds.map(lambda s: T0 + timedelta(seconds=s))


@settings(max_examples=300)
@given(events=session_events, data=st.data(), signed=signed_at)
def test_order_and_duplicates_do_not_change_continuity(
    events: list[Event], data: st.DataObject, signed: object
) -> None:
    expected = fold(events, PROTOCOL, scheduled_start=START, scheduled_end=END, signed_at=signed)  # type: ignore[arg-type]
    shuffled = data.draw(redelivered(events))
    again = fold(shuffled, PROTOCOL, scheduled_start=START, scheduled_end=END, signed_at=signed)  # type: ignore[arg-type]
    assert again == expected
    assert again.to_dict() == expected.to_dict()


@settings(max_examples=300)
@given(events=st.lists(an_event(("participant.left",)), max_size=20).map(with_keys))
def test_leaves_without_joins_never_raise_and_are_not_outages(events: list[Event]) -> None:
    continuity = fold(events, PROTOCOL, scheduled_start=START, scheduled_end=END)
    assert continuity.outages == ()
    assert continuity.drops == 0
    json.dumps(continuity.to_dict())


@settings(max_examples=300)
@given(events=session_events, now=seconds)
def test_any_events_give_a_coherent_record(events: list[Event], now: int) -> None:
    continuity = fold(events, PROTOCOL, scheduled_start=START, scheduled_end=END)
    record = json.loads(json.dumps(continuity.to_dict()))
    assert record["event_count"] == len(events)
    assert 0 <= record["longest_outage_seconds"] <= record["total_outage_seconds"]
    assert record["effective_contact_minutes"] >= 0
    starts = [outage.start_at for outage in continuity.outages]
    assert starts == sorted(starts)
    for earlier, later in zip(continuity.outages, continuity.outages[1:], strict=False):
        assert earlier.end_at is not None and earlier.end_at <= later.start_at
    assert all(outage.seconds >= 0 for outage in continuity.outages)
    assert record["summary"].endswith(".")
    actions = due_actions(continuity, PROTOCOL, now=T0 + timedelta(seconds=now))
    assert set(actions) <= {"backup_plan.due", "reschedule.suggested"}
