"""Five copies of one inbound webhook at the same moment: one stored, four duplicates."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from standardwebhooks import Webhook

from tests.faults.production import scenario
from tests.integration.http import call

pytestmark = pytest.mark.faults


def test_five_concurrent_copies_of_an_inbound_event(stack):
    status, integration = call(
        stack.base, "POST", "/v1/integrations", stack.key, {"provider": "standard"}
    )
    assert status == 201, integration
    room = str(uuid.uuid4().int)[:11]
    session = scenario.make_sessions(stack, 1, provider="standard", room_id=room)[0]
    body = json.dumps(
        {
            "type": "participant.joined",
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"room_id": room, "participant_key": "p-1", "role": "client"},
        }
    )
    msg_id = f"msg_{uuid.uuid4().hex}"
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(time.time())),
        "webhook-signature": Webhook(integration["secret"]).sign(msg_id, datetime.now(UTC), body),
    }
    url = stack.base + urlsplit(integration["hook_url"]).path
    barrier = threading.Barrier(5)
    answers: list[tuple[int, str]] = []

    def deliver() -> None:
        request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                answers.append((response.status, json.loads(response.read())["status"]))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.read().decode()[:200]))

    sent = time.monotonic()
    copies = [threading.Thread(target=deliver) for _ in range(5)]
    for copy in copies:
        copy.start()
    for copy in copies:
        copy.join(timeout=30)
    processed = _wait_for_event(stack, session, deadline=sent + 30)
    stored = stack.pg.query(
        "SELECT count(*) FROM inbound_events WHERE dedupe_key LIKE %s", f"%{msg_id}%"
    )[0][0]
    events = stack.pg.query("SELECT count(*) FROM session_events WHERE session_id = %s", session)[
        0
    ][0]
    outcome = scenario.Outcome(
        name="five concurrent copies of one inbound webhook",
        accepted=sum(1 for status, what in answers if status == 200 and what == "accepted"),
        completed=int(events),  # type: ignore[call-overload]
        lost=1 - min(int(events), 1),  # type: ignore[call-overload]
        duplicated=int(stored) - 1 + max(0, int(events) - 1),  # type: ignore[call-overload]
        server_errors=sum(1 for status, _ in answers if status >= 500),
        unavailable=0,
        recovered_seconds=processed - sent,
        bound_seconds=30,
    )
    scenario.RESULTS.append(outcome)
    print(outcome.line(), answers)
    assert sorted(answers) == [(200, "accepted")] + [(200, "duplicate")] * 4, answers
    outcome.assert_held()


def _wait_for_event(stack, session: str, deadline: float) -> float:  # type: ignore[no-untyped-def]
    while time.monotonic() < deadline:
        if stack.pg.query("SELECT 1 FROM session_events WHERE session_id = %s", session):
            break
        time.sleep(0.2)
    return time.monotonic()
