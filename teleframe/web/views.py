"""The client check-in page: open the link, answer, see the verdict, update answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from teleframe.db import audit
from teleframe.extensions import db
from teleframe.models import CheckInLink, TherapySession
from teleframe.operations import checkin as checkins
from teleframe.operations import prefill
from teleframe.operations.frame import frame_view
from teleframe.web import checkin_form, language, links, pages, verdict

blp = Blueprint(
    "web", __name__, url_prefix="/c", template_folder="templates", static_folder="static"
)

LINK_PATH = "/<string(minlength=32,maxlength=64):token>"
NOT_VALID = _l("This link has expired or is not valid. Ask your clinician for a new one.")
CLOSED = _l("This session has ended, so check-in is closed.")
ENDED = _l("This session has ended.")
ODD_FORM = _l("Something went wrong with the form. Please open your link again.")
# the no-script fallback: seconds before the Nth reload of a pending status page
REFRESH_SECONDS = (2, 3, 5, 8, 13, 20, 30)


@blp.record_once
def _setup(state: Any) -> None:
    language.init_app(state.app)


@blp.after_request
def _page_headers(response: BaseResponse) -> BaseResponse:
    return pages.page_headers(response, scripted=request.endpoint == "web.status")


@blp.context_processor
def _language() -> dict[str, Any]:
    return {"lang": language.current(), "language_links": pages.language_links()}


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


def _odd_form() -> tuple[str, int] | None:
    return pages.message(400, ODD_FORM) if checkin_form.odd_field_names(request.form) else None


def _answer(therapy_session: TherapySession, link: CheckInLink | None = None) -> Any:
    """Shows the form again (a new country's regions, or errors) or stores the answers."""
    values = request.form.to_dict()
    values.pop("csrf", None)
    csrf = links.csrf_token(link) if link is not None else None
    if request.form.get("action") == "places":
        return pages.form_page("checkin.html", therapy_session, values=values, csrf=csrf)
    consent = pages.consent_answer(therapy_session, request.form)
    answers, errors = checkin_form.validate(request.form, consent)
    if answers is None:
        return pages.form_page(
            "checkin.html", therapy_session, 422, values=values, errors=errors, csrf=csrf
        )
    return answers


@blp.get(LINK_PATH)
def checkin(token: str) -> Any:
    link = links.find(db.session, token)
    if link is None:
        return pages.message(404, NOT_VALID)
    current = links.from_cookie(db.session)
    if current is not None and current.id == link.id:
        return redirect(url_for(".status"), 303)
    if not links.is_open(link):
        return pages.message(410, NOT_VALID)
    therapy_session = _session_of(link)
    if therapy_session.state in checkins.CLOSED_STATES:
        return pages.message(410, CLOSED)
    last = prefill.last_answers(db.session, therapy_session)
    if last is None:
        return pages.form_page("checkin.html", therapy_session)
    checkin_id, answers = last
    _audit_read(link, checkin_id, "client_checkin_page")
    values = checkin_form.answers_to_form(answers)
    return pages.form_page("checkin.html", therapy_session, values=values, prefilled=True)


@blp.post(LINK_PATH)
def redeem(token: str) -> Any:
    odd = _odd_form()
    if odd is not None:
        return odd
    link = links.find(db.session, token)
    if link is None:
        return pages.message(404, NOT_VALID)
    if not links.is_open(link):
        return pages.message(410, NOT_VALID)
    therapy_session = _session_of(link)
    answers = _answer(therapy_session)
    if not isinstance(answers, dict):
        return answers
    if not links.redeem(db.session, link):
        db.session.rollback()
        return pages.message(410, NOT_VALID)
    try:
        checkins.submit(db.session, therapy_session, answers, source="web")
    except checkins.CheckInClosed:
        db.session.rollback()
        return pages.message(409, CLOSED)
    db.session.commit()  # the check-in, its evaluation work and the used link, together
    return _to_status(link)


def _ended() -> tuple[str, int]:
    """After the session, the cookie shows nothing of the answers; the browser forgets it."""
    return pages.message(410, ENDED)


def _refresh_after() -> tuple[int, str]:
    step = request.args.get("wait", "0")
    index = int(step) if step.isdecimal() and len(step) < 3 else 0
    seconds = REFRESH_SECONDS[min(index, len(REFRESH_SECONDS) - 1)]
    return seconds, url_for(".status", wait=min(index + 1, len(REFRESH_SECONDS)))


def _audit_read(link: CheckInLink, checkin_id: Any, via: str = "client_status_page") -> None:
    actor = audit.Actor(
        type="client_link",
        id=str(link.id),
        remote_addr=(request.remote_addr or "")[:64] or None,
        request_id=audit.request_id(),
    )
    audit.record(
        db.session,
        actor,
        practice_id=link.practice_id,
        action="read",
        resource_type="checkin",
        resource_id=checkin_id,
        detail={"via": via},
    )
    db.session.commit()


@blp.get("/status")
def status() -> Any:
    link = links.from_cookie(db.session)
    if link is None:
        return pages.message(403, NOT_VALID)
    therapy_session = _session_of(link)
    if therapy_session.state in checkins.CLOSED_STATES:
        response = Response(*_ended())
        links.forget_cookie(response)
        return response
    frame = frame_view(db.session, therapy_session)
    checkin = frame["checkin"] or {}
    if checkin:
        _audit_read(link, checkin["id"])
    evaluation = frame["evaluation"] or {}
    lang = language.current()
    refresh_seconds, refresh_url = _refresh_after()
    return pages.form_page(
        "status.html",
        therapy_session,
        pending=frame["evaluation_pending"],
        verdict=evaluation.get("status"),
        # the client sees the plain-words message only: never clinician notes or facts
        messages=[
            verdict.client_message(finding, lang) for finding in evaluation.get("findings", [])
        ],
        emergency=verdict.emergency_lines(evaluation.get("facts")),
        callback=verdict.readable_phone((checkin.get("backup") or {}).get("callback_phone")),
        dial=verdict.dial,
        refresh_seconds=refresh_seconds,
        refresh_url=refresh_url,
        values=checkin_form.answers_to_form(checkin),
        csrf=links.csrf_token(link),
    )


@blp.get("/status/verdict")
def status_verdict() -> Any:
    """Whether the verdict is in, for the status page's script: no answers, no findings."""
    link = links.from_cookie(db.session)
    if link is None:
        return jsonify(error="not_valid"), 403
    therapy_session = _session_of(link)
    if therapy_session.state in checkins.CLOSED_STATES:
        return jsonify(pending=False, ended=True)
    frame = frame_view(db.session, therapy_session)
    return jsonify(pending=bool(frame["evaluation_pending"]), ended=False)


@blp.post("/checkin")
def update() -> Any:
    link = links.from_cookie(db.session)
    if link is None or not links.csrf_ok(link, request.form.get("csrf", "")):
        return pages.message(403, NOT_VALID)
    odd = _odd_form()
    if odd is not None:
        return odd
    therapy_session = _session_of(link)
    if therapy_session.state in checkins.CLOSED_STATES:
        return pages.message(409, CLOSED)
    answers = _answer(therapy_session, link)
    if not isinstance(answers, dict):
        return answers
    try:
        checkins.submit(db.session, therapy_session, answers, source="web")
    except checkins.CheckInClosed:
        db.session.rollback()
        return pages.message(409, CLOSED)
    db.session.commit()
    return redirect(url_for(".status"), 303)
