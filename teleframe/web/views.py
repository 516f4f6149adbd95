"""The client check-in page: open the link, answer, see the verdict, update answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from teleframe.extensions import db
from teleframe.models import CheckInLink, TherapySession
from teleframe.operations.checkin import CheckInClosed, submit
from teleframe.operations.frame import frame_view
from teleframe.web import checkin_form, links

blp = Blueprint(
    "web", __name__, url_prefix="/c", template_folder="templates", static_folder="static"
)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
LINK_PATH = "/<string(minlength=32,maxlength=64):token>"
NOT_VALID = "This link has expired or is not valid. Ask your clinician for a new one."
CLOSED = "This session has ended, so check-in is closed."


@blp.after_request
def _page_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _message(status: int, text: str = NOT_VALID) -> tuple[str, int]:
    return render_template("message.html", text=text), status


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    values = context.setdefault("values", {})
    context.setdefault("errors", {})
    page = render_template(
        template,
        countries=checkin_form.countries(),
        place_types=checkin_form.PLACE_TYPES,
        people_rows=checkin_form.people_rows(values),
        **context,
    )
    return page, status


def _session_of(link: CheckInLink) -> TherapySession:
    return db.session.scalars(
        select(TherapySession).where(
            TherapySession.id == link.session_id,
            TherapySession.practice_id == link.practice_id,
        )
    ).one()


def _to_status(link: CheckInLink) -> BaseResponse:
    response = redirect(url_for(".status"), 303)
    links.set_cookie(response, link)
    return response


@blp.get(LINK_PATH)
def checkin(token: str) -> Any:
    link = links.find(db.session, token)
    if link is None:
        return _message(404)
    current = links.from_cookie(db.session)
    if current is not None and current.id == link.id:
        return redirect(url_for(".status"), 303)
    if not links.is_open(link):
        return _message(410)
    return _page("checkin.html")


@blp.post(LINK_PATH)
def redeem(token: str) -> Any:
    link = links.find(db.session, token)
    if link is None:
        return _message(404)
    if not links.is_open(link):
        return _message(410)
    answers, errors = checkin_form.validate(request.form)
    if answers is None:
        return _page("checkin.html", 422, values=request.form.to_dict(), errors=errors)
    if not links.redeem(db.session, link):
        db.session.rollback()
        return _message(410)
    try:
        submit(db.session, _session_of(link), answers, source="web")
    except CheckInClosed:
        db.session.rollback()
        return _message(409, CLOSED)
    return _to_status(link)


@blp.get("/status")
def status() -> Any:
    link = links.from_cookie(db.session)
    if link is None:
        return _message(403)
    frame = frame_view(db.session, _session_of(link))
    evaluation = frame["evaluation"] or {}
    return _page(
        "status.html",
        pending=frame["evaluation_pending"],
        verdict=evaluation.get("status"),
        # the client sees the plain-words message only: never clinician notes or facts
        messages=[finding["message"] for finding in evaluation.get("findings", [])],
        # reviewed numbers for where the client is (no PHI): help before the session starts
        emergency=(evaluation.get("facts") or {}).get("emergency"),
        values=checkin_form.answers_to_form(frame["checkin"] or {}),
        csrf=links.csrf_token(link),
    )


@blp.post("/checkin")
def update() -> Any:
    link = links.from_cookie(db.session)
    if link is None or not links.csrf_ok(link, request.form.get("csrf", "")):
        return _message(403)
    answers, errors = checkin_form.validate(request.form)
    if answers is None:
        values = request.form.to_dict()
        values.pop("csrf", None)
        return _page("checkin.html", 422, values=values, errors=errors, csrf=links.csrf_token(link))
    try:
        submit(db.session, _session_of(link), answers, source="web")
    except CheckInClosed:
        db.session.rollback()
        return _message(409, CLOSED)
    return redirect(url_for(".status"), 303)
