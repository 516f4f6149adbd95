"""A clinician's personal access tokens: made here, shown once, listed with last use, revoked."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user, login_required

from teleframe.accounts import tokens as personal
from teleframe.dashboard.blueprint import blp
from teleframe.db import audit
from teleframe.extensions import db


def _page(**context: Any) -> str:
    if current_user.user.role != "clinician":
        abort(404)
    return render_template(
        "dashboard/tokens.html", tokens=personal.owned(db.session, current_user.user), **context
    )


def _record(action: str, token_id: str) -> None:
    audit.record(
        db.session,
        audit.request_actor(),
        practice_id=current_user.practice_id,
        action=action,
        resource_type="personal_token",
        resource_id=token_id,
    )


@blp.get("/tokens")
@login_required
def tokens() -> Any:
    return _page()


@blp.post("/tokens")
@login_required
def create_token() -> Any:
    if current_user.user.role != "clinician":
        abort(404)
    made = personal.create(db.session, current_user.user, request.form.get("label", ""))
    _record("create", made[:10])
    db.session.commit()
    return _page(new_token=made)


@blp.post("/tokens/<uuid:token_id>/revoke")
@login_required
def revoke_token(token_id: uuid.UUID) -> Any:
    if not personal.revoke(db.session, current_user.user, token_id):
        abort(404)
    _record("disable", str(token_id))
    db.session.commit()
    return _page()
