"""The load itself: a practice with many sessions, varied check-ins, and wrk Lua scripts."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from tests.samples import GOOD_CHECKIN

GOOD: dict[str, Any] = GOOD_CHECKIN


def _variant(**changes: Any) -> dict[str, Any]:
    """GOOD with `section__field=value` changes (value None on a section drops it)."""
    body = copy.deepcopy(GOOD)
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            body[section][name] = value
        else:
            body[section] = value
    return body


# (kind, expected HTTP status, body); the cycle's proportions are the load's mix:
# 5 clear, 2 attention, 2 blocked, 2 refused with 422.
VARIANTS: list[tuple[str, int, dict[str, Any]]] = [
    ("clear", 202, GOOD),
    ("clear", 202, _variant(others_present=[])),
    ("clear", 202, _variant(location__locality="San Diego", location__address="400 Market St")),
    ("clear", 202, _variant(backup__emergency_contact={"name": "Jo", "relationship": "parent", "phone": "+13105550142"})),
    ("clear", 202, _variant(privacy__headphones=False, location__same_as_last_time=True)),
    ("attention", 202, _variant(privacy__private_space=False)),
    ("attention", 202, _variant(others_present=[{"relationship": "child", "minor": True, "client_consents_to_hear": True}])),
    ("blocked", 202, _variant(location__subdivision="US-TX", location__locality="Austin")),
    ("blocked", 202, _variant(location__place_type="vehicle", readiness__not_driving=False)),
    ("invalid", 422, _variant(privacy__private_space=1)),
    ("invalid", 422, _variant(backup__callback_phone="555-0123")),
]  # fmt: skip
ACCEPTED_VARIANTS = [v for v in VARIANTS if v[1] == 202]


@dataclass
class Fixture:
    key: str
    practice_id: str
    session_ids: list[str]
    room_ids: list[str]
    integration: dict[str, str] | None = None
    hooks_skipped: str | None = None


def populate(app: Flask, sessions: int = 400, clients: int = 200) -> Fixture:
    """A practice, its key, clinicians, clients and sessions starting soon, through the API."""
    from teleframe.runtime import logs

    logs.configure(level="WARNING")  # not a request log line per set-up call on the console
    from teleframe.api.auth import issue_key
    from teleframe.extensions import db
    from teleframe.models import Practice
    from teleframe.operations import policy

    with app.app_context():
        practice = Practice(id=uuid.uuid4(), name="Bench practice")
        db.session.add(practice)
        db.session.flush()
        policy.ensure_default(db.session, practice.id)
        key = issue_key(db.session, practice.id, label="bench")
        db.session.commit()
    http = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    def post(path: str, body: dict[str, Any]) -> str:
        response = http.post(path, json=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)}")
        return str(response.get_json()["id"])

    clinician_ids = [
        post("/v1/clinicians", {
            "name": f"Clinician {i}", "home_jurisdiction": "US-CA", "compacts": [],
            "licenses": [{"jurisdiction": "US-CA", "kind": "LMFT", "number": f"LMFT-{i}", "expires_on": "2030-06-30"}],
        })
        for i in range(8)
    ]  # fmt: skip
    client_ids = [
        post("/v1/clients", {"display_name": f"Client {i}", "date_of_birth": "1990-04-02"})
        for i in range(clients)
    ]
    start = (datetime.now(UTC) + timedelta(minutes=20)).replace(microsecond=0)
    session_ids, room_ids = [], []
    for i in range(sessions):
        room = str(86_000_000_000 + i)
        session_ids.append(
            post("/v1/sessions", {
                "clinician_id": clinician_ids[i % len(clinician_ids)],
                "client_id": client_ids[i % len(client_ids)],
                "scheduled_start": (start + timedelta(minutes=i % 30)).isoformat(),
                "scheduled_end": (start + timedelta(minutes=50 + i % 30)).isoformat(),
                "external_ref": f"appt-{i}",
                "video": {"provider": "zoom", "room_id": room},
            })
        )  # fmt: skip
        room_ids.append(room)
    fixture = Fixture(key, str(practice.id), session_ids, room_ids)
    from bench import hooks

    fixture.hooks_skipped = hooks.missing_reason(app)
    if fixture.hooks_skipped is None:
        fixture.integration = hooks.create_integration(http, headers)
    with app.app_context():
        db.engine.dispose()
    return fixture


def checkin_requests(fixture: Fixture, count: int = 1100) -> list[tuple[str, str]]:
    """(path, body) pairs cycling through the variants over many sessions."""
    out = []
    for i in range(count):
        _kind, _status, body = VARIANTS[i % len(VARIANTS)]
        session_id = fixture.session_ids[(i * 7) % len(fixture.session_ids)]
        out.append((f"/v1/sessions/{session_id}/checkins", json.dumps(body)))
    return out


LUA_TEMPLATE = """
-- generated by bench/workload.py: cycles through %(count)d requests
local items = {
%(items)s
}
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 131)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
  n2xx, n422, n4xx, n5xx, nother = 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local item = items[(counter %% #items) + 1]
  return wrk.format("POST", item[1], item[3], item[2])
end

function response(status, headers, body)
  if status >= 200 and status < 300 then n2xx = n2xx + 1
  elseif status == 422 then n422 = n422 + 1
  elseif status >= 400 and status < 500 then n4xx = n4xx + 1
  elseif status >= 500 then n5xx = n5xx + 1
  else nother = nother + 1 end
end

function done(summary, latency, requests)
  local t = {n2xx = 0, n422 = 0, n4xx = 0, n5xx = 0, nother = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %%d, "duration_us": %%d, "n2xx": %%d, "n422": %%d, "n4xx": %%d, ' ..
    '"n5xx": %%d, "nother": %%d, "errors": %%d, "p50_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f}\\n',
    summary.requests, summary.duration, t.n2xx, t.n422, t.n4xx, t.n5xx, t.nother,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def _lua_string(value: str) -> str:
    if "]==]" in value:
        raise ValueError("body contains the Lua long-bracket terminator")
    return f"[==[{value}]==]"


def lua_headers(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f'["{k}"] = {_lua_string(v)}' for k, v in headers.items()) + "}"


def write_lua(
    path: Path, requests: list[tuple[str, str]], headers: list[dict[str, str]] | dict[str, str]
) -> Path:
    """A wrk script; `headers` is one dict for all requests or one per request."""
    per_item = headers if isinstance(headers, list) else [headers] * len(requests)
    items = ",\n".join(
        f"  {{{_lua_string(p)}, {_lua_string(b)}, {lua_headers(h)}}}"
        for (p, b), h in zip(requests, per_item, strict=True)
    )
    path.write_text(LUA_TEMPLATE % {"count": len(requests), "items": items})
    return path
