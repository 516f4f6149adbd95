"""A row that fails is retried with backoff, then parked with its reason; the rest of the
batch, and every other practice's work, goes on."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import InboundEvent, SessionEvent
from teleframe.models.base import utcnow
from teleframe.operations import ingest
from teleframe.services import parking
from teleframe.services.providers import PROVIDERS
from tests.hooks.conftest import HookClient
from tests.isolation.hostile import ZOOM_ROOM, poison_hooks, zoom_body
from tests.services.providers import signing

EXPECTED = [
    "PayloadInvalid:event_ts",  # zoom event_ts "zzz"
    "PayloadInvalid:participant_key",  # zoom participant_uuid of 300 characters
    "PayloadInvalid",  # daily duration NaN: not JSON at all
    "PayloadInvalid:duration",  # daily duration 1e300
    "PayloadInvalid:room_id",  # standard data.room_id with NUL
]


def _inbound(hook: HookClient) -> list[InboundEvent]:
    return list(
        db.session.scalars(
            select(InboundEvent).where(InboundEvent.integration_id == hook.integration["id"])
        )
    )


def _drain(app: Any, *, now: Any = None) -> None:
    with app.app_context():
        while ingest.ingest_staged(db.session, now=now or utcnow()):
            db.session.commit()
        db.session.commit()


def test_poison_webhooks_are_parked_and_another_practices_webhooks_go_through(
    quiet_app, quiet_practice
):
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    poisons = poison_hooks(hostile)
    for name, hook, request in poisons:  # stored first: claimed first
        answer = hook.send(request)
        assert answer.status_code == 200, (name, answer.get_json())
    session_id = victim.session(provider="zoom", room_id=ZOOM_ROOM)
    zoom = HookClient(victim, "zoom", signing.ZOOM_SECRET)
    assert zoom.send(signing.zoom(zoom_body(ZOOM_ROOM), timestamp=_now())).status_code == 200

    _drain(quiet_app)
    with quiet_app.app_context():
        (mine,) = _inbound(zoom)
        assert (mine.outcome, mine.parked_at) == ("matched", None)
        events = db.session.scalars(
            select(SessionEvent.kind).where(SessionEvent.session_id == uuid.UUID(session_id))
        ).all()
        assert sorted(events) == ["participant.left", "session.started"]
        rows = {row.id: row for _, hook, _ in poisons for row in _inbound(hook)}
        assert {row.outcome for row in rows.values()} == {"invalid"}
        assert all(row.parked_at is not None for row in rows.values())
    listed = hostile.get("/v1/parked-work?kind=webhook")
    assert listed.status_code == 200
    assert sorted(item["reason"] for item in listed.get_json()) == sorted(EXPECTED)
    assert "zzz" not in listed.get_data(as_text=True)
    assert victim.get("/v1/parked-work").get_json() == []
    metrics = victim.http.get("/metrics").get_data(as_text=True)
    (line,) = [
        x for x in metrics.splitlines() if x.startswith('teleframe_parked_work{kind="webhook"}')
    ]
    assert float(line.split()[-1]) >= len(EXPECTED)


def _now() -> int:
    import time

    return int(time.time())


def test_an_unexpected_failure_is_retried_with_backoff_then_parked(
    quiet_app, quiet_practice, monkeypatch
):
    """A provider bug (any exception, not a payload teleframe refuses) fails only its row."""
    hostile, victim = quiet_practice("B"), quiet_practice("A")
    broken = HookClient(hostile, "daily", signing.DAILY_SECRET)
    healthy = HookClient(victim, "zoom", signing.ZOOM_SECRET)
    victim.session(provider="zoom", room_id=ZOOM_ROOM)
    daily = signing.fixture("daily/participant_left.json").replace(b"ptcpt-left", b"ptcpt-x")
    assert broken.send(signing.daily(daily, timestamp=_now())).status_code == 200

    def crash(request: Any) -> Any:
        raise RuntimeError("a bug in a provider adapter")

    monkeypatch.setattr(PROVIDERS["daily"], "normalize", crash)
    clock = utcnow()
    for attempt in range(1, parking.MAX_FAILURES + 1):
        sent = signing.zoom(zoom_body(ZOOM_ROOM), timestamp=_now())
        assert healthy.send(sent).status_code == 200
        _drain(quiet_app, now=clock)
        with quiet_app.app_context():
            (row,) = _inbound(broken)
            assert row.attempts == attempt and row.last_error == "RuntimeError"
            assert {item.outcome for item in _inbound(healthy)} == {"matched"}
            if attempt < parking.MAX_FAILURES:
                assert row.parked_at is None and row.processed_at is None
                assert row.retry_at == clock + parking.backoff(attempt)
                _drain(quiet_app, now=clock)  # not due yet: left alone
                assert db.session.get(InboundEvent, row.id).attempts == attempt
                clock = row.retry_at + timedelta(seconds=1)
    with quiet_app.app_context():
        (row,) = _inbound(broken)
        assert (row.outcome, row.last_error) == ("parked", "RuntimeError")
        assert row.parked_at is not None and row.processed_at is not None
    (listed,) = hostile.get("/v1/parked-work").get_json()
    assert (listed["kind"], listed["attempts"], listed["reason"]) == (
        "webhook",
        parking.MAX_FAILURES,
        "RuntimeError",
    )


def test_parked_work_is_for_the_practices_admin_only(quiet_app, quiet_practice):
    from teleframe.api.auth import issue_key

    practice = quiet_practice()
    with quiet_app.app_context():
        platform = issue_key(db.session, practice.id, role="platform")
        db.session.commit()
    answer = practice.http.get("/v1/parked-work", headers={"Authorization": f"Bearer {platform}"})
    assert answer.status_code == 403
    assert practice.get("/v1/parked-work?kind=nonsense").status_code == 422


@pytest.mark.parametrize("failures", range(1, parking.MAX_FAILURES + 1))
def test_backoff_grows_and_the_last_failure_parks(failures: int) -> None:
    now = utcnow()
    retry = parking.next_try(failures, now)
    if failures == parking.MAX_FAILURES:
        assert retry is None
    else:
        assert retry == now + timedelta(seconds=5 * 2 ** (failures - 1))
