"""`Prefer: wait` holds a server thread, so one process lets only so many requests wait at
once (`verdict_waiters`); past that the verdict is answered at once and the preference is
not applied, so waiters can never take every thread."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from typing import Any

from teleframe.api import verdict_waiters
from teleframe.extensions import db
from tests.conftest import PracticeHandle, wait_for
from tests.samples import GOOD_CHECKIN


def test_past_the_bound_a_waiter_is_answered_at_once_without_preference_applied(
    make_practice, settings
):
    from teleframe import create_app

    # a queue no worker serves: the verdict stays pending for as long as the test needs
    private = dataclasses.replace(
        settings, queue=f"teleframe-waiters-{uuid.uuid4().hex[:8]}", verdict_waiters=1
    )
    api = create_app(private, TESTING=True)
    try:
        _two_waiters(api, make_practice())
    finally:
        with api.app_context():
            db.engine.dispose()  # this app's connections, closed now


def _two_waiters(api, owner) -> None:  # type: ignore[no-untyped-def]
    practice = PracticeHandle(api, owner.id, owner.key)
    session = practice.session()
    submitted = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()
    path = f"/v1/sessions/{session}/checkins/{submitted['checkin_id']}/verdict"
    waiting = {"Prefer": "wait=3", **practice.headers}
    first: dict[str, Any] = {}

    def wait() -> None:
        first["response"] = practice.http.get(path, headers=waiting)

    waiter = threading.Thread(target=wait)
    waiter.start()
    with api.app_context():
        slots = verdict_waiters._slots()
    wait_for(lambda: slots._value == 0)  # the first request holds the only slot
    second = practice.http.get(path, headers=waiting)
    assert waiter.is_alive()  # answered while the first still waits
    assert second.status_code == 200 and second.get_json()["status"] == "pending"
    assert "Preference-Applied" not in second.headers
    waiter.join(timeout=10)
    assert first["response"].headers["Preference-Applied"] == "wait=3"
    assert slots._value == 1  # given back
    again = practice.http.get(path, headers={"Prefer": "wait=1", **practice.headers})
    assert again.headers["Preference-Applied"] == "wait=1"
