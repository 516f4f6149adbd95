"""Practice admins: clinicians, API keys, integrations, webhook endpoints, policy versions."""

from __future__ import annotations

import difflib
import uuid
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from teleframe.api.auth import ROLES
from teleframe.dashboard.admin_views import admin_required
from teleframe.dashboard.blueprint import blp
from teleframe.db import audit
from teleframe.extensions import db
from teleframe.models import (
    ApiKey,
    Clinician,
    Delivery,
    Integration,
    PolicyVersion,
    WebhookEndpoint,
)
from teleframe.operations import api_key


def _mine(model: Any) -> Any:
    return select(model).where(model.practice_id == current_user.practice_id)


@blp.get("/admin/practice")
@admin_required
def practice() -> Any:
    endpoints = db.session.scalars(
        _mine(WebhookEndpoint).order_by(WebhookEndpoint.created_at)
    ).all()
    deliveries = {
        e.id: db.session.scalars(
            _mine(Delivery)
            .where(Delivery.endpoint_id == e.id)
            .order_by(Delivery.created_at.desc())
            .limit(5)
        ).all()
        for e in endpoints
    }
    return render_template(
        "dashboard/practice.html",
        clinicians=db.session.scalars(_mine(Clinician).order_by(Clinician.name)).all(),
        integrations=db.session.scalars(_mine(Integration).order_by(Integration.created_at)).all(),
        endpoints=endpoints,
        deliveries=deliveries,
    )


def _keys_page(**context: Any) -> str:
    keys = db.session.scalars(_mine(ApiKey).order_by(ApiKey.created_at.desc())).all()
    return render_template("dashboard/keys.html", keys=keys, roles=ROLES, **context)


@blp.get("/admin/keys")
@admin_required
def keys() -> Any:
    return _keys_page()


@blp.post("/admin/keys")
@admin_required
def create_key() -> Any:
    role = request.form.get("role", "platform")
    if role not in ROLES:
        abort(422)
    label = request.form.get("label", "")[:200]
    _, key = api_key.issue(db.session, current_user.practice_id, label, role, audit.request_actor())
    db.session.commit()
    return _keys_page(new_key=key)


@blp.post("/admin/keys/<uuid:key_id>/revoke")
@admin_required
def revoke_key(key_id: uuid.UUID) -> Any:
    row = api_key.key_of(db.session, current_user.practice_id, key_id)
    if row is None:
        abort(404)
    try:
        # the same revocation as the API's: refused at once on every API process
        api_key.revoke(db.session, row, audit.request_actor())
    except api_key.LastAdminKey:
        db.session.rollback()
        return _keys_page(
            error="This is the practice's last active admin key; create another first."
        )
    db.session.commit()
    return _keys_page()


@blp.get("/admin/policy")
@admin_required
def policy() -> Any:
    versions = db.session.scalars(_mine(PolicyVersion).order_by(PolicyVersion.number.desc())).all()
    by_number = {v.number: v for v in versions}
    older, newer = _pair(request.args, by_number)
    diff = None
    if older and newer:
        diff = list(
            difflib.unified_diff(
                older.source_text.splitlines(),
                newer.source_text.splitlines(),
                f"version {older.number}",
                f"version {newer.number}",
                lineterm="",
            )
        )
    return render_template(
        "dashboard/policy.html", versions=versions, older=older, newer=newer, diff=diff
    )


def _pair(args: Any, by_number: dict[int, PolicyVersion]) -> tuple[Any, Any]:
    try:
        return by_number.get(int(args.get("from", ""))), by_number.get(int(args.get("to", "")))
    except ValueError:
        return None, None
