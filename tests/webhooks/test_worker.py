"""Through real workers: a full check-in's webhooks carry no PHI; a killed worker loses nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from tests.conftest import wait_for
from tests.processes import Beat
from tests.samples import GOOD_CHECKIN
from tests.webhooks.conftest import LOOPBACK
from tests.webhooks.helpers import emit_event, subscribe
from tests.webhooks.receiver import Answer
from tests.webhooks.worker import BEAT_TASKS, WebhookWorker

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.usefixtures("allow_loopback")]

KINDS = (b"checkin.submitted", b"checkin.evaluated")
PHI = [
    GOOD_CHECKIN["location"]["address"],
    GOOD_CHECKIN["location"]["locality"],
    GOOD_CHECKIN["backup"]["callback_phone"],
    GOOD_CHECKIN["backup"]["emergency_contact"]["name"],
    GOOD_CHECKIN["backup"]["emergency_contact"]["phone"],
    "5105550123",
    "4155550188",
    "Lakeshore",
    "Sam Client",
    "partner",
    "sibling",
]


@pytest.fixture
def webhook_worker(app, tmp_path) -> Iterator[WebhookWorker]:  # type: ignore[no-untyped-def]
    running = WebhookWorker(app.config["TELEFRAME_SETTINGS"], tmp_path, LOOPBACK)
    running.start()
    with Beat(app.extensions["celery"], BEAT_TASKS, every=0.5, queue=running.queue):
        yield running
    running.stop()


def test_a_full_check_in_sends_signed_thin_webhooks_without_phi(
    make_practice, worker, webhook_worker, receiver
):
    practice = make_practice()
    subscribe(practice, receiver, "checkin.submitted", "checkin.evaluated", "frame.attention")
    session_id = practice.session()
    response = practice.post(f"/v1/sessions/{session_id}/checkins", GOOD_CHECKIN)
    assert response.status_code == 202, response.get_json()

    def evaluated() -> bool:  # both: deliveries to one endpoint run side by side, any order
        bodies = [item.body for item in receiver.received]
        return all(any(kind in body for body in bodies) for kind in KINDS)

    wait_for(evaluated, timeout=30)
    mine = [r for r in receiver.received if session_id.encode() in r.body]
    types = {receiver.verify(item)["type"] for item in mine}
    assert {"checkin.submitted", "checkin.evaluated"} <= types
    for item in receiver.received:
        text = item.body.decode()
        for value in PHI:
            assert value not in text, value
        assert set(json.loads(text)) == {"type", "timestamp", "data"}
        assert len(item.body) < 20 * 1024
    evaluation = next(json.loads(r.body) for r in mine if b"checkin.evaluated" in r.body)
    assert evaluation["data"]["session_id"] == session_id
    assert evaluation["data"]["status"] in ("clear", "attention", "blocked")


def test_a_delivery_survives_a_killed_worker(app, make_practice, webhook_worker, receiver):
    from teleframe.extensions import db
    from teleframe.models import Delivery
    from teleframe.models.base import utcnow

    practice = make_practice()
    endpoint = subscribe(practice, receiver)
    event_id = emit_event(app, practice.session())
    receiver.answer(500, Answer(200, delay=15), 200)
    mine = receiver.wait(2, timeout=30)  # the 500, then the retry ~5 s later, now hanging
    webhook_worker.kill()

    with app.app_context():
        row = db.session.query(Delivery).filter_by(endpoint_id=uuid.UUID(endpoint["id"])).one()
        assert row.status == "pending" and row.attempt_count == 1 and row.lease_id is not None
        assert (row.next_attempt_at - utcnow()).total_seconds() > 60  # the lease holds it
        # the lease runs out (120 s): move its end instead of waiting
        db.session.execute(
            update(Delivery).where(Delivery.id == row.id).values(next_attempt_at=utcnow())
        )
        db.session.commit()

    webhook_worker.start()
    mine = receiver.wait(3, timeout=30)

    def finished() -> Delivery | None:
        with app.app_context():
            found = db.session.get(Delivery, row.id)
            return found if found is not None and found.status == "succeeded" else None

    done = wait_for(finished, timeout=20)
    assert [a["status_code"] for a in done.attempts] == [500, 200]
    assert [r.headers["webhook-id"] for r in mine] == [event_id] * 3
    stamps = [int(r.headers["webhook-timestamp"]) for r in mine]
    assert stamps == sorted(stamps) and stamps[0] < stamps[-1]
    for item in mine:
        receiver.verify(item)
