"""A practice's API keys: list, issue (the key is shown once), rotate, revoke at once.
Admin only."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from teleframe.api import pagination
from teleframe.api.api_keys.schemas import ApiKeyCreateSchema, ApiKeySchema
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.db import audit
from teleframe.db.queries import not_found
from teleframe.extensions import db
from teleframe.models import ApiKey
from teleframe.operations import api_key

blp = Blueprint("api_keys", __name__, url_prefix="/v1/api-keys", description="API keys")

_SHOWN = ("id", "prefix", "label", "role", "created_at", "last_used_at", "revoked_at")
_ADMIN = "Needs an admin key of the practice"


def _with_key(row: ApiKey, key: str) -> dict[str, Any]:
    return {**{name: getattr(row, name) for name in _SHOWN}, "key": key}


def _visible(key_id: uuid.UUID) -> ApiKey:
    row = api_key.key_of(db.session, current_practice_id(), key_id)
    if row is None:
        not_found("API key")
    return row


@blp.route("")
class ApiKeys(MethodView):
    @blp.arguments(pagination.PageArgsSchema(), location="query")
    @blp.response(200, ApiKeySchema(many=True), headers=pagination.LINK)
    @blp.alt_response(403, description=_ADMIN)
    @admin_only
    def get(self, args: dict[str, Any]) -> Any:
        """The practice's keys in creation order, revoked ones included (never the keys
        themselves), a page at a time"""
        query = api_key.keys_query(current_practice_id())
        return pagination.listed(db.session, query, (ApiKey.created_at, ApiKey.id), args)

    @blp.arguments(ApiKeyCreateSchema())
    @blp.response(201, ApiKeySchema())
    @blp.alt_response(403, description=_ADMIN)
    @admin_only
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Issue a key; this answer is the only place it is ever shown"""
        row, key = api_key.issue(
            db.session, current_practice_id(), data["label"], data["role"], audit.request_actor()
        )
        db.session.commit()
        return _with_key(row, key)


@blp.route("/<uuid:key_id>")
class ApiKeyById(MethodView):
    @blp.response(204)
    @blp.alt_response(403, description=_ADMIN)
    @blp.alt_response(409, description="The practice's last active admin key")
    @admin_only
    def delete(self, key_id: uuid.UUID) -> None:
        """Revoke a key: refused on the very next request, on every API process"""
        row = _visible(key_id)
        try:
            api_key.revoke(db.session, row, audit.request_actor())
        except api_key.LastAdminKey:
            db.session.rollback()
            abort(409, message="This is the practice's last active admin key; issue another first.")
        db.session.commit()


@blp.route("/<uuid:key_id>/rotate")
class ApiKeyRotation(MethodView):
    @blp.response(200, ApiKeySchema())
    @blp.alt_response(403, description=_ADMIN)
    @blp.alt_response(409, description="The key is revoked")
    @admin_only
    def post(self, key_id: uuid.UUID) -> dict[str, Any]:
        """Issue a new secret for the same key (id, label, role), shown once in this answer;
        the old secret is refused on the very next request, on every API process"""
        row = _visible(key_id)
        try:
            key = api_key.rotate(db.session, row, audit.request_actor())
        except api_key.KeyRevoked:
            abort(409, message="The key is revoked; issue a new one.")
        db.session.commit()
        return _with_key(row, key)
