"""Every list route pages with `limit` and a signed `cursor` (Link: rel="next"): each item
exactly once and in order, never another practice's, and a bad cursor is a 422."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from teleframe.db import audit
from teleframe.extensions import db
from teleframe.models import (
    Delivery,
    Integration,
    OutboundEvent,
    OutboxMessage,
    PolicyVersion,
    SessionEvent,
    WebhookEndpoint,
)
from tests.links import next_link

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# minutes after T0 for six rows: two pairs share a time, so the id must break ties
MINUTES = (0, 5, 5, 10, 20, 20)
Seeded = tuple[str, list[str]]  # a list route, and its items' ids in the order it lists them


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (the embedded default)."""
    return either_app


def walk(practice, path: str) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    """Follow rel="next" from `path`: every id seen, in order, and the number of pages."""
    seen: list[str] = []
    pages = 0
    following: str | None = path
    while following:
        response = practice.get(following)
        assert response.status_code == 200, response.get_json()
        seen += [str(item["id"]) for item in response.get_json()]
        following, pages = next_link(response), pages + 1
        assert pages < 50, "the pages never end"
    return seen, pages


def _ordered(rows: list[Any], key: Callable[[Any], Any], newest_first: bool = False) -> list[str]:
    return [str(row.id) for row in sorted(rows, key=key, reverse=newest_first)]


def _store(app, rows: list[Any]) -> list[Any]:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        for row in rows:
            db.session.refresh(row)
        db.session.expunge_all()
    return rows


def _times() -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in MINUTES]


