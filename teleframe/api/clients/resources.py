"""Clients of a practice. Name and birth date are PHI and stored encrypted."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from teleframe.api.auth import current_practice_id
from teleframe.api.clients.schemas import ClientCreateSchema, ClientSchema
from teleframe.api.idempotency import idempotent
from teleframe.db import audit
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import Client

blp = Blueprint("clients", __name__, url_prefix="/v1/clients", description="Clients")


@blp.route("")
class Clients(MethodView):
    @idempotent
    @blp.arguments(ClientCreateSchema())
    @blp.response(201, ClientSchema())
    def post(self, data: dict[str, Any]) -> Client:
        """Add a client"""
        born = data.get("date_of_birth")
        client = Client(
            practice_id=current_practice_id(),
            identity={
                "display_name": data["display_name"],
                "date_of_birth": born.isoformat() if born else None,
            },
            external_ref=data.get("external_ref"),
        )
        db.session.add(client)
        db.session.flush()
        return client


@blp.route("/<uuid:client_id>")
class ClientById(MethodView):
    @blp.response(200, ClientSchema())
    def get(self, client_id: uuid.UUID) -> Client:
        """Read a client"""
        client = get_scoped(Client, client_id)
        audit.record(
            db.session,
            audit.request_actor(),
            practice_id=client.practice_id,
            action="read",
            resource_type="client",
            resource_id=client.id,
        )
        db.session.commit()
        return client
