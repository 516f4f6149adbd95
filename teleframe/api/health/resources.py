"""Health (database, broker, worker, beat, outbox lag) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from teleframe.extensions import db
from teleframe.operations.parked_work import parked_counts
from teleframe.runtime import health

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """200 when every dependency is up, 503 naming the one that is not; never 500."""
    body, healthy = health.report(current_app)
    return body, 200 if healthy else 503


# read from the database at each scrape, so every worker's parking is counted, once
PARKED = Gauge("teleframe_parked_work", "Work parked after repeated failures", ["kind"])


@blp.get("/metrics")
def metrics() -> Response:
    for kind, count in parked_counts(db.session).items():
        PARKED.labels(kind=kind).set(count)
    # headers, not mimetype: Flask would append a second charset, which Prometheus 3 refuses
    return Response(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
