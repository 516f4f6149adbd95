"""Signing in and out, and the one-time set-up or reset link."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from teleframe.accounts import signin, users
from teleframe.dashboard.blueprint import blp
from teleframe.dashboard.wiring import SignedIn, limiter
from teleframe.db import audit
from teleframe.extensions import db
from teleframe.services.accounts import codes

REFUSED = "The email, password or authentication code is not right."
LOCKED = (
    "This account is locked for 15 minutes after repeated failed sign-ins. "
    "Try again later or ask your practice admin for a reset link."
)
TOKEN_PATH = "/setup/<string(minlength=20,maxlength=64):token>"  # noqa: S105


def _sign_in_key() -> str:
    """Per address and email, so one person's mistakes do not lock out a shared office."""
    email = users.normalise_email(request.form.get("email", ""))[:254]
    return f"{request.remote_addr}|{email}"


def _form(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return render_template(template, **context), status


@blp.get("/sign-in")
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.today"))
    return _form("dashboard/sign_in.html")


@blp.post("/sign-in")
@limiter.limit("10 per minute", key_func=_sign_in_key)
@limiter.limit("60 per minute")
def sign_in_post() -> Any:
    form = request.form
    values = {"email": form.get("email", "")[:254]}
    attempt = signin.sign_in(
        db.session,
        form.get("email", "")[:254],
        form.get("password", "")[:1024],
        form.get("code", "")[:32],
        audit.anonymous_actor(),
    )
    db.session.commit()
    if attempt.outcome is not signin.Outcome.signed_in or attempt.token is None:
        message = LOCKED if attempt.outcome is signin.Outcome.locked else REFUSED
        return _form("dashboard/sign_in.html", 401, errors={"form": message}, values=values)
    session.clear()  # a new session: nothing from before sign-in carries over
    found = signin.current(db.session, attempt.token)
    assert found is not None
    login_user(SignedIn(found[0], found[1], attempt.token))
    return redirect(url_for("dashboard.today"), 303)


@blp.post("/sign-out")
@login_required
def sign_out() -> BaseResponse:
    signin.sign_out(db.session, current_user.user, current_user.row, audit.request_actor())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("dashboard.sign_in"), 303)


@blp.get(TOKEN_PATH)
def set_up(token: str) -> Any:
    opened = users.open_link(db.session, token)
    if opened is None:
        return _expired()
    link, user = opened
    return _setup_page(link, user)


@blp.post(TOKEN_PATH)
@limiter.limit("20 per minute", key_func=lambda: request.path)  # per link: guesses of its code
def set_up_post(token: str) -> Any:
    opened = users.open_link(db.session, token)
    if opened is None:
        return _expired()
    link, user = opened
    form = request.form
    try:
        done = users.complete_link(
            db.session,
            link,
            user,
            form.get("password", "")[:1024],
            form.get("confirm", "")[:1024],
            form.get("code", "")[:32],
        )
    except users.AccountError as error:
        db.session.rollback()
        return _setup_page(link, user, 422, {error.field: error.message})
    audit.record(
        db.session,
        audit.anonymous_actor(),
        practice_id=user.practice_id,
        action="set_up",
        resource_type="user",
        resource_id=user.id,
        detail={"purpose": link.purpose},
    )
    db.session.commit()
    return render_template("dashboard/setup_done.html", codes=done.recovery_codes)


def _setup_page(link: Any, user: Any, status: int = 200, errors: Any = None) -> tuple[str, int]:
    import segno

    uri = codes.provisioning_uri(link.pending_totp_secret, user.email)
    qr = segno.make(uri, error="m").svg_inline(scale=4, title="QR code of the setup key")
    key = link.pending_totp_secret
    grouped = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return _form(
        "dashboard/setup.html",
        status,
        errors=errors or {},
        email=user.email,
        setup_key=grouped,
        qr_svg=qr,
        purpose=link.purpose,
    )


def _expired() -> tuple[str, int]:
    text = "This link has expired or was already used. Ask your practice admin for a new one."
    return render_template("dashboard/message.html", title="Link not valid", text=text), 404
