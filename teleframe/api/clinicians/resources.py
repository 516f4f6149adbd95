"""Clinicians and the licences and compact privileges they practise under."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from teleframe.api.auth import admin_only, current_practice_id
from teleframe.api.clinicians.schemas import ClinicianCreateSchema, ClinicianSchema
from teleframe.api.idempotency import idempotent
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import Clinician

blp = Blueprint("clinicians", __name__, url_prefix="/v1/clinicians", description="Clinicians")


def _licence_json(licence: dict[str, Any]) -> dict[str, Any]:
    expires = licence.get("expires_on")
    return {**licence, "expires_on": expires.isoformat() if expires else None}


@blp.route("")
class Clinicians(MethodView):
    @idempotent
    @blp.arguments(ClinicianCreateSchema())
    @blp.response(201, ClinicianSchema())
    @blp.alt_response(403, description="Needs an admin key of the practice")
    @admin_only
    def post(self, data: dict[str, Any]) -> Clinician:
        """Add a clinician with their licences"""
        data["licenses"] = [_licence_json(licence) for licence in data["licenses"]]
        clinician = Clinician(practice_id=current_practice_id(), **data)
        db.session.add(clinician)
        db.session.flush()
        return clinician


@blp.route("/<uuid:clinician_id>")
class ClinicianById(MethodView):
    @blp.response(200, ClinicianSchema())
    def get(self, clinician_id: uuid.UUID) -> Clinician:
        """Read a clinician"""
        return get_scoped(Clinician, clinician_id)
