"""Inputs that once produced 500s: each answers a 4xx problem or a correct 2xx."""

from __future__ import annotations

import pytest

from tests.samples import GOOD_CHECKIN

DEEP = b"[" * 1500 + b"]" * 1500
DEEP_OBJECT = b'{"a":' * 1500 + b"1" + b"}" * 1500


def _ok_or_4xx(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    "path", ["/v1/clients", "/v1/sessions", "/v1/clinicians", "/v1/webhook-endpoints"]
)
def test_deeply_nested_json_is_refused_before_parsing(make_practice, path, body) -> None:
    practice = make_practice()
    response = practice.http.post(
        path, data=body, headers={**practice.headers, "Content-Type": "application/json"}
    )
    _ok_or_4xx(response)
    assert response.status_code in (400, 422)


def test_deeply_nested_check_in_is_refused(make_practice) -> None:
    practice = make_practice()
    session = practice.session()
    response = practice.http.post(
        f"/v1/sessions/{session}/checkins",
        data=DEEP_OBJECT,
        headers={**practice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_session_list_at_the_calendars_edges(make_practice, day) -> None:
    practice = make_practice()
    _ok_or_4xx(practice.get(f"/v1/sessions?date={day}"))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T20:00:00-10:00", "9999-12-31T21:00:00-10:00"),
        ("0001-01-01T00:00:00+23:59", "0001-01-01T01:00:00+23:59"),
    ],
)
def test_sessions_at_the_calendars_edges(make_practice, start, end) -> None:
    practice = make_practice()
    body = {
        "clinician_id": practice.clinician(),
        "client_id": practice.client(),
        "scheduled_start": start,
        "scheduled_end": end,
    }
    response = practice.post("/v1/sessions", body)
    _ok_or_4xx(response)
    assert response.status_code == 422


@pytest.mark.parametrize("timestamp", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_events_at_the_calendars_edges(make_practice, timestamp) -> None:
    practice = make_practice()
    session = practice.session()
    response = practice.post(
        f"/v1/sessions/{session}/events",
        {"type": "participant.joined", "timestamp": timestamp, "data": {"role": "client"}},
    )
    _ok_or_4xx(response)
    assert response.status_code == 422


def test_an_event_id_with_a_lone_surrogate(make_practice) -> None:
    practice = make_practice()
    session = practice.session()
    response = practice.http.post(
        f"/v1/sessions/{session}/events",
        data=b'{"id": "\\ud800", "type": "participant.joined", "data": {"role": "client"}}',
        headers={**practice.headers, "Content-Type": "application/json"},
    )
    _ok_or_4xx(response)
    assert response.status_code == 422


def test_replay_since_the_calendars_start(make_practice) -> None:
    practice = make_practice()
    created = practice.post(
        "/v1/webhook-endpoints",
        {"url": "https://93.184.215.14/hook", "event_types": ["checkin.evaluated"]},
    )
    assert created.status_code == 201, created.get_json()
    endpoint = created.get_json()["id"]
    response = practice.post(
        f"/v1/webhook-endpoints/{endpoint}/replay", {"since": "0001-01-01T00:00:00+05:00"}
    )
    _ok_or_4xx(response)


@pytest.mark.parametrize("place_type", ["home", None])
def test_fhir_and_pdf_exports_before_the_verdict(make_practice, place_type) -> None:
    practice = make_practice()
    session = practice.session()
    checkin = {**GOOD_CHECKIN, "location": {**GOOD_CHECKIN["location"], "place_type": place_type}}
    assert practice.post(f"/v1/sessions/{session}/checkins", checkin).status_code == 202
    for suffix in ("report", "report.fhir.json", "report.pdf"):
        response = practice.get(f"/v1/sessions/{session}/{suffix}")
        assert response.status_code == 200, (suffix, response.get_data(as_text=True)[:300])


def test_fhir_export_without_a_check_in(make_practice) -> None:
    practice = make_practice()
    session = practice.session()
    assert practice.get(f"/v1/sessions/{session}/report.fhir.json").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::]/",
        "http://[64:ff9b::a00:1]/",
    ],
)
def test_reserved_ipv6_forms_are_refused(make_practice, url) -> None:
    practice = make_practice()
    response = practice.post(
        "/v1/webhook-endpoints", {"url": url, "event_types": ["checkin.evaluated"]}
    )
    assert response.status_code == 422, response.get_json()


def test_the_host_header_never_sets_public_urls(make_practice) -> None:
    practice = make_practice()
    session = practice.session()
    evil = {**practice.headers, "Host": "evil.example"}
    link = practice.http.post(f"/v1/sessions/{session}/checkin-links", json={}, headers=evil)
    assert link.status_code == 201 and link.get_json()["url"].startswith("http://localhost/c/")
    hook = practice.http.post("/v1/integrations", json={"provider": "standard"}, headers=evil)
    assert hook.status_code == 201
    assert hook.get_json()["hook_url"].startswith("http://localhost/hooks/standard/")
