"""A session's frame report: read (JSON, PDF, FHIR), sign, amend, verify. Every call is audited."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Response, g, json
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from teleframe.api.reports.people import check_visible, signer_or_refuse
from teleframe.api.reports.schemas import (
    AddendumCreateSchema,
    ChainVerdictSchema,
    ReportSchema,
    ReportSignSchema,
)
from teleframe.db import audit
from teleframe.db.queries import get_scoped
from teleframe.extensions import db
from teleframe.models import ReportVersion, TherapySession
from teleframe.operations import report

blp = Blueprint("reports", __name__, url_prefix="/v1/sessions", description="Frame reports")

BINARY = {"type": "string", "format": "binary"}
FHIR_JSON = "application/fhir+json"
FHIR_BUNDLE = {"type": "object", "description": "FHIR R4 Bundle (collection)"}
CONFLICTS: dict[type[report.ReportError], str] = {
    report.AlreadySigned: "The report is already signed; add an addendum instead.",
    report.NotSigned: "The report is not signed yet; addenda follow a signature.",
    report.DraftChanged: "The draft changed since that hash; review it again before signing.",
    report.NotEnded: "The session has not ended yet; its report is signed afterwards.",
    report.ReportUnreadable: "A stored report version failed its integrity check; "
    "see /report/verify.",
}


@blp.after_request
def _echo_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers["X-Request-Id"] = g.request_id
    return response


def _refuse(error: report.ReportError) -> NoReturn:
    if isinstance(error, report.NotTheClinician):
        abort(403, message="Only the session's clinician can sign or amend its report.")
    abort(409, message=CONFLICTS.get(type(error), "The report cannot change that way."))
    raise AssertionError("abort() raises")


def _audit(session: TherapySession, action: str, version: ReportVersion, form: str) -> None:
    audit.record(
        db.session,
        audit.request_actor(),
        practice_id=session.practice_id,
        action=action,
        resource_type="frame_report",
        resource_id=session.id,
        detail={"format": form, "version": version.number, "kind": version.kind},
    )


def _head(session_id: uuid.UUID, action: str, form: str) -> ReportVersion:
    """Load, scope, refresh the draft, record the access, commit: then the body may leave."""
    therapy_session = get_scoped(TherapySession, session_id)
    check_visible(therapy_session)
    try:
        version = report.refresh_draft(db.session, therapy_session)
    except report.ReportError as error:
        _refuse(error)
    _audit(therapy_session, action, version, form)
    db.session.commit()
    return version


def _as_signer(
    session_id: uuid.UUID,
    action: str,
    change: Callable[[TherapySession, Any], ReportVersion],
) -> dict[str, Any]:
    """Sign or amend as the authenticated person: refused, or recorded and committed."""
    signer = signer_or_refuse()
    therapy_session = get_scoped(TherapySession, session_id)
    check_visible(therapy_session)
    try:
        version = change(therapy_session, signer)
    except report.ReportError as error:
        db.session.rollback()
        _refuse(error)
    _audit(therapy_session, action, version, "json")
    db.session.commit()
    return _view(version)


def _view(version: ReportVersion) -> dict[str, Any]:
    return {
        "session_id": version.session_id,
        "version": report.metadata(version),
        "versions": report.version_list(db.session, version.session_id),
        "report": version.body,
    }


@blp.route("/<uuid:session_id>/report")
class Report(MethodView):
    @blp.response(200, ReportSchema())
    def get(self, session_id: uuid.UUID) -> dict[str, Any]:
        """The frame report: the head version (a fresh draft until signed) and all versions"""
        return _view(_head(session_id, "read", "json"))


@blp.route("/<uuid:session_id>/report.pdf")
class ReportPdf(MethodView):
    @blp.response(200, BINARY, content_type="application/pdf", description="The report as PDF")
    def get(self, session_id: uuid.UUID) -> Response:
        """The frame report as a PDF document"""
        version = _head(session_id, "export", "pdf")
        response = Response(_render_pdf(report.export_view(version)), mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'inline; filename="frame-report-{session_id}-v{version.number}.pdf"'
        )
        return response


@blp.route("/<uuid:session_id>/report.fhir.json")
class ReportFhir(MethodView):
    @blp.response(200, FHIR_BUNDLE, content_type=FHIR_JSON, description="FHIR R4 Bundle")
    def get(self, session_id: uuid.UUID) -> Response:
        """The frame report as a FHIR R4 Bundle: Encounter, QuestionnaireResponse, Provenance"""
        version = _head(session_id, "export", "fhir")
        bundle = _to_fhir_bundle(report.export_view(version))
        return Response(json.dumps(bundle), mimetype=FHIR_JSON)


@blp.route("/<uuid:session_id>/report/sign")
class ReportSign(MethodView):
    @blp.arguments(ReportSignSchema())
    @blp.response(200, ReportSchema())
    @blp.alt_response(401, description="Not re-authenticated in the last 5 minutes")
    @blp.alt_response(403, description="A practice API key, or not the session's clinician")
    @blp.alt_response(409, description="Already signed, draft changed, or session not ended")
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> dict[str, Any]:
        """Sign the report as the session's clinician; the signed version never changes

        Only the session's clinician: signed in at /app and re-authenticated within 5 minutes,
        or with their personal access token. Practice API keys get 403. `clinician_id` is
        ignored (the signer is the authenticated person)."""
        expected = data.get("content_hash")
        return _as_signer(
            session_id,
            "sign",
            lambda therapy_session, signer: report.sign(
                db.session, therapy_session, signer, expected_hash=expected
            ),
        )


@blp.route("/<uuid:session_id>/report/addenda")
class ReportAddenda(MethodView):
    @blp.arguments(AddendumCreateSchema())
    @blp.response(201, ReportSchema())
    @blp.alt_response(401, description="Not re-authenticated in the last 5 minutes")
    @blp.alt_response(403, description="A practice API key, or not the session's clinician")
    @blp.alt_response(409, description="The report is not signed yet")
    def post(self, data: dict[str, Any], session_id: uuid.UUID) -> dict[str, Any]:
        """Append an addendum to a signed report, as a new version chained to the last

        The same people as signing; `author_id` is ignored (the author is the authenticated
        person)."""
        return _as_signer(
            session_id,
            "amend",
            lambda therapy_session, signer: report.add_addendum(
                db.session, therapy_session, signer, data["text"]
            ),
        )


@blp.route("/<uuid:session_id>/report/verify")
class ReportVerify(MethodView):
    @blp.response(200, ChainVerdictSchema())
    def get(self, session_id: uuid.UUID) -> dict[str, Any]:
        """Recompute the report's hash chain from the stored versions"""
        therapy_session = get_scoped(TherapySession, session_id)
        check_visible(therapy_session)
        verdict = report.verify(db.session, therapy_session.id)
        audit.record(
            db.session,
            audit.request_actor(),
            practice_id=therapy_session.practice_id,
            action="read",
            resource_type="frame_report",
            resource_id=therapy_session.id,
            detail={"format": "verify", "ok": verdict.ok, "checked": verdict.checked},
        )
        db.session.commit()
        return {"session_id": therapy_session.id, **verdict.to_dict()}


def _render_pdf(view: dict[str, Any]) -> bytes:
    # reportlab is loaded on the first export, not in every API worker at start-up
    from teleframe.services.report_pdf import render_pdf

    return render_pdf(view)


def _to_fhir_bundle(view: dict[str, Any]) -> dict[str, Any]:
    from teleframe.services.report_fhir import to_fhir_bundle

    return to_fhir_bundle(view)
