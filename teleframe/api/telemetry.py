"""Per request: a request id, one log line and one latency observation; no database work.

The request id is the caller's `X-Request-Id` when it is well formed (so a platform can follow
its own id through our logs), else a new one; either way it is echoed in the response.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from flask import Flask, Response, g, request

from teleframe.runtime import logs, metrics
from teleframe.services.providers import PROVIDERS

REQUEST_ID_HEADER = "X-Request-Id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
UNMATCHED = "<unmatched>"

log = logs.get("teleframe.request")


def request_id() -> str:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    return offered if _WELL_FORMED.fullmatch(offered) else uuid.uuid4().hex


def _start() -> None:
    g.telemetry_started = time.perf_counter()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id())


def _finish(response: Response) -> Response:
    started = g.pop("telemetry_started", None)
    seconds = time.perf_counter() - started if started is not None else 0.0
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    method = metrics.method_label(request.method)
    metrics.REQUEST_SECONDS.labels(
        method=method, route=route, status=str(response.status_code)
    ).observe(seconds)
    if request.blueprint == "hooks":
        _count_hook(response)
    rid = structlog.contextvars.get_contextvars().get("request_id") or request_id()
    response.headers[REQUEST_ID_HEADER] = rid
    log.info(
        "request",
        method=method,
        route=route,
        status=response.status_code,
        duration_ms=round(seconds * 1000, 2),
    )
    return response


def _count_hook(response: Response) -> None:
    """By the answer the platform got: 200 is accepted, duplicate or a URL challenge."""
    named = (request.view_args or {}).get("provider")
    provider = named if named in PROVIDERS else "other"
    outcome = metrics.HOOK_OUTCOMES.get(response.status_code, "error")
    if response.status_code == 200:  # the view says which (reading its answer back cost more)
        outcome = g.get("hook_outcome", "challenge")
    metrics.HOOKS.labels(provider=provider, outcome=outcome).inc()


def init_app(app: Flask) -> None:
    """First before every other hook and last after them, so the duration covers them all."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
