"""Deliveries: a total deadline per request, limits per endpoint and per practice, claims
round-robin across practices, and a delivery teleframe cannot send parked with its reason."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import Delivery, OutboundEvent, TherapySession, WebhookEndpoint
from teleframe.models.base import utcnow
from teleframe.operations import delivery, delivery_claim
from teleframe.services import parking
from teleframe.services.delivery import RETRY
from tests.webhooks.conftest import LOOPBACK
from tests.webhooks.drip import DripReceiver


@pytest.fixture(autouse=True)
def _loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(delivery.ALLOW_PRIVATE_ENV, LOOPBACK)


def _backlog(practice: Any, url: str, endpoints: int, each: int) -> list[uuid.UUID]:
    """`endpoints` endpoints of the practice with `each` due deliveries, straight into the
    tables (as fan-out writes them). Returns the endpoint ids."""
    session_id = uuid.UUID(practice.session())
    made = []
    now = utcnow()
    for _ in range(endpoints):
        endpoint = WebhookEndpoint(
            id=uuid.uuid4(),
            practice_id=practice.id,
            url=url,
            event_types=["checkin.submitted"],
            secret=delivery.new_secret(),
            created_at=now,
        )
        db.session.add(endpoint)
        for _ in range(each):
            event = OutboundEvent(
                id=uuid.uuid4(),
                practice_id=practice.id,
                session_id=session_id,
                type="checkin.submitted",
                occurrence=uuid.uuid4().hex,
                payload={"session_id": str(session_id)},
                created_at=now,
            )
            db.session.add(event)
            db.session.flush()
            db.session.add(
                Delivery(
                    id=uuid.uuid4(),
                    practice_id=practice.id,
                    endpoint_id=endpoint.id,
                    event_id=event.id,
                    event_type=event.type,
                    status="pending",
                    next_attempt_at=now - timedelta(minutes=5),
                    attempts=[],
                    created_at=now,
                )
            )
        made.append(endpoint.id)
    db.session.flush()
    return made


def _owner(delivery_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    row = db.session.get_one(Delivery, delivery_id)
    return row.practice_id, row.endpoint_id


def test_claims_respect_the_limits_and_take_every_practice_in_turn(quiet_app, quiet_practice):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    with quiet_app.app_context():
        crowded = _backlog(hostile, "http://127.0.0.1:9/b", endpoints=6, each=30)
        (mine,) = _backlog(victim, "http://127.0.0.1:9/a", endpoints=1, each=1)
        now = utcnow()
        claimed = [_owner(d) for d, _ in delivery.claim_due(db.session, now, limit=500)]
        by_b = [endpoint for practice, endpoint in claimed if practice == hostile.id]
        assert (victim.id, mine) in claimed
        assert len(by_b) == delivery_claim.PER_PRACTICE
        assert max(by_b.count(e) for e in crowded) <= delivery_claim.PER_ENDPOINT
        # the next beat finds B's slots all taken: nothing more of B's is leased
        again = [_owner(d) for d, _ in delivery.claim_due(db.session, now, limit=500)]
        assert [p for p, _ in again if p == hostile.id] == []
        db.session.rollback()  # nothing leased outlives the test


def test_a_finished_attempt_hands_its_slot_to_the_endpoints_next_delivery(
    quiet_app, quiet_practice
):
    practice = quiet_practice()
    with quiet_app.app_context():
        _backlog(practice, "http://127.0.0.1:9/x", endpoints=1, each=10)
        now = utcnow()
        claimed = delivery.claim_due(db.session, now, practice_id=practice.id)
        assert len(claimed) == delivery_claim.PER_ENDPOINT
        assert delivery.claim_due(db.session, now, practice_id=practice.id) == []  # all busy
        first = db.session.get_one(Delivery, claimed[0][0])
        first.lease_id, first.next_attempt_at = None, now + timedelta(hours=1)  # recorded
        following = delivery_claim.hand_over(db.session, first.id, now)
        assert following is not None and following[0] not in {d for d, _ in claimed}
        leased = db.session.scalars(
            select(Delivery).where(
                Delivery.practice_id == practice.id, Delivery.lease_id.is_not(None)
            )
        ).all()
        assert len(leased) == delivery_claim.PER_ENDPOINT  # the slot moved; none was added
        db.session.rollback()


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_deadline(
    quiet_app, quiet_practice, monkeypatch
):
    """One byte every 0.5 s never trips the 10 s read timeout; the total deadline does."""
    monkeypatch.setattr(delivery, "DEADLINE", 1.5)  # 15 s in production; the same mechanism
    practice = quiet_practice()
    with DripReceiver(every=0.5) as receiver, quiet_app.app_context():
        _backlog(practice, receiver.url, endpoints=1, each=1)
        db.session.commit()
        ((delivery_id, lease),) = delivery.claim_due(db.session, utcnow(), practice_id=practice.id)
        db.session.commit()
        result, _ = delivery.deliver(db.session, delivery_id, lease, delivery.allowed_private())
        row = db.session.get_one(Delivery, delivery_id)
        assert result == RETRY and receiver.accepted == 1
        assert (row.last_status_code, row.last_error) == (None, "DeadlineExceeded")


def test_a_delivery_teleframe_cannot_sign_is_retried_then_parked(quiet_app, quiet_practice):
    practice = quiet_practice()
    with quiet_app.app_context():
        (endpoint_id,) = _backlog(practice, "http://127.0.0.1:9/x", endpoints=1, each=1)
        db.session.get_one(
            WebhookEndpoint, endpoint_id
        ).secret = "whsec_a"  # not base64: cannot sign
        db.session.commit()
        for failures in range(1, parking.MAX_FAILURES + 1):
            row = db.session.scalars(
                select(Delivery).where(Delivery.endpoint_id == endpoint_id)
            ).one()
            row.next_attempt_at = utcnow() - timedelta(seconds=1)  # its retry is due
            db.session.commit()
            ((delivery_id, lease),) = delivery.claim_due(
                db.session, utcnow(), practice_id=practice.id
            )
            db.session.commit()
            allow = delivery.allowed_private()
            result, _ = delivery.deliver(db.session, delivery_id, lease, allow)
            expected = delivery.PARKED if failures == parking.MAX_FAILURES else RETRY
            assert result == expected
        row = db.session.get_one(Delivery, delivery_id)
        assert row.attempt_count == 0  # no request reached the receiver
        assert row.parked_at is not None and row.last_error == "Error"  # binascii.Error
        session = db.session.scalar(
            select(TherapySession.id).where(TherapySession.practice_id == practice.id)
        )
        assert session is not None
    (listed,) = practice.get("/v1/parked-work?kind=delivery").get_json()
    assert listed["refers_to"][0] == str(endpoint_id)
    parked = practice.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries?status=parked")
    assert [item["status"] for item in parked.get_json()] == ["parked"]
