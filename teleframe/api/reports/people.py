"""Who may act on a report: API keys read and export; only people sign and amend.

A report route accepts a practice API key (`tf_...`), a clinician's personal access token
(`tfp_...`, sign and amend only) or the dashboard's sign-in cookie (with its CSRF token on
writes). Signing and amending need the session's own clinician, freshly re-authenticated.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import g, request
from flask_login import current_user
from flask_smorest import abort

from teleframe.accounts import signin, tokens
from teleframe.api.auth import require_api_key
from teleframe.errors import problem
from teleframe.extensions import db
from teleframe.models import TherapySession, User
from teleframe.operations import report as reports
from teleframe.services.accounts.signature import DASHBOARD_METHOD, token_method

PERSON_ONLY = ("reports.ReportSign", "reports.ReportAddenda")
KEY_REFUSED = (
    "Signing and addenda are acts of the session's clinician: sign in at /app, or use a "
    "personal access token (tfp_...) the clinician made there. Practice API keys cannot sign."
)
NOT_FRESH = "Confirm it is you (password or authentication code) within 5 minutes before signing."


def require_caller() -> Any:
    """before_request for the report routes."""
    if request.method == "OPTIONS":
        return None
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    credential = credential.strip()
    if scheme == "Bearer" and credential.startswith(tokens.PREFIX):
        return _personal_token(credential)
    if not scheme and current_user.is_authenticated:
        return _signed_in()
    return require_api_key()


def _personal_token(credential: str) -> Any:
    found = tokens.resolve(db.session, credential)
    if found is None:
        return problem(401, "That personal access token is not valid or was revoked.")
    user, row = found
    if request.endpoint not in PERSON_ONLY:
        return problem(403, "A personal access token signs and amends reports, nothing else.")
    g.practice_id, g.user_id, g.api_key_id = user.practice_id, user.id, None
    g.signer = reports.Signer(user.id, user.clinician_id, token_method(row.prefix), row.id)
    db.session.commit()  # its last use
    return None


def _signed_in() -> Any:
    from teleframe.dashboard.wiring import csrf

    if request.method not in ("GET", "HEAD"):
        csrf.protect()  # a cookie alone never authorises a write
    user: User = current_user.user
    g.practice_id, g.user_id, g.api_key_id = user.practice_id, user.id, None
    if signin.is_fresh(current_user.row):
        g.signer = reports.Signer(user.id, user.clinician_id, DASHBOARD_METHOD)
    else:
        g.signer = None
    return None


def signer_or_refuse() -> reports.Signer:
    if not g.get("user_id"):
        _refuse(403, KEY_REFUSED)
    signer: reports.Signer | None = g.get("signer")
    if signer is None:
        _refuse(401, NOT_FRESH)
    return signer


def check_visible(therapy_session: TherapySession) -> None:
    """A clinician reaches only their own sessions; to them another's does not exist."""
    user_id = g.get("user_id")
    if not user_id:
        return
    user = db.session.get_one(User, user_id)
    if user.role != "admin" and user.clinician_id != therapy_session.clinician_id:
        abort(404, message="No session with that id in this practice.")


def _refuse(status: int, message: str) -> NoReturn:
    abort(status, message=message)
    raise AssertionError("abort() raises")
