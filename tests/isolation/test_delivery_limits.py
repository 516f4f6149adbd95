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
from teleframe.operations.delivery_lane import deliver_lane
from teleframe.services import parking
from teleframe.services.delivery import RETRY
from tests.webhooks.conftest import LOOPBACK, allow_private
from tests.webhooks.drip import DripReceiver


@pytest.fixture(autouse=True)
def _loopback(quiet_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private(quiet_app, monkeypatch, LOOPBACK)


def _reach(app: Any) -> delivery.Reach:
    return delivery.reach(app.config["TELEFRAME_SETTINGS"])


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


def _lanes(claimed: list[tuple[uuid.UUID, uuid.UUID]]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Practice -> its leases (lanes) among the claimed deliveries."""
    lanes: dict[uuid.UUID, set[uuid.UUID]] = {}
    for delivery_id, lease in claimed:
        lanes.setdefault(db.session.get_one(Delivery, delivery_id).practice_id, set()).add(lease)
    return lanes


def test_claims_respect_the_limits_and_take_every_practice_in_turn(quiet_app, quiet_practice):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    with quiet_app.app_context():
        _backlog(hostile, "http://127.0.0.1:9/b", endpoints=6, each=30)
        _backlog(victim, "http://127.0.0.1:9/a", endpoints=1, each=1)
        now = utcnow()
        claimed = delivery.claim_due(db.session, now)
        lanes = _lanes(claimed)
        assert len(lanes[victim.id]) == 1  # A's one delivery is in the claim
        assert len(lanes[hostile.id]) == delivery_claim.PER_PRACTICE
        for lease in lanes[hostile.id]:
            ids = [d for d, held in claimed if held == lease]
            assert 1 <= len(ids) <= delivery_claim.LANE_BATCH
            assert len({db.session.get_one(Delivery, d).endpoint_id for d in ids}) == 1
        # the next beat finds B's lanes all busy: nothing more of B's is leased
        assert hostile.id not in _lanes(delivery.claim_due(db.session, now))
        db.session.rollback()  # nothing leased outlives the test


def test_a_few_deliveries_go_out_side_by_side_and_a_backlog_in_lanes(quiet_app, quiet_practice):
    few, many = quiet_practice(), quiet_practice()
    with quiet_app.app_context():
        _backlog(few, "http://127.0.0.1:9/x", endpoints=1, each=3)
        _backlog(many, "http://127.0.0.1:9/y", endpoints=1, each=100)
        now = utcnow()
        assert len(_lanes(delivery.claim_due(db.session, now, practice_id=few.id))[few.id]) == 3
        claimed = delivery.claim_due(db.session, now, practice_id=many.id)
        assert len(_lanes(claimed)[many.id]) == delivery_claim.PER_ENDPOINT
        assert len(claimed) == delivery_claim.PER_ENDPOINT * delivery_claim.LANE_BATCH
        db.session.rollback()


def test_a_finished_lane_takes_the_endpoints_next_deliveries_under_its_lease(
    quiet_app, quiet_practice
):
    practice = quiet_practice()
    with quiet_app.app_context():
        (endpoint,) = _backlog(practice, "http://127.0.0.1:9/x", endpoints=1, each=60)
        now = utcnow()
        claimed = delivery.claim_due(db.session, now, practice_id=practice.id)
        assert delivery.claim_due(db.session, now, practice_id=practice.id) == []  # all busy
        lease = claimed[0][1]
        for delivery_id, held in claimed:
            if held == lease:  # the lane's attempts are recorded
                row = db.session.get_one(Delivery, delivery_id)
                row.lease_id, row.next_attempt_at = None, now + timedelta(hours=1)
        following = delivery_claim.hand_over(db.session, endpoint, lease, now)
        assert len(following) == delivery_claim.LANE_BATCH
        assert not set(following) & {d for d, _ in claimed}
        busy = db.session.scalars(
            select(Delivery.lease_id).where(
                Delivery.practice_id == practice.id, Delivery.lease_id.is_not(None)
            )
        ).all()
        assert len(set(busy)) == delivery_claim.PER_ENDPOINT  # the lane went on; none added
        db.session.rollback()


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_deadline(quiet_app, quiet_practice):
    """One byte every 0.5 s never trips the 10 s read timeout; the total deadline does."""
    practice = quiet_practice()
    with DripReceiver(every=0.5) as receiver, quiet_app.app_context():
        _backlog(practice, receiver.url, endpoints=1, each=1)
        db.session.commit()
        ((delivery_id, lease),) = delivery.claim_due(db.session, utcnow(), practice_id=practice.id)
        db.session.commit()
        limits = delivery.Reach(_reach(quiet_app).allow, deadline=1.5)  # 15 s in production
        (result,), _ = deliver_lane(db.session, [delivery_id], lease, limits)
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
            (result,), _ = deliver_lane(db.session, [delivery_id], lease, _reach(quiet_app))
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
