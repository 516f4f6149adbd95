"""Liveness and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import text

from teleframe.extensions import db
from teleframe.operations.parked_work import parked_counts

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}, 200


# read from the database at each scrape, so every worker's parking is counted, once
PARKED = Gauge("teleframe_parked_work", "Work parked after repeated failures", ["kind"])


@blp.get("/metrics")
def metrics() -> Response:
    for kind, count in parked_counts(db.session).items():
        PARKED.labels(kind=kind).set(count)
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
