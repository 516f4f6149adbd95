"""Flask-Login, Flask-WTF (CSRF) and Flask-Limiter for the dashboard, and its page headers."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Flask, Request, Response, g, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from config.settings import Settings
from teleframe.accounts import signin
from teleframe.errors import problem
from teleframe.extensions import db
from teleframe.models import SignInSession, User

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class SignedIn(UserMixin):
    """Flask-Login's user: the person and the sign-in session the cookie names."""

    def __init__(self, user: User, row: SignInSession, token: str) -> None:
        self.user = user
        self.row = row
        self.token = token

    def get_id(self) -> str:
        # the cookie holds the sign-in session's token, never the user id: ending the
        # session row ends the cookie
        return self.token

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def practice_id(self) -> uuid.UUID:
        return self.user.practice_id


class SessionCookies(SecureCookieSessionInterface):
    """Secure whenever the request came over HTTPS, as well as when configured."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)):
            # what Flask returns without a cookie (every API and webhook call), without first
            # building the cookie's signer for nothing
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


@login_manager.user_loader
def _load(token: str) -> SignedIn | None:
    found = signin.current(db.session, token)
    return SignedIn(found[0], found[1], token) if found else None


def init_dashboard(app: Flask, settings: Settings) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config.get("SESSION_COOKIE_SECURE")
        or (settings.public_url or "").startswith("https"),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked per blueprint: the API has no forms
        RATELIMIT_STORAGE_URI=settings.rate_limit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.session_interface = SessionCookies()
    login_manager.login_view = "dashboard.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = None  # the server-side sign-in session does this job
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _limit_only_dashboard(app)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.jinja_env.filters["when"] = when


def _limit_only_dashboard(app: Flask) -> None:
    """Flask-Limiter hooks every request of the app, but its only limits are the sign-in
    page's: the API and the webhooks paid 6% of a check-in's CPU for nothing. Its three hooks
    run for the dashboard's blueprint alone (the decorated views check their own limits)."""
    hooks: tuple[dict[Any, list[Any]], ...] = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
    )
    for funcs in hooks:
        every = funcs.get(None, [])
        for hook in [hook for hook in every if _limiter_hook(hook)]:
            every.remove(hook)
            funcs.setdefault("dashboard", []).append(hook)


def _limiter_hook(hook: Any) -> bool:
    bound_to = getattr(hook, "__self__", None)
    if isinstance(hook, partial):
        bound_to = hook.args[0] if hook.args else None
    return bound_to is limiter


def _csrf_refused(error: CSRFError) -> Any:
    if request.blueprint != "dashboard":
        # a cookie-authenticated API write without its X-CSRFToken header
        return problem(400, "The CSRF token is missing or wrong: send it as X-CSRFToken.")
    text = "This form has expired or did not come from teleframe. Go back, reload and try again."
    return render_template("dashboard/message.html", title="Form expired", text=text), 400


def before_dashboard_request() -> Any:
    g.csp_nonce = secrets.token_urlsafe(16)
    if _has_nul(request.args) or _has_nul(request.form):
        # no text column takes a NUL; refuse it here rather than fail in the database
        text = "The form contained a character teleframe cannot store. Remove it and try again."
        return render_template("dashboard/message.html", title="Not accepted", text=text), 400
    if request.method == "POST":
        csrf.protect()
    if current_user.is_authenticated:
        g.user_id = current_user.user.id
        g.practice_id = current_user.practice_id
    return None


def _has_nul(values: Any) -> bool:
    return any("\x00" in value for _, value in values.items(multi=True))


def dashboard_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce") or secrets.token_urlsafe(16)
    response.headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def when(value: datetime | str | None) -> str:
    """A moment as people read it: "2026-12-01 17:55 UTC"."""
    if not value:
        return ""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    assert isinstance(moment, datetime)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def template_globals() -> dict[str, Any]:
    return {"csp_nonce": g.get("csp_nonce", ""), "me": current_user}
