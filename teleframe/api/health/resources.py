"""Health (database, broker, worker, beat, outbox lag) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST

from teleframe.extensions import db
from teleframe.runtime import health, metrics

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """200 when every dependency is up, 503 naming the one that is not; never 500."""
    body, healthy = health.report(current_app)
    return body, 200 if healthy else 503


@blp.get("/metrics")
def metrics_text() -> Response:
    """Every process's figures (see runtime/metrics) and the database's, read now."""
    body = metrics.exposition(db.session)
    db.session.rollback()  # read only: the pooled connection goes back without a transaction
    # headers, not mimetype: Flask would append a second charset, which Prometheus 3 refuses
    return Response(body, headers={"Content-Type": CONTENT_TYPE_LATEST})
