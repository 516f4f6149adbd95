"""Practice admins: clinicians, API keys, integrations, webhook endpoints, policy versions."""

from __future__ import annotations

import difflib
import uuid
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from teleframe.api.auth import ROLES, issue_key
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
from teleframe.models.base import utcnow


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
    key = issue_key(db.session, current_user.practice_id, request.form.get("label", "")[:200], role)
    _record("create", key[:10], role=role)
    db.session.commit()
    return _keys_page(new_key=key)


@blp.post("/admin/keys/<uuid:key_id>/revoke")
@admin_required
def revoke_key(key_id: uuid.UUID) -> Any:
    row = db.session.scalars(_mine(ApiKey).where(ApiKey.id == key_id)).first()
    if row is None:
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        _record("disable", str(row.id))
    db.session.commit()
    return _keys_page()


def _record(action: str, resource_id: str, **detail: Any) -> None:
    audit.record(
        db.session,
        audit.request_actor(),
        practice_id=current_user.practice_id,
        action=action,
        resource_type="api_key",
        resource_id=resource_id,
        detail=detail,
    )


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
