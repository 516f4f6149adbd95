"""Work set aside after failing again and again, for the practice's admin to look at."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from teleframe.api import pagination
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.parked_work.schemas import ParkedWorkArgsSchema, ParkedWorkSchema
from teleframe.extensions import db
from teleframe.operations.parked_work import parked_work, position

blp = Blueprint("parked_work", __name__, url_prefix="/v1", description="Parked work")


@blp.route("/parked-work")
class ParkedWork(MethodView):
    @blp.arguments(ParkedWorkArgsSchema(), location="query")
    @blp.response(200, ParkedWorkSchema(many=True), headers=pagination.LINK)
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self, args: dict[str, Any]) -> Any:
        """The practice's parked work, newest first, a page at a time: stored webhooks that
        could not be read, evaluations, report builds, retention and deliveries that kept
        failing"""
        after = pagination.position(args, (datetime, uuid.UUID))
        found = parked_work(
            db.session,
            current_practice_id(),
            kind=args.get("kind"),
            limit=args["limit"] + 1,
            after=after,
        )
        return pagination.answer(found[: args["limit"]], len(found) > args["limit"], position)
