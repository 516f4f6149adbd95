"""Practice admins: add people, disable them, hand out reset links."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from teleframe.accounts import users
from teleframe.api.urls import public_url_for
from teleframe.dashboard.blueprint import blp
from teleframe.db import audit
from teleframe.extensions import db
from teleframe.models import Clinician, User


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _record(user: User, action: str, **detail: Any) -> None:
    audit.record(
        db.session,
        audit.request_actor(),
        practice_id=user.practice_id,
        action=action,
        resource_type="user",
        resource_id=user.id,
        detail=detail,
    )


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    practice_id = current_user.practice_id
    clinicians = db.session.scalars(
        select(Clinician).where(Clinician.practice_id == practice_id).order_by(Clinician.name)
    ).all()
    context.setdefault("errors", {})
    context.setdefault("values", {})
    page = render_template(
        "dashboard/users.html",
        people=users.practice_users(db.session, practice_id),
        clinicians=clinicians,
        **context,
    )
    return page, status


@blp.get("/admin/users")
@admin_required
def users_page() -> Any:
    return _page()


# the nav names this endpoint "users"
blp.add_url_rule("/admin/users", "users", users_page, methods=["GET"])


@blp.post("/admin/users")
@admin_required
def add_user() -> Any:
    form = request.form
    clinician = form.get("clinician_id") or None
    try:
        clinician_id = uuid.UUID(clinician) if clinician else None
        user, token = users.invite(
            db.session,
            audit.request_actor(),
            current_user.practice_id,
            form.get("email", "")[:254],
            form.get("role", ""),
            clinician_id,
        )
    except ValueError as error:
        db.session.rollback()
        field, message = (
            getattr(error, "field", "clinician_id"),
            getattr(error, "message", "Choose a clinician."),
        )
        return _page(422, errors={field: message}, values=dict(form))
    db.session.commit()
    return _page(201, link=public_url_for("dashboard.set_up", token=token), link_for=user.email)


def _member(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.practice_id != current_user.practice_id:
        abort(404)
    return user


@blp.post("/admin/users/<uuid:user_id>/disable")
@admin_required
def disable_user(user_id: uuid.UUID) -> Any:
    user = _member(user_id)
    if user.id == current_user.user.id:
        return _page(422, errors={"form": "You cannot disable your own account."})
    disable = user.disabled_at is None
    users.set_disabled(db.session, user, disable)
    _record(user, "disable" if disable else "enable")
    db.session.commit()
    return _page()


@blp.post("/admin/users/<uuid:user_id>/reset")
@admin_required
def reset_user(user_id: uuid.UUID) -> Any:
    user = _member(user_id)
    token = users.issue_link(db.session, user, "reset")
    _record(user, "reset")
    db.session.commit()
    return _page(link=public_url_for("dashboard.set_up", token=token), link_for=user.email)
