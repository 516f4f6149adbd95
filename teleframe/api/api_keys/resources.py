"""A practice's API keys: list, issue (the key is shown once), revoke at once. Admin only."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from teleframe.api.api_keys.schemas import ApiKeyCreateSchema, ApiKeySchema
from teleframe.api.auth import admin_only, current_practice_id, hash_key, issue_key
from teleframe.db.queries import not_found
from teleframe.extensions import db
from teleframe.models import ApiKey
from teleframe.operations import api_key

blp = Blueprint("api_keys", __name__, url_prefix="/v1/api-keys", description="API keys")


_SHOWN = ("id", "prefix", "label", "role", "created_at", "last_used_at", "revoked_at")


@blp.route("")
class ApiKeys(MethodView):
    @blp.response(200, ApiKeySchema(many=True))
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self) -> list[ApiKey]:
        """The practice's keys, revoked ones included (never the keys themselves)"""
        return api_key.keys_of(db.session, current_practice_id())

    @blp.arguments(ApiKeyCreateSchema())
    @blp.response(201, ApiKeySchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Issue a key; this answer is the only place it is ever shown"""
        practice_id = current_practice_id()
        key = issue_key(db.session, practice_id, label=data["label"], role=data["role"])
        row = db.session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).one()
        db.session.commit()
        return {**{name: getattr(row, name) for name in _SHOWN}, "key": key}


@blp.route("/<uuid:key_id>")
class ApiKeyById(MethodView):
    @blp.response(204)
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @blp.alt_response(409, description="The practice's last active admin key")
    @admin_only
    def delete(self, key_id: uuid.UUID) -> None:
        """Revoke a key: refused on the very next request, on every API process"""
        practice_id = current_practice_id()
        row = api_key.key_of(db.session, practice_id, key_id)
        if row is None:
            not_found("API key")
        try:
            api_key.revoke(db.session, row)
        except api_key.LastAdminKey:
            db.session.rollback()
            abort(409, message="This is the practice's last active admin key; issue another first.")
        db.session.commit()
