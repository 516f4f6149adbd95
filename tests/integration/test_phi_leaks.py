"""PHI never leaves in broker messages or logs: a check-in with distinctive answers through the
API and a real worker, and every line both logged (JSON) searched for them."""

from __future__ import annotations

import json
from pathlib import Path

from teleframe import tasks
from tests.conftest import wait_for
from tests.samples import GOOD_CHECKIN

PHI = ["Oakland", "Lakeshore", "+15105550123", "5105550123", "Alex Client", "+14155550188"]


def test_no_phi_in_broker_messages_or_logs(app, worker, make_practice, capsys):  # type: ignore[no-untyped-def]
    practice = make_practice()
    session = practice.session()
    celery = app.extensions["celery"]
    captured: list[dict] = []
    original = celery.send_task

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        captured.append({"args": args, "kwargs": kwargs})
        return original(*args, **kwargs)

    celery.send_task = spy
    try:
        posted = practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    finally:
        celery.send_task = original
    checkin_id = posted.get_json()["checkin_id"]
    log_path = worker.log_path  # type: ignore[attr-defined]
    worker_lines = wait_for(lambda: _task_lines(log_path, checkin_id), timeout=10)
    assert worker_lines, "the worker logged no JSON line inside the task"
    practice.get(f"/v1/sessions/{session}/frame")  # a read that shows the answers, logged too
    api_log = capsys.readouterr().err
    text = repr(captured) + log_path.read_text() + api_log
    assert captured, "the API published nothing"
    for item in PHI:
        assert item not in text, item
    assert {line["task_name"] for line in worker_lines} == {tasks.EVALUATE_CHECKIN}
    assert all(line["task_id"] and line["level"] and line["timestamp"] for line in worker_lines)
    requests = [line for line in _json_lines(api_log) if line["event"] == "request"]
    checkin = next(
        r for r in requests if r["route"].endswith("/checkins") and r["method"] == "POST"
    )
    assert checkin["route"] == "/v1/sessions/<uuid:session_id>/checkins"
    assert checkin["status"] == 202 and checkin["practice_id"] == str(practice.id)
    assert checkin["duration_ms"] >= 0 and checkin["request_id"] == posted.headers["X-Request-Id"]


def _json_lines(text: str) -> list[dict]:
    """The log's JSON objects, one a line (Celery's start-up banner is plain text)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _task_lines(log: Path, checkin_id: str) -> list[dict]:
    """The worker's lines logged inside the task that evaluated this check-in."""
    lines = _json_lines(log.read_text())
    ids = {line.get("task_id") for line in lines if checkin_id in line["event"]}
    return [line for line in lines if line.get("task_id") in ids - {None}]
