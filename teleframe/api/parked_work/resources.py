"""Work set aside after failing again and again, for the practice's admin to look at."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.parked_work.schemas import ParkedWorkArgsSchema, ParkedWorkSchema
from teleframe.extensions import db
from teleframe.operations.parked_work import parked_work

blp = Blueprint("parked_work", __name__, url_prefix="/v1", description="Parked work")


@blp.route("/parked-work")
class ParkedWork(MethodView):
    @blp.arguments(ParkedWorkArgsSchema(), location="query")
    @blp.response(200, ParkedWorkSchema(many=True))
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """The practice's parked work, newest first: stored webhooks that could not be read,
        evaluations, report builds, retention and deliveries that kept failing"""
        return parked_work(
            db.session, current_practice_id(), kind=args.get("kind"), limit=args["limit"]
        )
