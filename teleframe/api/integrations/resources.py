"""Video-platform integrations: where a platform sends webhooks, and the secret that signs them."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.integrations.schemas import IntegrationCreateSchema, IntegrationSchema
from teleframe.api.urls import public_url_for
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import Integration
from teleframe.operations.delivery import new_secret

blp = Blueprint("integrations", __name__, url_prefix="/v1/integrations", description="Integrations")


def _view(integration: Integration, secret: str | None = None) -> dict[str, Any]:
    hook = public_url_for(
        "hooks.receive", provider=integration.provider, integration_id=integration.id
    )
    view = {
        "id": integration.id,
        "provider": integration.provider,
        "label": integration.label,
        "hook_url": hook,
        "created_at": integration.created_at,
    }
    return {**view, "secret": secret} if secret else view


@blp.route("")
class Integrations(MethodView):
    @blp.arguments(IntegrationCreateSchema())
    @blp.response(201, IntegrationSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a video-platform integration"""
        made = None
        secret = data.get("secret")
        if secret is None:
            if data["provider"] != "standard":
                abort(422, errors={"secret": ["The provider's signing secret is required."]})
            made = secret = new_secret()
        integration = Integration(
            id=uuid.uuid4(),
            practice_id=current_practice_id(),
            provider=data["provider"],
            secret=secret,
            label=data.get("label", ""),
        )
        db.session.add(integration)
        db.session.commit()
        return _view(integration, made)


@blp.route("/<uuid:integration_id>")
class IntegrationById(MethodView):
    @blp.response(200, IntegrationSchema())
    def get(self, integration_id: uuid.UUID) -> dict[str, Any]:
        """Read an integration (never its secret)"""
        return _view(get_scoped(Integration, integration_id))
