"""The practice itself: its name and how long its records are kept. Admin only."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.practice.schemas import PracticePatchSchema, PracticeSchema
from teleframe.db import audit
from teleframe.extensions import db
from teleframe.models import Practice
from teleframe.operations import practice

blp = Blueprint("practice", __name__, url_prefix="/v1/practice", description="The practice")


@blp.route("")
class PracticeSettings(MethodView):
    @blp.response(200, PracticeSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self) -> Practice:
        """The practice's settings"""
        return db.session.get_one(Practice, current_practice_id())

    @blp.arguments(PracticePatchSchema())
    @blp.response(200, PracticeSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def patch(self, data: dict[str, Any]) -> Practice:
        """Change the name or the retention period; each change is an audit event"""
        changed = practice.change(db.session, current_practice_id(), data, audit.request_actor())
        db.session.commit()
        return changed
