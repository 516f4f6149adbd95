"""The practice's audit trail (HIPAA §164.312(b)), for its admins: who did what to which
record, when and from where. Ids and non-PHI facts only, as stored."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from teleframe.api import pagination
from teleframe.api.audit_events.schemas import AuditEventListArgsSchema, AuditEventSchema
from teleframe.api.auth import admin_only, current_practice_id
from teleframe.extensions import db
from teleframe.models import AuditEvent
from teleframe.operations import audit_trail

blp = Blueprint("audit_events", __name__, url_prefix="/v1/audit-events", description="Audit trail")


@blp.route("")
class AuditEvents(MethodView):
    @blp.arguments(AuditEventListArgsSchema(), location="query")
    @blp.response(200, AuditEventSchema(many=True), headers=pagination.LINK)
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def get(self, args: dict[str, Any]) -> Any:
        """The practice's audit events, newest first, a page at a time"""
        filters = audit_trail.Filters(
            client_id=args.get("client"),
            session_id=args.get("session"),
            actor=args.get("actor"),
            action=args.get("action"),
            since=args.get("since"),
            until=args.get("until"),
        )
        query = audit_trail.events(db.session, current_practice_id(), filters)
        order = (AuditEvent.occurred_at, AuditEvent.id)
        return pagination.listed(db.session, query, order, args, descending=True)