def _keys(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    for n in range(5):
        assert (
            practice.post("/v1/api-keys", {"label": f"k{n}", "role": "platform"}).status_code == 201
        )
    with app.app_context():
        from teleframe.operations import api_key

        rows = api_key.keys_of(db.session, practice.id)
        return "/v1/api-keys", [str(row.id) for row in rows]


def _sessions(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    made = [practice.session(start=t.isoformat()) for t in _times()]
    starts = dict(zip(made, _times(), strict=True))
    order = sorted(made, key=lambda s: (starts[s], uuid.UUID(s)))
    return f"/v1/sessions?date={T0.date()}", order


def _events(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    session = uuid.UUID(practice.session())
    rows = _store(app, [
        SessionEvent(practice_id=practice.id, session_id=session, kind="joined",
                     occurred_at=t, provider="standard", dedupe_key=f"e{n}")
        for n, t in enumerate(_times())
    ])  # fmt: skip
    return f"/v1/sessions/{session}/events", _ordered(rows, lambda r: (r.occurred_at, r.id))


def _notifications(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    session = uuid.UUID(practice.session())
    rows = _store(app, [
        OutboundEvent(practice_id=practice.id, session_id=session, type="checkin.submitted",
                      occurrence=f"o{n}", payload={}, created_at=t)
        for n, t in enumerate(_times())
    ])  # fmt: skip
    return f"/v1/sessions/{session}/notifications", _ordered(rows, lambda r: (r.created_at, r.id))


def _endpoint(app, practice) -> WebhookEndpoint:  # type: ignore[no-untyped-def]
    endpoint = WebhookEndpoint(practice_id=practice.id, url="https://ehr.example.org/h",
                               event_types=["checkin.submitted"], secret="whsec_x")  # fmt: skip
    return _store(app, [endpoint])[0]


def _deliveries(app, practice, status: str = "pending") -> list[Delivery]:  # type: ignore[no-untyped-def]
    endpoint = _endpoint(app, practice)
    events = _store(app, [
        OutboundEvent(practice_id=practice.id, type="checkin.submitted", occurrence=f"d{n}",
                      payload={}) for n in range(len(MINUTES))
    ])  # fmt: skip
    return _store(app, [
        Delivery(practice_id=practice.id, endpoint_id=endpoint.id, event_id=event.id,
                 event_type="checkin.submitted", status=status, created_at=t,
                 parked_at=t if status == "parked" else None)
        for event, t in zip(events, _times(), strict=True)
    ])  # fmt: skip


def _endpoint_deliveries(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    rows = _deliveries(app, practice)
    path = f"/v1/webhook-endpoints/{rows[0].endpoint_id}/deliveries"
    return path, _ordered(rows, lambda r: (r.created_at, r.id), newest_first=True)


def _endpoints(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    rows = [_endpoint(app, practice) for _ in range(5)]
    return "/v1/webhook-endpoints", _ordered(rows, lambda r: (r.created_at, r.id))


def _integrations(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    rows = _store(app, [
        Integration(practice_id=practice.id, provider="zoom", secret=f"zoom-secret-{n}",
                    created_at=t) for n, t in enumerate(_times())
    ])  # fmt: skip
    return "/v1/integrations", _ordered(rows, lambda r: (r.created_at, r.id))


def _policy_versions(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    rows = _store(app, [
        PolicyVersion(practice_id=practice.id, number=n, content_hash=f"h{n}", document={},
                      source_text="") for n in range(2, 7)
    ])  # fmt: skip
    with app.app_context():
        first = db.session.query(PolicyVersion).filter_by(practice_id=practice.id, number=1).one()
    return "/v1/policy/versions", [str(row.id) for row in reversed(rows)] + [str(first.id)]


def _parked(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    """Staged tasks and deliveries parked at the same times: one list across both tables."""
    staged = _store(app, [
        OutboxMessage(practice_id=practice.id, task="teleframe.evaluate_checkin", args=[],
                      next_attempt_at=t, parked_at=t, failures=5, last_error="ValueError")
        for t in _times()
    ])  # fmt: skip
    rows = staged + _deliveries(app, practice, status="parked")
    return "/v1/parked-work", _ordered(rows, lambda r: (r.parked_at, r.id), newest_first=True)


def _audit_events(app, practice) -> Seeded:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = [
            audit.record(db.session, audit.system_actor("test"), practice_id=practice.id,
                         action="read", resource_type="client", resource_id=uuid.uuid4())
            for _ in MINUTES
        ]  # fmt: skip
        for row, t in zip(rows, _times(), strict=True):
            row.occurred_at = t
        db.session.commit()
        order = _ordered(rows, lambda r: (r.occurred_at, r.id), newest_first=True)
    return f"/v1/audit-events?actor=system&until={T0 + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}", order


SEEDERS = {
    "api-keys": _keys,
    "sessions": _sessions,
    "session events": _events,
    "notifications": _notifications,
    "deliveries": _endpoint_deliveries,
    "webhook endpoints": _endpoints,
    "integrations": _integrations,
    "policy versions": _policy_versions,
    "parked work": _parked,
    "audit events": _audit_events,
}


def _with(path: str, **query: object) -> str:
    return path + ("&" if "?" in path else "?") + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.mark.parametrize("route", SEEDERS)
def test_walking_the_pages_yields_each_item_once_in_order(app, make_practice, route):
    practice, other = make_practice("A"), make_practice("B")
    _, theirs = SEEDERS[route](app, other)  # the same kind of items in another practice
    path, expected = SEEDERS[route](app, practice)
    everything = practice.get(_with(path, limit=200))
    assert everything.status_code == 200 and next_link(everything) is None
    listed = [str(item["id"]) for item in everything.get_json()]
    assert [item for item in listed if item in expected] == expected  # in the expected order
    seen, pages = walk(practice, _with(path, limit=2))
    assert seen == listed, "pages must add up to the whole list, each item once"
    assert len(seen) == len(set(seen)) and pages == -(-len(listed) // 2)
    assert not set(theirs) & set(seen), "another practice's items appeared"


@pytest.mark.parametrize("route", SEEDERS)
def test_forged_foreign_and_tampered_cursors_are_a_422_never_a_500(app, make_practice, route):
    practice, other = make_practice("A"), make_practice("B")
    path, _ = SEEDERS[route](app, practice)
    first = practice.get(_with(path, limit=1))
    following = next_link(first)
    assert following is not None
    cursor = re.search(r"cursor=([^&]+)", following).group(1)  # type: ignore[union-attr]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in ("garbage", "e30", tampered, "x" * 5000, "%00", "<script>alert(1)</script>"):
        refused = practice.get(_with(path, cursor=bad))
        assert refused.status_code == 422, (bad, refused.get_json())
        assert (
            refused.mimetype == "application/problem+json"
            and "cursor" in refused.get_json()["errors"]
        )
    # practice B, with A's cursor on the same path: its own path or A's ids → 4xx, never A's rows
    stolen = other.get(following)
    assert stolen.status_code in (404, 422), stolen.get_json()
    for limit in ("0", "-1", "201", "10000000000000000000", "x"):
        assert practice.get(_with(path, limit=limit)).status_code == 422, limit


def test_a_cursor_is_bound_to_the_list_it_came_from(app, make_practice):
    practice = make_practice()
    first, _ = _events(app, practice)
    second, _ = _events(app, practice)
    following = next_link(practice.get(f"{first}?limit=1"))
    assert following is not None
    refused = practice.get(following.replace(first, second))
    assert refused.status_code == 422 and "cursor" in refused.get_json()["errors"]
    assert practice.get(following).status_code == 200


def test_no_cursor_gives_the_first_page_of_fifty(app, make_practice):
    practice = make_practice()
    session = uuid.UUID(practice.session())
    _store(app, [
        SessionEvent(practice_id=practice.id, session_id=session, kind="joined",
                     occurred_at=T0 + timedelta(seconds=n), provider="standard",
                     dedupe_key=f"e{n}") for n in range(51)
    ])  # fmt: skip
    response = practice.get(f"/v1/sessions/{session}/events")
    assert len(response.get_json()) == 50 and next_link(response) is not None
    rest, _ = walk(practice, next_link(response))  # type: ignore[arg-type]
    assert len(rest) == 1


def test_parked_work_pages_by_kind_with_the_filter_kept_in_the_link(app, make_practice):
    practice = make_practice()
    _, everything = _parked(app, practice)
    with app.app_context():
        ours = {
            str(row.id) for row in db.session.query(Delivery).filter_by(practice_id=practice.id)
        }
    seen, pages = walk(practice, "/v1/parked-work?kind=delivery&limit=4")
    assert seen == [item for item in everything if item in ours] and pages == 2
    staged, _ = walk(practice, "/v1/parked-work?kind=evaluation&limit=4")
    assert staged == [item for item in everything if item not in ours]
