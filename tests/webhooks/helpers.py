"""Speaking to teleframe's outbound webhooks from tests: subscribe, emit, run one beat."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.webhooks.receiver import Receiver


def subscribe(practice: Any, receiver: Receiver, *types: str) -> dict[str, Any]:
    response = practice.post(
        "/v1/webhook-endpoints",
        {"url": receiver.url, "event_types": list(types) or ["checkin.submitted"]},
    )
    assert response.status_code == 201, response.get_json()
    endpoint: dict[str, Any] = response.get_json()
    receiver.secret = endpoint["secret"]
    return endpoint


def emit_event(app: Any, session_id: str, event_type: str = "checkin.submitted") -> str:
    """An outbound event as teleframe's own code records it."""
    from teleframe.extensions import db
    from teleframe.models import OutboundEvent, TherapySession
    from teleframe.operations.notification import emit

    occurrence = uuid.uuid4().hex
    with app.app_context():
        therapy_session = db.session.get(TherapySession, uuid.UUID(session_id))
        emit(db.session, therapy_session, event_type, occurrence, {"checkin_id": occurrence})
        db.session.commit()
        event = db.session.query(OutboundEvent).filter_by(occurrence=occurrence).one()
        return str(event.id)


def run_due(app: Any, practice_id: uuid.UUID, at: datetime | None = None) -> list[str | None]:
    """One beat in-process: fan out, claim (at a chosen clock) and attempt each claim."""
    from teleframe.extensions import db
    from teleframe.models.base import utcnow
    from teleframe.operations import delivery, delivery_fanout

    with app.app_context():
        delivery_fanout.sweep(db.session, utcnow())
        db.session.commit()
        claimed = delivery.claim_due(db.session, at or utcnow(), practice_id=practice_id)
        db.session.commit()
        limits = delivery.reach(app.config["TELEFRAME_SETTINGS"])
        return [delivery.attempt(db.session, d, lease, limits) for d, lease in claimed]


def later(**delta: float) -> datetime:
    from teleframe.models.base import utcnow

    return utcnow() + timedelta(**delta)


def deliveries(practice: Any, endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    response = practice.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")
    assert response.status_code == 200, response.get_json()
    listed: list[dict[str, Any]] = response.get_json()
    return listed


def beat_at(app: Any, practice_id: uuid.UUID, now: datetime) -> list[str | None]:
    """One beat with the clock at `now` for everything teleframe decides (what is due, which
    secrets sign, the retry schedule, the failure streak); the requests go out for real."""
    from teleframe.extensions import db
    from teleframe.operations import delivery

    with app.app_context():
        claimed = delivery.claim_due(db.session, now, practice_id=practice_id)
        db.session.commit()
        limits = delivery.reach(app.config["TELEFRAME_SETTINGS"])
        return [
            delivery.attempt(db.session, d, lease, limits, clock=lambda: now)
            for d, lease in claimed
        ]


def platform_headers(app: Any, practice_id: uuid.UUID) -> dict[str, str]:
    """A platform key of the practice: admin routes answer it 403."""
    from teleframe.api.auth import issue_key
    from teleframe.extensions import db

    with app.app_context():
        key = issue_key(db.session, practice_id, label="platform", role="platform")
        db.session.commit()
    return {"Authorization": f"Bearer {key}"}
