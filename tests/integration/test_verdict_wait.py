"""`Prefer: wait=N` on the verdict: one request, answered once a real worker stores it."""

from __future__ import annotations

import dataclasses
import subprocess
import threading
import uuid
from typing import Any

import psycopg
from sqlalchemy import make_url, select, text

from teleframe.extensions import db
from teleframe.models import Evaluation
from teleframe.operations.verdict_wait import CHANNEL
from tests.conftest import PracticeHandle, start_worker, wait_for
from tests.samples import GOOD_CHECKIN


def _listening(app) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        count = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND query ILIKE :listen"
            ),
            {"listen": f'LISTEN "{CHANNEL}"%'},
        )
        db.session.close()
    return bool(count)


def _evaluated(app, checkin_id: str) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = db.session.scalar(
            select(Evaluation.id).where(Evaluation.checkin_id == uuid.UUID(checkin_id))
        )
        db.session.close()
    return found is not None


def test_the_waiting_request_answers_with_the_verdict_once_a_worker_stores_it(
    app, make_practice, settings, tmp_path
):
    from teleframe import create_app

    # an API on a queue no worker serves yet: the verdict cannot exist before the wait begins
    private = dataclasses.replace(settings, queue=f"teleframe-wait-{uuid.uuid4().hex[:8]}")
    api = create_app(private, TESTING=True)
    owner = make_practice()
    practice = PracticeHandle(api, owner.id, owner.key)
    session = practice.session()
    submitted = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()
    path = f"/v1/sessions/{session}/checkins/{submitted['checkin_id']}/verdict"

    answer: dict[str, Any] = {}

    def wait() -> None:
        answer["response"] = practice.http.get(
            path, headers={**practice.headers, "Prefer": "wait=30"}
        )

    waiter = threading.Thread(target=wait)
    waiter.start()
    wait_for(lambda: _listening(app), timeout=20)
    # ordering: the request is waiting and the verdict is not stored yet
    assert not _evaluated(app, submitted["checkin_id"])
    assert "response" not in answer

    # the test listens too: the evaluation's transaction must announce this check-in
    url = make_url(settings.database_url).set(drivername="postgresql")
    observer = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
    observer.execute(f'LISTEN "{CHANNEL}"')
    worker = start_worker(private, tmp_path / "worker.log")
    try:
        waiter.join(timeout=60)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    response = answer["response"]
    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == "wait=30"
    assert response.get_json()["status"] == "clear"
    assert response.get_json()["evaluated_at"] is not None
    assert _evaluated(app, submitted["checkin_id"])
    with observer:  # other check-ins staged in the database may be announced in the batch
        heard = {note.payload for note in observer.notifies(timeout=10, stop_after=1)}
        while heard and submitted["checkin_id"] not in heard:
            heard = {note.payload for note in observer.notifies(timeout=10, stop_after=1)}
    assert submitted["checkin_id"] in heard
    with api.app_context():
        db.engine.dispose()


def test_without_prefer_or_with_wait_0_the_answer_is_immediate(app, make_practice, settings):
    from teleframe import create_app

    private = dataclasses.replace(settings, queue=f"teleframe-idle-{uuid.uuid4().hex[:8]}")
    api = create_app(private, TESTING=True)
    owner = make_practice()
    practice = PracticeHandle(api, owner.id, owner.key)
    session = practice.session()
    checkin = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).get_json()
    path = f"/v1/sessions/{session}/checkins/{checkin['checkin_id']}/verdict"

    plain = practice.get(path)
    assert plain.status_code == 200 and plain.get_json()["status"] == "pending"
    assert "Preference-Applied" not in plain.headers
    zero = practice.http.get(path, headers={**practice.headers, "Prefer": "wait=0"})
    assert zero.get_json()["status"] == "pending"
    assert zero.headers["Preference-Applied"] == "wait=0"
    for odd in ("wait=-5", "wait=abc", "return=minimal"):
        response = practice.http.get(path, headers={**practice.headers, "Prefer": odd})
        assert response.status_code == 200 and "Preference-Applied" not in response.headers
    # another practice gets 404 at once, waiting or not
    other = make_practice("B")
    stranger = other.http.get(path, headers={**other.headers, "Prefer": "wait=30"})
    assert stranger.status_code == 404
    with api.app_context():
        db.engine.dispose()
