"""Frame reports end to end: a real worker's evaluation, signing, addenda, exports, audit."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import ApiKey, AuditEvent
from tests.reports.helpers import (
    HOSTILE,
    checkin,
    end_session,
    evaluated_session,
    pdf_text,
    report_path,
    session_only,
    sign,
    stored_versions,
)


def test_report_gathers_the_evaluated_checkin(worker, make_practice):
    practice = make_practice()
    session = evaluated_session(practice)

    response = practice.get(report_path(session))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    report = body["report"]
    assert body["version"]["number"] == 1 and body["version"]["kind"] == "draft"
    assert [v["number"] for v in body["versions"]] == [1]
    assert report["session"]["id"] == session["id"]
    assert report["clinician"]["name"] == "Dana Reyes"
    assert report["client"]["display_name"] == "Sam Client"
    assert report["location"]["address"] == "1200 Lakeshore Ave"
    assert report["location"]["jurisdiction"] == "US-CA"
    assert report["evaluation"]["status"] == "clear"
    assert report["evaluation"]["policy_hash"].startswith("sha256:")
    assert report["billing"]["place_of_service"]["code"] == "10"
    assert report["attestation"]["signed"] is False
    assert "telehealth_consent" in report["completeness"]["required_missing"]


def test_reading_again_does_not_rewrite_an_unchanged_draft(make_practice):
    practice = make_practice()
    session = session_only(practice)
    first = practice.get(report_path(session)).get_json()["version"]
    second = practice.get(report_path(session)).get_json()["version"]
    assert first == second


def test_the_draft_follows_a_new_checkin_until_signed(worker, make_practice):
    practice = make_practice()
    session = session_only(practice)
    before = practice.get(report_path(session)).get_json()
    assert before["report"]["location"] is None

    practice.post(f"/v1/sessions/{session['id']}/checkins", checkin(locality="Berkeley"))
    after = practice.get(report_path(session)).get_json()

    assert after["report"]["location"]["locality"] == "Berkeley"
    assert after["version"]["number"] == 1
    assert after["version"]["content_hash"] != before["version"]["content_hash"]


def test_the_sessions_clinician_signs_and_the_version_locks(worker, make_practice):
    practice = make_practice()
    session = evaluated_session(practice)

    response = sign(practice, session)

    assert response.status_code == 200, response.get_json()
    signed = response.get_json()
    assert signed["version"]["kind"] == "signed" and signed["version"]["number"] == 1
    attestation = signed["report"]["attestation"]
    assert attestation["signed"] is True
    assert attestation["signed_by"] == {"id": session["clinician_id"], "name": "Dana Reyes"}
    assert practice.get(f"/v1/sessions/{session['id']}").get_json()["state"] == "report_signed"
    # reading again neither rebuilds nor changes it
    assert practice.get(report_path(session)).get_json()["version"] == signed["version"]
    again = sign(practice, session)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_another_clinician_cannot_sign(make_practice):
    practice = make_practice()
    session = session_only(practice)
    other = practice.clinician(name="Riley Other")

    response = sign(practice, session, other)

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert practice.get(report_path(session)).get_json()["version"]["kind"] == "draft"


def _state(practice, session) -> str:  # type: ignore[no-untyped-def]
    return str(practice.get(f"/v1/sessions/{session['id']}").get_json()["state"])


def _notified(practice, session) -> list[str]:  # type: ignore[no-untyped-def]
    sent = practice.get(f"/v1/sessions/{session['id']}/notifications").get_json()
    return [item["type"] for item in sent]


def test_a_report_is_signed_after_the_session_ends(make_practice):
    practice = make_practice()
    session = session_only(practice)
    body = {"clinician_id": session["clinician_id"]}

    early = practice.post(report_path(session, "/sign"), body)

    assert early.status_code == 409 and early.mimetype == "application/problem+json"
    assert "not ended" in early.get_json()["detail"]
    assert _state(practice, session) == "scheduled"
    assert practice.get(report_path(session)).get_json()["version"]["kind"] == "draft"
    assert "report.signed" not in _notified(practice, session)
    end_session(practice, session)
    assert practice.post(report_path(session, "/sign"), body).status_code == 200
    assert _state(practice, session) == "report_signed"


def test_signing_the_reviewed_draft_only(make_practice):
    practice = make_practice()
    session = session_only(practice)
    end_session(practice, session)
    reviewed = practice.get(report_path(session)).get_json()["version"]
    stale = {"clinician_id": session["clinician_id"], "content_hash": "sha256:" + "0" * 64}

    refused = practice.post(report_path(session, "/sign"), stale)

    assert refused.status_code == 409
    after = practice.get(report_path(session)).get_json()
    assert after["version"] == reviewed  # still the same unsigned draft
    assert [v["kind"] for v in after["versions"]] == ["draft"]
    assert after["report"]["attestation"]["signed"] is False
    assert _state(practice, session) == "ended"
    assert "report.signed" not in _notified(practice, session)

    body = {"clinician_id": session["clinician_id"], "content_hash": reviewed["content_hash"]}
    signed = practice.post(report_path(session, "/sign"), body).get_json()

    assert signed["version"]["kind"] == "signed" and signed["version"]["number"] == 1
    assert signed["report"]["attestation"]["signed"] is True
    assert _state(practice, session) == "report_signed"
    assert _notified(practice, session).count("report.signed") == 1


def test_an_addendum_appends_and_leaves_the_signed_version_alone(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    note = {"author_id": session["clinician_id"], "text": "Client called back at 17:40."}
    assert practice.post(report_path(session, "/addenda"), note).status_code == 409
    sign(practice, session)
    signed_row = stored_versions(app, session["id"])[0]

    response = practice.post(report_path(session, "/addenda"), note)

    assert response.status_code == 201, response.get_json()
    amended = response.get_json()
    assert amended["version"]["number"] == 2 and amended["version"]["kind"] == "amended"
    assert amended["version"]["previous_hash"] == signed_row["content_hash"]
    assert [a["text"] for a in amended["report"]["addenda"]] == [note["text"]]
    assert [v["kind"] for v in amended["versions"]] == ["signed", "amended"]
    rows = stored_versions(app, session["id"])
    assert rows[0] == signed_row
    assert practice.get(report_path(session, "/verify")).get_json()["ok"] is True


def test_addendum_rules(make_practice):
    practice = make_practice()
    session = session_only(practice)
    sign(practice, session)
    other = practice.clinician(name="Riley Other")
    path = report_path(session, "/addenda")
    assert practice.post(path, {"author_id": other, "text": "x"}).status_code == 403
    too_long = {"author_id": session["clinician_id"], "text": "x" * 5001}
    assert practice.post(path, too_long).status_code == 422
    blank = {"author_id": session["clinician_id"], "text": "   "}
    assert practice.post(path, blank).status_code == 422
    assert len(practice.get(report_path(session)).get_json()["versions"]) == 1


def test_pdf_export_is_readable_and_prints_hostile_text_literally(worker, make_practice):
    practice = make_practice()
    session = evaluated_session(practice, checkin(locality=HOSTILE))
    sign(practice, session)

    response = practice.get(report_path(session, ".pdf"))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    for fact in (
        "Signed by Dana Reyes",
        "LMFT-12345",
        "Sam Client",
        "1200 Lakeshore Ave",
        "appt-981",
        "Verdict: CLEAR",
        HOSTILE,
    ):
        assert fact in text, fact


def test_fhir_export_is_a_valid_r4_bundle(worker, make_practice):
    practice = make_practice()
    session = evaluated_session(practice)
    draft = practice.get(report_path(session, ".fhir.json"))
    sign(practice, session)

    response = practice.get(report_path(session, ".fhir.json"))

    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    bundle = Bundle.model_validate(json.loads(response.data))
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert {"Encounter", "QuestionnaireResponse", "Provenance"} <= set(kinds)
    assert "Provenance" not in [
        e["resource"]["resourceType"] for e in json.loads(draft.data)["entry"]
    ]
    encounter = next(
        e.resource for e in bundle.entry if e.resource.get_resource_type() == "Encounter"
    )
    assert encounter.class_fhir.code == "VR"


def test_every_read_export_and_change_is_audited(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    practice.post(f"/v1/sessions/{session['id']}/checkins", checkin())
    marked = practice.http.get(
        report_path(session), headers={**practice.headers, "X-Request-Id": "req-42"}
    )
    assert marked.headers["X-Request-Id"] == "req-42"
    practice.get(report_path(session, ".pdf"))
    practice.get(report_path(session, ".fhir.json"))
    sign(practice, session)
    practice.post(
        report_path(session, "/addenda"), {"author_id": session["clinician_id"], "text": "Noted."}
    )
    practice.get(report_path(session, "/verify"))

    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.practice_id == practice.id))
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.resource_id == session["id"])
            .order_by(AuditEvent.occurred_at)
        ).all()
        trail = [(e.action, e.detail.get("format")) for e in events]
        assert trail == [
            ("read", "json"),
            ("export", "pdf"),
            ("export", "fhir"),
            ("sign", "json"),
            ("amend", "json"),
            ("read", "verify"),
        ]
        assert {(e.actor_type, e.actor_id) for e in events} == {("api_key", str(key_id))}
        assert all(e.remote_addr and e.request_id for e in events)
        assert events[0].request_id == "req-42"
        assert {e.practice_id for e in events} == {practice.id}
        dump = json.dumps([[e.actor_id, e.resource_id, e.detail] for e in events])
    for phi in ("Oakland", "Lakeshore", "Sam Client", "5105550123", "1990-04-02"):
        assert phi not in dump


def test_the_report_is_ciphertext_at_rest(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    practice.post(f"/v1/sessions/{session['id']}/checkins", checkin())
    practice.get(report_path(session))
    (row,) = stored_versions(app, session["id"])
    for phi in ("Oakland", "Lakeshore", "Sam Client", "5105550123"):
        assert phi not in row["body"]


def test_another_practices_key_gets_404_on_every_report_route(make_practice):
    owner, stranger = make_practice("owner"), make_practice("stranger")
    session = session_only(owner)
    sign(owner, session)
    gets = ("", ".pdf", ".fhir.json", "/verify")
    for suffix in gets:
        assert owner.get(report_path(session, suffix)).status_code == 200, suffix
        response = stranger.get(report_path(session, suffix))
        assert response.status_code == 404, suffix
        assert response.mimetype == "application/problem+json"
    note = {"author_id": session["clinician_id"], "text": "x"}
    assert stranger.post(report_path(session, "/addenda"), note).status_code == 404
    assert sign(stranger, session).status_code == 404
    assert len(owner.get(report_path(session)).get_json()["versions"]) == 1
