"""The audit trail through the API: admins only, the practice's own events, filtered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teleframe.api.auth import issue_key
from teleframe.extensions import db
from teleframe.models.base import utcnow
from tests.samples import GOOD_CHECKIN

BASE = "/v1/audit-events"


@pytest.fixture
def app(either_app):  # type: ignore[no-untyped-def]
    """Each test on PostgreSQL and on SQLite (the embedded default)."""
    return either_app


def _trail(practice, query: str = "") -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    response = practice.get(f"{BASE}?limit=200{query}")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    return list(response.get_json())


def _about(events: list[dict[str, object]]) -> set[object]:
    return {event["resource_id"] for event in events}


def _reads(practice) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A session with a check-in read on its frame, its client read, another client read."""
    session_id = practice.session()
    session = practice.get(f"/v1/sessions/{session_id}").get_json()
    checkin = practice.post(f"/v1/sessions/{session_id}/checkins", GOOD_CHECKIN).get_json()
    assert practice.get(f"/v1/sessions/{session_id}/frame").status_code == 200
    assert practice.get(f"/v1/clients/{session['client_id']}").status_code == 200
    other_client = practice.client()
    assert practice.get(f"/v1/clients/{other_client}").status_code == 200
    return {
        "session": session_id,
        "client": session["client_id"],
        "checkin": str(checkin["checkin_id"]),
        "other_client": other_client,
    }


def test_filters_by_client_session_actor_action_and_time(make_practice):
    practice = make_practice()
    ids = _reads(practice)
    everything = _trail(practice)
    times = [event["occurred_at"] for event in everything]
    assert times == sorted(times, reverse=True)  # newest first
    assert {ids["checkin"], ids["client"], ids["other_client"]} <= _about(everything)

    assert _about(_trail(practice, f"&client={ids['client']}")) == {ids["client"], ids["checkin"]}
    assert _about(_trail(practice, f"&session={ids['session']}")) == {ids["checkin"]}
    key_id = practice.get("/v1/api-keys").get_json()[0]["id"]
    by_key = _trail(practice, f"&actor={key_id}")
    assert by_key and all(event["actor_id"] == key_id for event in by_key)
    assert _trail(practice, "&actor=api_key") == by_key
    assert _trail(practice, "&actor=system") == []
    reads = _trail(practice, "&action=read")
    assert reads and all(event["action"] == "read" for event in reads)
    assert _trail(practice, "&action=sign") == []
    later = (utcnow() + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    earlier = (utcnow() - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert _trail(practice, f"&since={later}") == []
    assert _trail(practice, f"&until={earlier}") == []
    assert _trail(practice, f"&since={earlier}&until={later}") == everything


def test_never_another_practices_events_and_never_phi(app, make_practice):
    practice, other = make_practice("A"), make_practice("B")
    ours, theirs = _reads(practice), _reads(other)
    trail = practice.get(f"{BASE}?limit=200")
    assert not set(theirs.values()) & _about(trail.get_json())
    assert _trail(practice, f"&client={theirs['client']}") == []
    assert _trail(practice, f"&session={theirs['session']}") == []
    assert not set(ours.values()) & _about(_trail(other))
    text = trail.get_data(as_text=True)
    for phi in ("Sam Client", "1200 Lakeshore", "+15105550123", "Alex Client", "1990-04-02"):
        assert phi not in text


def test_platform_keys_get_403(app, make_practice):
    practice = make_practice()
    with app.app_context():
        platform = {
            "Authorization": f"Bearer {issue_key(db.session, practice.id, role='platform')}"
        }
        db.session.commit()
    refused = practice.http.get(BASE, headers=platform)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_bad_and_hostile_filters_are_422_with_field_messages(make_practice):
    practice = make_practice()
    for query, field in (
        ("client=not-a-uuid", "client"),
        ("session=1", "session"),
        ("action=drop_table", "action"),
        ("actor=%3Cscript%3E%00", "actor"),
        ("actor=" + "x" * 201, "actor"),
        ("since=yesterday", "since"),
        ("since=2026-12-01T00:00:00", "since"),  # no offset: RFC 3339 needs one
        ("since=9999-01-01T00:00:00Z", "since"),
        ("since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "until"),
        ("limit=100000000000000000000", "limit"),
        ("cursor=AAAA", "cursor"),
    ):
        response = practice.get(f"{BASE}?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"
        assert field in response.get_json()["errors"], (query, response.get_json())
