"""`POST /hooks/{provider}/{integration_id}`: verify on the raw body, store once, answer fast.

Everything else (normalising, matching the session, folding) happens in a worker.
"""

from __future__ import annotations

import logging
import threading
import uuid

from cachetools import TTLCache
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from teleframe import tasks
from teleframe.api.urls import public_base
from teleframe.db import outbox
from teleframe.errors import problem
from teleframe.extensions import db
from teleframe.models import Integration
from teleframe.models.base import utcnow
from teleframe.operations import ingest
from teleframe.services.providers import PROVIDERS, InboundRequest, PayloadInvalid, SignatureInvalid

log = logging.getLogger(__name__)
blp = Blueprint("hooks", __name__, url_prefix="/hooks")


def _signed_url() -> str:
    """The URL the platform signed (Twilio signs it): the public one when behind a proxy."""
    if not current_app.config["TELEFRAME_SETTINGS"].public_url:
        return request.url
    return public_base() + request.full_path.rstrip("?")


# Integrations are read on every webhook and change rarely: kept for a short while, so the
# edge's only round trip is its one durable write. A disabled integration stops within this.
_targets: TTLCache[uuid.UUID, ingest.HookTarget] = TTLCache(maxsize=10_000, ttl=30)
_targets_lock = threading.Lock()


def _target(integration_id: uuid.UUID) -> ingest.HookTarget | None:
    with _targets_lock:
        cached = _targets.get(integration_id)
    if cached is not None:
        return cached
    integration = db.session.scalars(
        select(Integration).where(
            Integration.id == integration_id, Integration.disabled_at.is_(None)
        )
    ).first()
    if integration is None:
        return None
    target = ingest.HookTarget.of(integration)
    with _targets_lock:
        _targets[integration_id] = target
    return target


@blp.post("/<provider>/<uuid:integration_id>")
def receive(provider: str, integration_id: uuid.UUID) -> Response | tuple[Response, int]:
    integration = _target(integration_id)
    if integration is None or integration.provider != provider or provider not in PROVIDERS:
        return problem(404, "No such integration.")
    inbound = InboundRequest(
        url=_signed_url(), headers=dict(request.headers), body=request.get_data()
    )
    adapter = PROVIDERS[provider]
    try:
        answer = adapter.challenge_response(inbound, integration.secret)
        if answer is not None:
            return jsonify(answer), 200
        adapter.verify(inbound, integration.secret, now=utcnow())
        if not db.session.in_transaction() and db.engine.dialect.name == "postgresql":
            return _stored(_store_autocommitted(integration, inbound))
        stored = ingest.stage_inbound(db.session, integration, inbound)
    except SignatureInvalid as error:
        log.info("refused %s webhook for integration %s: %s", provider, integration_id, error)
        return problem(401, "The webhook signature is not valid or not fresh.")
    except PayloadInvalid:
        return problem(400, "The webhook body could not be read.")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same event again: already stored, nothing more to do
        return _stored(None)
    return _stored(stored.id)


def _store_autocommitted(
    integration: ingest.HookTarget, inbound: InboundRequest
) -> uuid.UUID | None:
    """One round trip on PostgreSQL (the integration was cached): the row is its own
    transaction, then the wake-up (one per batch: `db.wakeup`)."""
    with db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        stored = ingest.store_inbound(autocommit, integration, inbound)
    if stored is not None:
        outbox.publish(
            current_app.extensions["celery"],
            [outbox.Kick(uuid.uuid4(), tasks.INGEST_EVENT, [str(stored)])],
        )
    return stored


def _stored(stored: uuid.UUID | None) -> tuple[Response, int]:
    if stored is None:  # the same event again: already stored, nothing more to do
        return jsonify({"status": "duplicate"}), 200
    return jsonify({"status": "accepted", "id": str(stored)}), 200
