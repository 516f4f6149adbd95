"""Rendering the client's pages: the form with its choices in the client's language, the
policy's asks (consent, identity), and the plain message pages."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from werkzeug.wrappers import Response

from teleframe.extensions import db
from teleframe.models import TherapySession
from teleframe.models.base import utcnow
from teleframe.operations import consent as consents
from teleframe.operations.policy import session_policy
from teleframe.services.policy.fields import in_language
from teleframe.web import checkin_form, language, places

# pages that run the status script; every other page runs none
SCRIPT_CSP = "script-src 'self'; connect-src 'self'; "
CSP = (
    "default-src 'none'; {script}style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def page_headers(response: Response, *, scripted: bool = False) -> Response:
    response.headers["Content-Security-Policy"] = CSP.format(script=SCRIPT_CSP if scripted else "")
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    language.remember_choice(response)
    return response


def language_links() -> list[tuple[str, str, str]]:
    """(code, name, URL) for the switch: the page itself in each language (a form that was
    posted switches on the status page, where its answers are shown again)."""
    path = request.path if request.method == "GET" else url_for("web.status")
    if request.method == "POST" and request.endpoint == "web.redeem":
        path = request.path
    return [(code, name, f"{path}?lang={code}") for code, name in language.language_names()]


def policy_of(therapy_session: TherapySession) -> dict[str, Any]:
    """The policy the session is (or will be) judged by, as far as the page asks."""
    return session_policy(db.session, therapy_session).document


def _asks(therapy_session: TherapySession) -> dict[str, Any]:
    """What this practice's policy asks beyond the usual questions."""
    document = policy_of(therapy_session)
    readiness = document["rules"]["readiness"]
    rules = document.get("consent") or {}
    asks: dict[str, Any] = {
        "identity": bool(readiness["enabled"] and readiness["require_identity_confirmation"]),
        "consent": None,
    }
    if rules.get("required"):
        asks["consent"] = {
            "version": rules["version"],
            "text": in_language(rules["text"], language.current()),
            "earlier": consents.earlier_agreement(db.session, therapy_session, rules["version"]),
        }
    return asks


def consent_answer(therapy_session: TherapySession, form: Any) -> dict[str, Any] | None:
    """The agreement this check-in records: ticked now, or carried from an earlier check-in
    by the same client to the same version of the text."""
    asks = _asks(therapy_session)["consent"]
    if asks is None:
        return None
    if form.get("consent.agreed") == "yes":
        return {"agreed": True, "version": asks["version"], "agreed_at": utcnow().isoformat()}
    return asks["earlier"]


def form_page(
    template: str, therapy_session: TherapySession, status: int = 200, **context: Any
) -> tuple[str, int]:
    values = context.setdefault("values", {})
    context.setdefault("errors", {})
    lang = language.current()
    country = values.get("location.country", "")
    page = render_template(
        template,
        countries=places.countries(lang),
        subdivisions=places.subdivisions(country, lang),
        place_types=checkin_form.PLACE_TYPES,
        people_rows=checkin_form.people_rows(values),
        asks=_asks(therapy_session),
        **context,
    )
    return page, status


def message(status: int, text: str) -> tuple[str, int]:
    return render_template("message.html", text=text), status
