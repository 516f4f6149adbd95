"""Outbound webhook endpoints: subscribe, list, read, change, rotate, remove; deliveries, replay."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select

from teleframe.api import pagination
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.webhook_endpoints.schemas import (
    DeliveryListArgsSchema,
    DeliverySchema,
    EndpointListArgsSchema,
    ReplayResultSchema,
    ReplaySchema,
    WebhookEndpointCreateSchema,
    WebhookEndpointPatchSchema,
    WebhookEndpointSchema,
)
from teleframe.db import audit
from teleframe.db.queries import not_found
from teleframe.extensions import db
from teleframe.models import Delivery, WebhookEndpoint
from teleframe.models.base import utcnow
from teleframe.operations import webhook_endpoint as endpoints
from teleframe.operations.delivery import reach, replay_since, requeue
from teleframe.services import ssrf

blp = Blueprint(
    "webhook_endpoints",
    __name__,
    url_prefix="/v1/webhook-endpoints",
    description="Outbound webhooks",
)

MAX_ENDPOINTS = 20  # bounds the fan-out of one event (OWASP API4)

AUDITED = "webhook_endpoint"  # resource_type of its audit events


def _view(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    until = endpoint.previous_secret_until
    view = {
        "id": endpoint.id,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        "created_at": endpoint.created_at,
        "enabled": endpoint.disabled_at is None,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
        "previous_secret_expires_at": until if until and until > utcnow() else None,
    }
    return {**view, "secret": secret} if secret else view


def _active_count(practice_id: uuid.UUID) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(WebhookEndpoint)
            .where(
                WebhookEndpoint.practice_id == practice_id, WebhookEndpoint.disabled_at.is_(None)
            )
        )
        or 0
    )


def _vet(url: str) -> None:
    try:
        ssrf.vet(url, allow=reach(current_app.config["TELEFRAME_SETTINGS"]).allow)
    except ssrf.UnsafeURL as refused:
        abort(422, errors={"url": [str(refused)]})


def _visible(endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = endpoints.visible(db.session, current_practice_id(), endpoint_id)
    if endpoint is None:
        not_found("webhook endpoint")
    return endpoint


@blp.route("")
class WebhookEndpoints(MethodView):
    @blp.arguments(EndpointListArgsSchema(), location="query")
    @blp.response(200, WebhookEndpointSchema(many=True), headers=pagination.LINK)
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self, args: dict[str, Any]) -> Any:
        """The practice's endpoints in creation order, a page at a time (`Link: rel="next"`)"""
        start = None
        if "after" in args and "cursor" not in args:  # the older cursor: an endpoint's id
            seen = endpoints.visible(db.session, current_practice_id(), args["after"])
            if seen is None:
                abort(422, errors={"after": ["No endpoint with that id in this practice."]})
            assert seen is not None
            start = (seen.created_at, seen.id)
        order = (WebhookEndpoint.created_at, WebhookEndpoint.id)
        query = endpoints.listing(current_practice_id())
        rows, more = pagination.page(db.session, query, order, args, start=start)
        shown = [_view(row) for row in rows]
        return pagination.answer(rows, more, pagination.row_key(order), shown)

    @blp.arguments(WebhookEndpointCreateSchema())
    @blp.response(201, WebhookEndpointSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Subscribe a URL to event types; the signing secret is shown once"""
        practice_id = current_practice_id()
        _vet(data["url"])
        if _active_count(practice_id) >= MAX_ENDPOINTS:
            abort(409, message=f"A practice can have at most {MAX_ENDPOINTS} active endpoints.")
        endpoint, secret = endpoints.create(db.session, practice_id, data, utcnow())
        audit.record_setting(db.session, endpoint, AUDITED, "create")
        db.session.commit()
        return _view(endpoint, secret)


@blp.route("/<uuid:endpoint_id>")
class WebhookEndpointById(MethodView):
    @blp.response(200, WebhookEndpointSchema())
    def get(self, endpoint_id: uuid.UUID) -> dict[str, Any]:
        """Read an endpoint (never its secret)"""
        return _view(_visible(endpoint_id))

    @blp.arguments(WebhookEndpointPatchSchema())
    @blp.response(200, WebhookEndpointSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def patch(self, data: dict[str, Any], endpoint_id: uuid.UUID) -> dict[str, Any]:
        """Change the url (vetted again), event types, description, or enable/disable"""
        endpoint = _visible(endpoint_id)
        if "url" in data:
            _vet(data["url"])
        enabling = data.get("enabled") is True and endpoint.disabled_at is not None
        if enabling and _active_count(endpoint.practice_id) >= MAX_ENDPOINTS:
            abort(409, message=f"A practice can have at most {MAX_ENDPOINTS} active endpoints.")
        endpoints.change(db.session, endpoint, data, utcnow())
        audit.record_setting(db.session, endpoint, AUDITED, audit.patch_action(data), data)
        db.session.commit()
        return _view(endpoint)

    @blp.response(204)
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def delete(self, endpoint_id: uuid.UUID) -> None:
        """Disable and hide the endpoint; its deliveries are kept for audit"""
        endpoint = _visible(endpoint_id)
        endpoints.remove(endpoint, utcnow())
        audit.record_setting(db.session, endpoint, AUDITED, "delete")
        db.session.commit()


@blp.route("/<uuid:endpoint_id>/rotate-secret")
class RotateSecret(MethodView):
    @blp.response(200, WebhookEndpointSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, endpoint_id: uuid.UUID) -> dict[str, Any]:
        """A new signing secret, shown once; the old one signs alongside it for 24 hours"""
        endpoint = _visible(endpoint_id)
        secret = endpoints.rotate_secret(endpoint, utcnow())
        audit.record_setting(db.session, endpoint, AUDITED, "rotate")
        db.session.commit()
        return _view(endpoint, secret)


@blp.route("/<uuid:endpoint_id>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryListArgsSchema(), location="query")
    @blp.response(200, DeliverySchema(many=True), headers=pagination.LINK)
    def get(self, args: dict[str, Any], endpoint_id: uuid.UUID) -> Any:
        """Deliveries to the endpoint, newest first, with every attempt, a page at a time"""
        endpoint = _visible(endpoint_id)
        query = select(Delivery).where(Delivery.endpoint_id == endpoint.id)
        if "status" in args:
            query = query.where(Delivery.status == args["status"])
        order = (Delivery.created_at, Delivery.id)
        return pagination.listed(db.session, query, order, args, descending=True)


@blp.route("/<uuid:endpoint_id>/replay")
class Replay(MethodView):
    @blp.arguments(ReplaySchema())
    @blp.response(202, ReplayResultSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any], endpoint_id: uuid.UUID) -> dict[str, int]:
        """Re-queue one delivery, or every delivery since a time that did not succeed"""
        endpoint = _visible(endpoint_id)
        if endpoint.disabled_at is not None:
            abort(409, message="The endpoint is disabled; register the URL again.")
        now = utcnow()
        if "delivery_id" in data:
            count = _replay_one(endpoint, data["delivery_id"], now)
        else:
            count = replay_since(db.session, endpoint, data["since"], now)
        db.session.commit()
        return {"requeued": count}


def _replay_one(endpoint: WebhookEndpoint, delivery_id: uuid.UUID, now: datetime) -> int:
    delivery = db.session.scalars(
        select(Delivery).where(Delivery.id == delivery_id, Delivery.endpoint_id == endpoint.id)
    ).first()
    if delivery is None:
        abort(404, message="No delivery with that id for this endpoint.")
    assert delivery is not None
    requeue(delivery, now)
    return 1
