"""The outbound receiver down for a simulated day, then back: every event delivered, once.

The clock is moved, not waited for: each beat claims and sends with `now` set to the simulated
time (what is due, the retry schedule, the secrets, the failure streak), through the same
functions the delivery tasks run (`claim_due`, `deliver_lane`), against the test's PostgreSQL
and a real HTTP receiver on loopback. The day: 8 hours of 503 with `Retry-After: 60`, 8 hours
of refused connections (the receiver's port closed), 8 hours of plain 503; two events an hour
meanwhile. Then it answers 200, and either the schedule or a replay catches up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from teleframe.extensions import db
from teleframe.models import Delivery
from teleframe.models.base import utcnow
from teleframe.operations import delivery
from teleframe.operations.delivery_claim import lanes_of
from teleframe.operations.delivery_lane import deliver_lane
from teleframe.services import delivery as rules
from tests.integration.http import free_port
from tests.webhooks.conftest import LOOPBACK, allow_private
from tests.webhooks.helpers import emit_event, subscribe
from tests.webhooks.receiver import Answer, Receiver

pytestmark = pytest.mark.faults
DAY = timedelta(hours=24)
EVENTS_PER_HOUR = 2
# the longest wait that can follow an attempt made within the day: 7 attempts fit in 24 h,
# and the 7th failure waits 14 h, plus 20 % jitter
RECOVERY_BOUND = rules.RETRY_DELAYS[6] * (1 + rules.JITTER)


class Outage:
    """The receiver through the day: one URL, whatever state it is in."""

    def __init__(self) -> None:
        self.port = free_port()
        self.receiver: Receiver = Receiver(self.port).__enter__()
        self.received: list[Any] = []

    def mode(self, hour: int) -> None:
        if hour < 8:
            self._answer(Answer(503, {"Retry-After": "60"}))
        elif hour < 16:
            self._close()
        else:
            self._answer(Answer(503))

    def back(self) -> int:
        """Answering 200 from now on; how many requests arrived before."""
        self._answer(None)
        return len(self.all())

    def all(self) -> list[Any]:
        return [*self.received, *(self.receiver.received if self.receiver.thread else [])]

    def _answer(self, answer: Answer | None) -> None:
        if self.receiver.thread is None:  # closed: open the same port again
            secret = self.receiver.secret
            self.receiver = Receiver(self.port).__enter__()
            self.receiver.secret = secret
        self.receiver.script[:] = [answer] * 10_000 if answer else []

    def _close(self) -> None:
        if self.receiver.thread is not None:
            self.received += self.receiver.received
            self.receiver.__exit__()
            self.receiver.thread = None  # type: ignore[assignment]


@pytest.fixture
def outage(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Outage]:
    allow_private(app, monkeypatch, LOOPBACK)
    made = Outage()
    yield made
    made._close()


def beat(app: Any, practice_id: Any, now: datetime) -> int:
    """What beat's `deliver_due` and the lanes it queues do, with the clock at `now`."""
    with app.app_context():
        claimed = delivery.claim_due(db.session, now, practice_id=practice_id)
        db.session.commit()
        for lease, ids in lanes_of(claimed):
            limits = delivery.reach(app.config["TELEFRAME_SETTINGS"])
            deliver_lane(db.session, ids, lease, limits, lambda: now)
    return len(claimed)


def pending(app: Any, endpoint_id: str) -> tuple[int, datetime | None]:
    """Deliveries not yet succeeded, and when the earliest is due."""
    with app.app_context():
        count, due = db.session.execute(
            select(func.count(), func.min(Delivery.next_attempt_at)).where(
                Delivery.endpoint_id == endpoint_id, Delivery.status == "pending"
            )
        ).one()
    return count, due


def run_day(app: Any, practice: Any, endpoint: dict, outage: Outage, start: datetime) -> list[str]:
    """The simulated day: events emitted hour by hour, every retry when it falls due."""
    session, events, clock = practice.session(), [], start
    while clock < start + DAY:
        hour = int((clock - start) / timedelta(hours=1))
        outage.mode(hour)
        while len(events) < (hour + 1) * EVENTS_PER_HOUR:
            events.append(emit_event(app, session))
        beat(app, practice.id, clock)
        _, due = pending(app, endpoint["id"])
        next_hour = start + timedelta(hours=hour + 1)
        clock = min(due, next_hour) if due and due > clock else next_hour
    return events


def recover(app: Any, practice: Any, endpoint: dict, clock: datetime) -> datetime:
    """Beats at each due time until nothing is pending; the simulated time of the last one."""
    for _ in range(200):
        count, due = pending(app, endpoint["id"])
        if count == 0:
            return clock
        clock = max(clock, due or clock)
        beat(app, practice.id, clock)
    raise AssertionError("deliveries still pending after 200 beats")


@pytest.mark.parametrize("catch_up", ["schedule", "replay"])
def test_receiver_down_a_day_then_every_event_delivered_once(app, make_practice, outage, catch_up):
    started = time.monotonic()
    practice = make_practice("Receiver down")
    endpoint = subscribe(practice, outage.receiver, "checkin.submitted")
    start = utcnow() + timedelta(minutes=1)
    events = run_day(app, practice, endpoint, outage, start)

    view = practice.get(f"/v1/webhook-endpoints/{endpoint['id']}").get_json()
    assert view["disabled_at"] is None  # a day of failures is not five
    listed = practice.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries?limit=200")
    assert {row["status"] for row in listed.get_json()} == {"pending"}  # none exhausted
    failed_attempts = sum(row["attempt_count"] for row in listed.get_json())

    back_at = start + DAY
    before = outage.back()
    if catch_up == "replay":
        since = (start - timedelta(hours=1)).isoformat()  # rows carry the real time
        replayed = practice.post(f"/v1/webhook-endpoints/{endpoint['id']}/replay", {"since": since})
        assert replayed.status_code == 202 and replayed.get_json()["requeued"] == len(events)
    recovered_at = recover(app, practice, endpoint, back_at)

    answered_200 = outage.all()[before:]
    ids = [item.headers["webhook-id"] for item in answered_200]
    for item in answered_200:
        outage.receiver.verify(item)
    listed = practice.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries?limit=200")
    statuses = {row["event_id"]: row["status"] for row in listed.get_json()}
    lost = [event for event in events if statuses.get(event) != "succeeded"]
    duplicated = len(ids) - len(set(ids))
    every_id = {item.headers["webhook-id"] for item in outage.all()}
    print(
        f"\nFAULT outbound receiver down a simulated day ({catch_up}): accepted {len(events)},"
        f" completed {len(set(ids))}, lost {len(lost)}, duplicated {duplicated}, 5xx 0,"
        f" failed attempts {failed_attempts}, recovered"
        f" {(recovered_at - back_at).total_seconds() / 3600:.1f} h simulated"
        f" (bound {RECOVERY_BOUND.total_seconds() / 3600:.1f} h), {time.monotonic() - started:.0f} s"
    )
    assert lost == [] and duplicated == 0
    assert set(ids) == set(events) and every_id == set(events)  # one webhook-id per event
    assert recovered_at - back_at <= (RECOVERY_BOUND if catch_up == "schedule" else timedelta(0))
    assert failed_attempts >= len(events)  # every event did meet the outage
