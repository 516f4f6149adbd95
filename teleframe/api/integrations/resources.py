"""Video-platform integrations: where a platform sends webhooks, and the secret that signs them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from teleframe.api import pagination
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.hooks.resources import forget
from teleframe.api.integrations.schemas import (
    IntegrationCreateSchema,
    IntegrationPatchSchema,
    IntegrationRotateSchema,
    IntegrationSchema,
)
from teleframe.api.urls import public_url_for
from teleframe.db import audit
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import Integration
from teleframe.models.base import utcnow
from teleframe.operations import integration as integrations

blp = Blueprint("integrations", __name__, url_prefix="/v1/integrations", description="Integrations")
SECRET_REQUIRED = {"secret": ["The provider's signing secret is required."]}


def _view(integration: Integration, secret: str | None = None) -> dict[str, Any]:
    hook = public_url_for(
        "hooks.receive", provider=integration.provider, integration_id=integration.id
    )
    until = integration.previous_secret_until
    view = {
        "id": integration.id,
        "provider": integration.provider,
        "label": integration.label,
        "hook_url": hook,
        "created_at": integration.created_at,
        "enabled": integration.disabled_at is None,
        "disabled_at": integration.disabled_at,
        "previous_secret_expires_at": until if until and until > utcnow() else None,
    }
    return {**view, "secret": secret} if secret else view


@blp.route("")
class Integrations(MethodView):
    @blp.arguments(pagination.PageArgsSchema(), location="query")
    @blp.response(200, IntegrationSchema(many=True), headers=pagination.LINK)
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self, args: dict[str, Any]) -> Any:
        """The practice's integrations in creation order, a page at a time (`Link: rel="next"`)"""
        order = (Integration.created_at, Integration.id)
        query = integrations.listing(current_practice_id())
        rows, more = pagination.page(db.session, query, order, args)
        return pagination.answer(rows, more, pagination.row_key(order), [_view(r) for r in rows])

    @blp.arguments(IntegrationCreateSchema())
    @blp.response(201, IntegrationSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a video-platform integration"""
        try:
            integration, made = integrations.create(
                db.session, current_practice_id(), data, utcnow()
            )
        except integrations.SecretRequired:
            abort(422, errors=SECRET_REQUIRED)
        audit.record_setting(db.session, integration, "integration", "create")
        db.session.commit()
        return _view(integration, made)


@blp.route("/<uuid:integration_id>")
class IntegrationById(MethodView):
    @blp.response(200, IntegrationSchema())
    def get(self, integration_id: uuid.UUID) -> dict[str, Any]:
        """Read an integration (never its secret)"""
        return _view(get_scoped(Integration, integration_id))

    @blp.arguments(IntegrationPatchSchema())
    @blp.response(200, IntegrationSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def patch(self, data: dict[str, Any], integration_id: uuid.UUID) -> dict[str, Any]:
        """Change the label, or disable (hooks answer 410, nothing stored) and enable again"""
        integration = get_scoped(Integration, integration_id)
        integrations.change(integration, data, utcnow())
        audit.record_setting(db.session, integration, "integration", audit.patch_action(data), data)
        db.session.commit()
        forget(integration.id)
        return _view(integration)


@blp.route("/<uuid:integration_id>/rotate-secret")
class RotateSecret(MethodView):
    @blp.arguments(IntegrationRotateSchema(), required=False)
    @blp.response(200, IntegrationSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any], integration_id: uuid.UUID) -> dict[str, Any]:
        """Replace the signing secret; hooks signed with the old one are accepted for
        `overlap_hours` (24 by default)"""
        integration = get_scoped(Integration, integration_id)
        overlap = timedelta(hours=data["overlap_hours"])
        try:
            made = integrations.rotate(integration, data.get("secret"), overlap, utcnow())
        except integrations.SecretRequired:
            abort(422, errors=SECRET_REQUIRED)
        audit.record_setting(db.session, integration, "integration", "rotate")
        db.session.commit()
        forget(integration.id)
        return _view(integration, made)
