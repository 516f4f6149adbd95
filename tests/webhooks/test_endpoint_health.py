"""An endpoint failing for 5 days running is disabled with a reason; a success ends the streak;
PATCH {"enabled": true} brings it back. The clock is moved, not waited for."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from teleframe.models.base import utcnow
from teleframe.services import delivery as rules
from tests.webhooks.helpers import beat_at, emit_event, subscribe
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("allow_loopback")
BASE = "/v1/webhook-endpoints"


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite: the streak's conditional UPDATEs compare stored
    times, which SQLite keeps as text."""
    return either_app


def failing(receiver: Receiver) -> None:
    receiver.script.clear()
    receiver.answer(*[500] * 200)


def fail_at(app, practice, session: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    emit_event(app, session)
    results = beat_at(app, practice.id, at)
    assert results and set(results) == {rules.RETRY}, results


def shown(practice, endpoint) -> dict:  # type: ignore[no-untyped-def]
    return practice.get(f"{BASE}/{endpoint['id']}").get_json()  # type: ignore[no-any-return]


@pytest.fixture
def streak(app, make_practice, receiver):  # type: ignore[no-untyped-def]
    """A practice whose one endpoint has just failed its first delivery, at `start`."""
    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    session = practice.session()
    start = utcnow() + timedelta(minutes=1)  # after each first event is recorded
    failing(receiver)
    fail_at(app, practice, session, start)
    return practice, endpoint, session, start


def test_five_days_of_failures_disable_until_re_enabled(app, streak, receiver):  # type: ignore[no-untyped-def]
    practice, endpoint, session, start = streak
    fail_at(app, practice, session, start + timedelta(days=4, hours=23))
    assert shown(practice, endpoint)["disabled_at"] is None  # not yet five days

    fail_at(app, practice, session, start + timedelta(days=5, minutes=1))
    view = shown(practice, endpoint)
    assert view["disabled_at"] and "5 days" in view["disabled_reason"]

    emit_event(app, session)
    sent = len(receiver.received)
    assert beat_at(app, practice.id, start + timedelta(days=5, minutes=2)) == []
    assert len(receiver.received) == sent  # nothing goes to a disabled endpoint

    back = practice.http.patch(
        f"{BASE}/{endpoint['id']}", json={"enabled": True}, headers=practice.headers
    ).get_json()
    assert back["disabled_at"] is None and back["disabled_reason"] is None
    receiver.script.clear()  # the receiver answers 200 again
    results = beat_at(app, practice.id, start + timedelta(days=6))  # every retry due
    # the three that failed on their schedule, and the one from while it was disabled
    assert results == [rules.SUCCEEDED] * 4


def test_a_success_ends_the_failure_streak(app, streak, receiver):  # type: ignore[no-untyped-def]
    practice, endpoint, session, start = streak
    receiver.script.clear()
    emit_event(app, session)
    assert set(beat_at(app, practice.id, start + timedelta(days=3))) == {rules.SUCCEEDED}
    failing(receiver)
    fail_at(app, practice, session, start + timedelta(days=3, minutes=1))
    fail_at(app, practice, session, start + timedelta(days=5, minutes=1))
    assert shown(practice, endpoint)["disabled_at"] is None  # two days of failures, not five
    fail_at(app, practice, session, start + timedelta(days=8, minutes=2))
    assert shown(practice, endpoint)["disabled_at"] is not None


def test_a_re_enabled_endpoint_starts_a_new_streak(app, streak, receiver):  # type: ignore[no-untyped-def]
    practice, endpoint, session, start = streak
    fail_at(app, practice, session, start + timedelta(days=5, minutes=1))
    assert shown(practice, endpoint)["disabled_at"] is not None
    path = f"{BASE}/{endpoint['id']}"
    practice.http.patch(path, json={"enabled": True}, headers=practice.headers)
    fail_at(app, practice, session, start + timedelta(days=5, minutes=2))
    assert shown(practice, endpoint)["disabled_at"] is None  # one failure, not a 5-day streak
