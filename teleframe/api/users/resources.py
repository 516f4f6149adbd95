"""People who sign in to the dashboard: admins add them and hand them a one-time set-up link."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from teleframe.accounts import users
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.urls import public_url_for
from teleframe.api.users.schemas import UserCreatedSchema, UserCreateSchema
from teleframe.db import audit
from teleframe.extensions import db
from teleframe.services.accounts import rules

blp = Blueprint("users", __name__, url_prefix="/v1/users", description="Dashboard users")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserCreateSchema())
    @blp.response(201, UserCreatedSchema())
    @blp.alt_response(403, description="A platform key cannot add users")
    @admin_only
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add an admin or clinician user; answers their one-time set-up link"""
        try:
            user, token = users.invite(
                db.session,
                audit.request_actor(),
                current_practice_id(),
                data["email"],
                data["role"],
                data["clinician_id"],
            )
        except users.AccountError as error:
            db.session.rollback()
            status = 409 if error.field == "email" else 422
            abort(status, message=error.message, errors={error.field: [error.message]})
        db.session.commit()
        return {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "clinician_id": user.clinician_id,
            "created_at": user.created_at,
            "setup_url": public_url_for("dashboard.set_up", token=token),
            "setup_expires_in_hours": int(rules.LINK_LIFETIME.total_seconds() // 3600),
        }
