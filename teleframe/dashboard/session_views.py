"""One session: the frame in plain words, the report, signing and addenda, downloads."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, abort, flash, json, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from teleframe.accounts import signin
from teleframe.dashboard import day, strip
from teleframe.dashboard.blueprint import blp
from teleframe.db import audit
from teleframe.extensions import db
from teleframe.models import TherapySession
from teleframe.operations import report as reports
from teleframe.services.accounts.signature import DASHBOARD_METHOD

SESSION_PATH = "/sessions/<uuid:session_id>"
REFUSALS: dict[type[reports.ReportError], str] = {
    reports.NotTheClinician: "Only the session's clinician can sign or amend its report.",
    reports.AlreadySigned: "The report is already signed; add an addendum instead.",
    reports.NotSigned: "Addenda follow a signature: sign the report first.",
    reports.DraftChanged: "The report changed while you were reviewing it. Review it again.",
    reports.NotEnded: "The session has not ended yet. Sign its report after it ends.",
    reports.ReportUnreadable: "A stored report version failed its integrity check.",
}


def _visible(session_id: uuid.UUID) -> TherapySession:
    found = day.visible_session(db.session, current_user.user, session_id)
    if found is None:
        abort(404)
    return found


def _audit(therapy_session: TherapySession, action: str, **detail: Any) -> None:
    audit.record(
        db.session,
        audit.request_actor(),
        practice_id=therapy_session.practice_id,
        action=action,
        resource_type="frame_report",
        resource_id=therapy_session.id,
        detail=detail,
    )


@blp.get(SESSION_PATH)
@login_required
def session_page(session_id: uuid.UUID) -> Any:
    therapy_session = _visible(session_id)
    version = reports.refresh_draft(db.session, therapy_session)
    verdict = reports.verify(db.session, therapy_session.id)
    _audit(therapy_session, "read", format="dashboard", version=version.number)
    db.session.commit()
    report = version.body
    return render_template(
        "dashboard/session.html",
        therapy_session=therapy_session,
        report=report,
        version=version,
        versions=reports.version_list(db.session, therapy_session.id),
        verdict=verdict,
        strip=strip.continuity_strip(report),
        badge=day.session_badge(db.session, therapy_session),
        can_sign=_can_sign(therapy_session),
        fresh=signin.is_fresh(current_user.row),
    )


def _can_sign(therapy_session: TherapySession) -> bool:
    return current_user.user.clinician_id == therapy_session.clinician_id


def _confirm_identity() -> bool:
    """A fresh sign-in counts; otherwise the password or a code from this form."""
    if signin.is_fresh(current_user.row):
        return True
    proved = signin.reauthenticate(
        db.session,
        current_user.user,
        current_user.row,
        request.form.get("password", "")[:1024],
        request.form.get("code", "")[:32],
    )
    db.session.commit()
    return proved


def _act(session_id: uuid.UUID, action: str) -> BaseResponse:
    therapy_session = _visible(session_id)
    back = url_for("dashboard.session_page", session_id=session_id)
    if not _confirm_identity():
        flash("Your password or authentication code was not right. Nothing was signed.")
        return redirect(back + "#sign", 303)
    signer = reports.Signer(current_user.user.id, current_user.user.clinician_id, DASHBOARD_METHOD)
    try:
        if action == "sign":
            expected = request.form.get("content_hash") or None
            version = reports.sign(db.session, therapy_session, signer, expected_hash=expected)
        else:
            text = request.form.get("text", "").replace("\x00", "")[:5000]
            if not text.strip():
                flash("An addendum needs text.")
                return redirect(back + "#addendum", 303)
            version = reports.add_addendum(db.session, therapy_session, signer, text)
    except reports.ReportError as error:
        db.session.rollback()
        flash(REFUSALS.get(type(error), "The report cannot change that way."))
        return redirect(back, 303)
    _audit(therapy_session, action, format="dashboard", version=version.number)
    db.session.commit()
    flash("Report signed." if action == "sign" else "Addendum added.")
    return redirect(back, 303)


@blp.post(SESSION_PATH + "/sign")
@login_required
def sign(session_id: uuid.UUID) -> BaseResponse:
    return _act(session_id, "sign")


@blp.post(SESSION_PATH + "/addenda")
@login_required
def add_addendum(session_id: uuid.UUID) -> BaseResponse:
    return _act(session_id, "amend")


@blp.get(SESSION_PATH + "/report.<any(pdf, json):form>")
@login_required
def download(session_id: uuid.UUID, form: str) -> Response:
    therapy_session = _visible(session_id)
    version = reports.refresh_draft(db.session, therapy_session)
    _audit(therapy_session, "export", format="pdf" if form == "pdf" else "fhir")
    db.session.commit()
    view = reports.export_view(version)
    if form == "pdf":
        from teleframe.services.report_pdf import render_pdf

        response = Response(render_pdf(view), mimetype="application/pdf")
        name = f"frame-report-{session_id}-v{version.number}.pdf"
    else:
        from teleframe.services.report_fhir import to_fhir_bundle

        response = Response(json.dumps(to_fhir_bundle(view)), mimetype="application/fhir+json")
        name = f"frame-report-{session_id}-v{version.number}.fhir.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
