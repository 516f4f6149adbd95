"""The practice's frame policy: a versioned document, changed without a deploy."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from teleframe.api import pagination
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.policy.schemas import PolicySchema, PolicyVersionSchema
from teleframe.extensions import db
from teleframe.models import PolicyVersion
from teleframe.operations import policy
from teleframe.services.policy import PolicyError

blp = Blueprint("policy", __name__, url_prefix="/v1/policy", description="Frame policy")

POLICY_BODY = {
    "required": True,
    "description": "The policy document, YAML or JSON (see config/policy/default.yaml)",
    "content": {
        "application/yaml": {"schema": {"description": "YAML text"}},
        "application/json": {"schema": {"type": "object"}},
    },
}
TEXT_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")


@blp.route("")
class Policy(MethodView):
    @blp.response(200, PolicySchema())
    def get(self) -> PolicyVersion:
        """The current policy version"""
        return policy.ensure_default(db.session, current_practice_id())

    @blp.doc(requestBody=POLICY_BODY)
    @blp.response(200, PolicySchema())
    @blp.alt_response(
        422, description="The document is not a valid policy; errors name path and line"
    )
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def put(self) -> Any:
        """Save a new policy version (an unchanged document keeps the current version)"""
        mimetype = request.mimetype
        if mimetype != "application/json" and mimetype not in TEXT_TYPES:
            abort(415, message="Send the policy as application/yaml or application/json.")
        text = request.get_data(as_text=True)
        try:
            version = policy.save_version(db.session, current_practice_id(), text)
        except PolicyError as error:
            abort(422, message="The policy is not valid.", errors={"policy": error.errors})
        db.session.commit()
        return version


@blp.route("/versions")
class PolicyVersions(MethodView):
    @blp.arguments(pagination.PageArgsSchema(), location="query")
    @blp.response(200, PolicyVersionSchema(many=True), headers=pagination.LINK)
    def get(self, args: dict[str, Any]) -> Any:
        """Every saved version, newest first, a page at a time"""
        query = select(PolicyVersion).where(PolicyVersion.practice_id == current_practice_id())
        order = (PolicyVersion.number, PolicyVersion.id)
        return pagination.listed(db.session, query, order, args, descending=True)
