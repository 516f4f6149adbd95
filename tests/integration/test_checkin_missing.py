"""`checkin.missing`: beat's sweep, run by a real worker, flags each session once when its
policy's notice time has come and no check-in has."""

from __future__ import annotations

import json
from datetime import timedelta

from teleframe import tasks
from teleframe.extensions import db
from teleframe.models.base import utcnow
from teleframe.operations.checkin_reminder import flag_missing
from teleframe.services.policy import default_policy_text
from tests.conftest import soon, wait_for
from tests.samples import GOOD_CHECKIN


def _notices(practice, session: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    sent = practice.get(f"/v1/sessions/{session}/notifications").get_json()
    return [item for item in sent if item["type"] == "checkin.missing"]


def _sweep(app, settings) -> None:  # type: ignore[no-untyped-def]
    celery = app.extensions["celery"]
    celery.send_task(tasks.CHECK_MISSING_CHECKINS, queue=settings.queue)


def _with_notice(practice, minutes: int) -> None:  # type: ignore[no-untyped-def]
    text = default_policy_text().replace(
        "missing_notice_minutes_before_start: 30", f"missing_notice_minutes_before_start: {minutes}"
    )
    response = practice.http.put(
        "/v1/policy",
        data=text.encode(),
        headers={**practice.headers, "Content-Type": "application/yaml"},
    )
    assert response.status_code in (200, 201), response.get_json()


def test_checkin_missing_goes_out_once_per_session_at_the_policys_notice(
    app, worker, make_practice, settings
):
    practice = make_practice()
    due = practice.session()  # starts in 10 minutes; the default notice is 30 minutes before
    checked_in = practice.session()
    assert practice.post(f"/v1/sessions/{checked_in}/checkins", GOOD_CHECKIN).status_code == 202
    later = practice.session(start=soon(180).isoformat())
    over = practice.session(start=soon(-120).isoformat())
    patient = make_practice("patient")  # its policy says: five minutes before the start
    _with_notice(patient, 5)
    not_yet = patient.session()

    for _ in range(3):
        _sweep(app, settings)
    notice = wait_for(lambda: _notices(practice, due), timeout=20)
    marker = practice.session()  # the worker runs tasks in order: once this one is flagged,
    _sweep(app, settings)  # every sweep above has run too
    wait_for(lambda: _notices(practice, marker), timeout=20)

    assert len(_notices(practice, due)) == 1
    assert notice[0]["payload"] == {
        "session_id": due,
        "scheduled_start": notice[0]["payload"]["scheduled_start"],
        "window_opened_at": notice[0]["payload"]["window_opened_at"],
    }
    assert notice[0]["payload"]["scheduled_start"].endswith("Z")
    for quiet in (checked_in, later, over):
        assert _notices(practice, quiet) == [], quiet
    assert _notices(patient, not_yet) == []

    with app.app_context():  # six minutes on, the patient practice's notice time has come
        flag_missing(db.session, utcnow() + timedelta(minutes=6))
        db.session.commit()
        assert flag_missing(db.session, utcnow() + timedelta(minutes=6)) == 0
        db.session.rollback()
    assert len(_notices(patient, not_yet)) == 1
    text = json.dumps(_notices(patient, not_yet))
    assert "Sam Client" not in text and "Oakland" not in text


def test_a_notice_longer_than_the_window_is_refused(make_practice):
    practice = make_practice()
    text = default_policy_text().replace(
        "missing_notice_minutes_before_start: 30", "missing_notice_minutes_before_start: 90"
    )
    response = practice.http.put(
        "/v1/policy",
        data=text.encode(),
        headers={**practice.headers, "Content-Type": "application/yaml"},
    )
    assert response.status_code == 422
    assert "missing_notice_minutes_before_start" in json.dumps(response.get_json())
