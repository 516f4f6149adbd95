"""`POST /hooks/{provider}/{integration_id}`: verify on the raw body, store once, answer fast.

Everything else (normalising, matching the session, folding) happens in a worker.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy.exc import IntegrityError

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
# edge's only round trip is its one durable write. A change made through this process is
# seen at once (`forget`); a disabled integration stores nothing anywhere (the write checks);
# a signature that fails against a kept copy is checked again against a fresh one.
_targets: TTLCache[uuid.UUID, ingest.HookTarget] = TTLCache(maxsize=10_000, ttl=30)
_targets_lock = threading.Lock()


def forget(integration_id: uuid.UUID) -> None:
    with _targets_lock:
        _targets.pop(integration_id, None)


def _target(integration_id: uuid.UUID) -> ingest.HookTarget | None:
    with _targets_lock:
        cached = _targets.get(integration_id)
    if cached is not None:
        return cached
    integration = db.session.get(Integration, integration_id)
    if integration is None:
        return None
    target = ingest.HookTarget.of(integration)
    with _targets_lock:
        _targets[integration_id] = target
    return target


def _signed(secrets: tuple[str, ...], check: Callable[[str], Any]) -> Any:
    """`check` with the first secret that verifies (two during a rotation's overlap)."""
    failure: SignatureInvalid | None = None
    for secret in secrets:
        try:
            return check(secret)
        except SignatureInvalid as error:
            failure = error
    raise failure or SignatureInvalid("no secret")


def _verified(target: ingest.HookTarget, inbound: InboundRequest) -> dict[str, Any] | None:
    """The handshake's answer, or None once the request is verified; SignatureInvalid."""
    adapter, now = PROVIDERS[target.provider], utcnow()
    answer = _signed(target.secrets(now), lambda s: adapter.challenge_response(inbound, s))
    if answer is None:
        _signed(target.secrets(now), lambda s: adapter.verify(inbound, s, now=now))
    return answer


def _fresh_verified(
    target: ingest.HookTarget, inbound: InboundRequest
) -> tuple[ingest.HookTarget, dict[str, Any] | None]:
    """Verified against the kept copy, else once more against the database's (a rotation
    made through another process)."""
    try:
        return target, _verified(target, inbound)
    except SignatureInvalid:
        forget(target.id)
        fresh = _target(target.id)
        if fresh is None or fresh == target:
            raise
        return fresh, _verified(fresh, inbound)


@blp.post("/<provider>/<uuid:integration_id>")
def receive(provider: str, integration_id: uuid.UUID) -> Response | tuple[Response, int]:
    integration = _target(integration_id)
    if integration is None or integration.provider != provider or provider not in PROVIDERS:
        return problem(404, "No such integration.")
    if integration.disabled:
        return problem(410, "This integration is disabled; its webhooks are not accepted.")
    inbound = InboundRequest(
        url=_signed_url(), headers=dict(request.headers), body=request.get_data()
    )
    try:
        integration, answer = _fresh_verified(integration, inbound)
        if answer is not None:
            g.hook_outcome = "challenge"
            return jsonify(answer), 200
        wake = _stage(integration, inbound)
    except SignatureInvalid as error:
        log.info("refused %s webhook for integration %s: %s", provider, integration_id, error)
        return problem(401, "The webhook signature is not valid or not fresh.")
    except PayloadInvalid:
        return problem(400, "The webhook body could not be read.")
    except IntegrityError:  # the same event again: already stored, nothing more to do
        g.hook_outcome = "duplicate"
        return jsonify({"status": "duplicate"}), 200
    if wake is None:
        forget(integration_id)
        return problem(410, "This integration is disabled; its webhooks are not accepted.")
    g.hook_outcome = "accepted"
    return jsonify({"status": "accepted", "id": wake.args[0]}), 200


def _stage(target: ingest.HookTarget, inbound: InboundRequest) -> outbox.Kick | None:
    """The one write, then its wake-up. On PostgreSQL, with no transaction open (the
    integration came from the cache), the statement is its own transaction: no BEGIN or
    COMMIT round trips. Otherwise it commits with the request's session."""
    relay = outbox.relay_of(db.session)
    if db.engine.dialect.name == "postgresql" and not db.session.in_transaction():
        with db.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            wake = ingest.stage_inbound(autocommit, target, inbound)
        if wake is not None:
            outbox.publish(relay, [wake])
        return wake
    try:
        wake = ingest.stage_inbound(db.session.connection(), target, inbound)
        if wake is not None:
            outbox.stage_kick(db.session, wake)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise
    return wake
