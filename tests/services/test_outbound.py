"""Outbound events are decided by pure functions, and arrival order does not change them."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from teleframe.services.continuity import Continuity, Protocol, fold
from teleframe.services.moments import rfc3339
from teleframe.services.outbound import Outbound, evaluation_events, outage_events
from teleframe.services.providers import Event
from teleframe.services.session_progress import SETTLE, progress
from teleframe.services.session_state import SessionState
from tests.services.continuity.events import END, START, T0, ended, joined, left, started
from tests.services.continuity.test_fold_properties import redelivered, session_events

PROTOCOL = Protocol()
CLOCK = T0 + timedelta(hours=2)  # when the webhooks reach teleframe
SETTLED = CLOCK + timedelta(hours=1)  # when beat settles the session, whatever the order


class Recorder:
    """What operations/continuity does with a session, minus the database: fold on each
    arrival, let beat sweep at the given moments, record each event identity once."""

    def __init__(self) -> None:
        self.state = SessionState.checked_in.value
        self.kept: Continuity | None = None
        self.settle_at: datetime | None = None
        self.open_since: datetime | None = None
        self.recorded: dict[tuple[str, str], Outbound] = {}
        self.reports = 0

    def fold(self, events: list[Event], now: datetime, *, arrived: bool) -> None:
        current = fold(events, PROTOCOL, scheduled_start=START, scheduled_end=END)
        step = progress(
            self.state,
            self.kept,
            current,
            PROTOCOL,
            now=now,
            settle_at=self.settle_at,
            arrived=arrived,
            outage_open_since=self.open_since,
        )
        self.state, self.settle_at, self.open_since = (
            step.state,
            step.settle_at,
            step.outage_open_since,
        )
        self.kept = step.record
        self.reports += step.ended
        for event in step.emit:
            self.recorded.setdefault(event.key, event)  # insert ... on conflict do nothing

    def multiset(self) -> Counter[str]:
        return Counter(
            json.dumps([e.type, e.occurrence, e.facts], sort_keys=True)
            for e in self.recorded.values()
        )


def deliver(arrivals: list[Event], gaps: list[float], sweeps: list[bool]) -> Recorder:
    """Each event arrives `gap` seconds after the one before (inside the settle window), with
    a beat sweep before some arrivals, then beat settles the session at one fixed time (the
    protocol's prompts carry the time they were decided)."""
    recorder, now, seen = Recorder(), CLOCK, []
    for event, gap, sweep in zip(arrivals, gaps, sweeps, strict=False):
        if sweep and seen:
            recorder.fold(seen, now + timedelta(seconds=gap / 2), arrived=False)
        now += timedelta(seconds=gap)
        seen.append(event)
        recorder.fold(seen, now, arrived=True)
    assert now + SETTLE <= SETTLED
    recorder.fold(seen, SETTLED, arrived=False)
    return recorder


gaps = st.lists(st.floats(0, SETTLE.total_seconds() * 0.9), min_size=80, max_size=80)
sweeps = st.lists(st.booleans(), min_size=80, max_size=80)


@settings(max_examples=150, deadline=None)
@given(events=session_events, data=st.data(), gaps=gaps, sweeps=sweeps)
def test_any_arrival_order_gives_the_same_outbound_events(
    events: list[Event], data: st.DataObject, gaps: list[float], sweeps: list[bool]
) -> None:
    in_order = deliver(sorted(events, key=lambda e: e.occurred_at), gaps, sweeps)
    shuffled = deliver(data.draw(redelivered(events)), data.draw(st.permutations(gaps)), sweeps)
    assert shuffled.multiset() == in_order.multiset()
    assert shuffled.state == in_order.state and shuffled.reports == in_order.reports <= 1


@settings(max_examples=150, deadline=None)
@given(events=session_events, data=st.data(), gaps=gaps, sweeps=sweeps)
def test_each_outage_of_the_final_record_starts_and_resolves_exactly_once(
    events: list[Event], data: st.DataObject, gaps: list[float], sweeps: list[bool]
) -> None:
    recorder = deliver(data.draw(redelivered(events)), gaps, sweeps)
    final = fold(events, PROTOCOL, scheduled_start=START, scheduled_end=END)
    assert recorder.kept == final
    starts = [e.occurrence for e in recorder.recorded.values() if e.type == "disruption.started"]
    resolves = [e.occurrence for e in recorder.recorded.values() if e.type == "disruption.resolved"]
    assert sorted(starts) == sorted(rfc3339(o.start_at) for o in final.outages)
    assert sorted(resolves) == sorted(rfc3339(o.start_at) for o in final.outages if o.end_at)
    ends = [e for e in recorder.recorded.values() if e.type == "session.ended"]
    assert len(ends) == recorder.reports


def two_connections() -> list[Event]:
    """The client is on two devices; one drops, the other stays: no outage."""
    return [
        started(0),
        joined(0, "t", "clinician"),
        joined(1, "c", "client", link="phone"),
        joined(2, "c", "client", link="laptop"),
        left(5, "c", "network", "client", link="phone"),
        ended(50),
    ]


def test_a_partial_fold_shows_an_outage_the_whole_does_not() -> None:
    """Why outbound events wait for the settled fold: emitted from this partial fold, the
    start of an outage that never was could not be taken back."""
    events = two_connections()
    partial = [e for e in events if e.connection_key != "laptop"]
    spurious = outage_events(
        None, fold(partial, PROTOCOL, scheduled_start=START, scheduled_end=END)
    )
    assert [e.type for e in spurious] == ["disruption.started", "disruption.resolved"]
    final = fold(events, PROTOCOL, scheduled_start=START, scheduled_end=END)
    assert outage_events(None, final) == []
    recorder = deliver([*partial[1:], partial[0], events[3]], [1.0] * 6, [True] * 6)
    assert recorder.recorded.keys() == {("session.ended", "")}


def test_an_outage_shown_open_then_gone_is_resolved_as_withdrawn() -> None:
    open_fold = fold(
        [joined(0, "t", "clinician"), joined(1, "c", "client"), left(5, "c", "network", "client")],
        PROTOCOL,
        scheduled_start=START,
        scheduled_end=END,
    )
    assert [e.type for e in outage_events(None, open_fold)] == ["disruption.started"]
    gone = fold([joined(0, "t", "clinician")], PROTOCOL, scheduled_start=START, scheduled_end=END)
    withdrawn = outage_events(open_fold, gone)
    assert [(e.type, e.facts.get("withdrawn")) for e in withdrawn] == [
        ("disruption.resolved", True)
    ]
    assert outage_events(open_fold, open_fold) == []


def test_frame_events_follow_only_the_latest_checkin() -> None:
    at = T0
    latest = evaluation_events("c2", at, "blocked", ["B", "A", "A"], is_latest=True)
    earlier = evaluation_events("c1", at, "blocked", ["A"], is_latest=False)
    assert [e.type for e in latest] == ["checkin.submitted", "checkin.evaluated", "frame.blocked"]
    assert latest[1].facts == {"checkin_id": "c2", "status": "blocked", "codes": ["A", "B"]}
    assert [e.type for e in earlier] == ["checkin.submitted", "checkin.evaluated"]
    assert evaluation_events("c3", at, "clear", [], is_latest=True)[-1].type == "checkin.evaluated"
    assert latest[0].facts["submitted_at"].endswith("Z")
