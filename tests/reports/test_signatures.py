"""A signature is an act of the session's clinician: signed in and re-authenticated, or with
their personal token; never a practice API key."""

from __future__ import annotations

import re

from teleframe.api.auth import issue_key
from teleframe.extensions import db
from tests.accounts.people import csrf_of, page_csrf
from tests.reports.helpers import (
    as_person,
    checkin,
    clinician_user,
    end,
    pdf_text,
    report_path,
    session_only,
    sign,
)
from tests.samples import GOOD_CHECKIN


def test_practice_api_keys_get_403_on_sign_and_addenda(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    end(app, session)
    with app.app_context():
        platform = issue_key(db.session, practice.id, role="platform")
        db.session.commit()
    for key in (practice.key, platform):
        headers = {"Authorization": f"Bearer {key}"}
        for path, body in (
            ("/sign", {"clinician_id": session["clinician_id"]}),
            ("/addenda", {"author_id": session["clinician_id"], "text": "x"}),
        ):
            response = practice.http.post(report_path(session, path), json=body, headers=headers)
            assert response.status_code == 403, response.get_json()
            assert "personal access token" in response.get_json()["detail"]
    assert practice.get(report_path(session)).get_json()["version"]["kind"] == "draft"


def test_signing_needs_a_fresh_reauthentication(app, make_practice, fake_clock):
    practice = make_practice()
    session = session_only(practice)
    end(app, session)
    person = clinician_user(practice, session["clinician_id"])
    fake_clock.advance(minutes=6)  # signed in more than 5 minutes ago
    stale = as_person(person, report_path(session, "/sign"), {})
    assert stale.status_code == 401
    assert "within 5 minutes" in stale.get_json()["detail"]
    page = f"/app/sessions/{session['id']}"
    wrong = person.http.post(
        page + "/sign", data={"csrf_token": page_csrf(person, page), "password": "not it at all"}
    )
    assert wrong.status_code == 303
    assert "Nothing was signed" in person.http.get(page).get_data(as_text=True)
    done = person.http.post(
        page + "/sign", data={"csrf_token": page_csrf(person, page), "password": person.password}
    )
    assert done.status_code == 303
    assert practice.get(report_path(session)).get_json()["version"]["kind"] == "signed"


def test_a_report_is_signed_only_after_the_session_ends(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    person = clinician_user(practice, session["clinician_id"])
    early = as_person(person, report_path(session, "/sign"), {})
    assert early.status_code == 409
    assert "has not ended" in early.get_json()["detail"]
    assert sign(practice, session).status_code == 200


def test_a_checkin_after_the_signature_is_refused_in_plain_words(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    assert sign(practice, session).status_code == 200
    late = practice.post(f"/v1/sessions/{session['id']}/checkins", GOOD_CHECKIN)
    assert late.status_code == 409
    assert "report has been signed" in late.get_json()["detail"]


def test_a_personal_token_signs_for_its_clinician_only(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    end(app, session)
    person = clinician_user(practice, session["clinician_id"])
    page = person.http.get("/app/tokens").get_data(as_text=True)
    made = person.http.post(
        "/app/tokens", data={"csrf_token": csrf_of(page), "label": "EHR"}
    ).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">(tfp_[A-Za-z0-9]{40})<', made).group(1)  # type: ignore[union-attr]
    bearer = {"Authorization": f"Bearer {token}"}
    http = app.test_client()
    assert http.get(report_path(session), headers=bearer).status_code == 403  # sign/amend only
    signed = http.post(report_path(session, "/sign"), json={}, headers=bearer)
    assert signed.status_code == 200, signed.get_json()
    attestation = signed.get_json()["report"]["attestation"]
    assert attestation["method"] == f"personal access token {token[:10]}…"
    assert attestation["token_id"]
    assert attestation["signed_by"]["user_id"] == person.id
    assert token not in person.http.get("/app/tokens").get_data(as_text=True)  # shown once
    listed = person.http.get("/app/tokens").get_data(as_text=True)
    assert "never" not in listed  # its last use is listed
    token_id = attestation["token_id"]
    person.http.post(f"/app/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(listed)})
    note = {"text": "After revocation."}
    assert http.post(report_path(session, "/addenda"), json=note, headers=bearer).status_code == 401


def test_the_dashboard_signs_downloads_and_amends(worker, app, make_practice):
    practice = make_practice()
    session_id = practice.session()
    practice.post(
        f"/v1/sessions/{session_id}/checkins", checkin(locality="<script>alert(1)</script>")
    )
    session = practice.get(f"/v1/sessions/{session_id}").get_json()
    person = clinician_user(practice, session["clinician_id"])
    page = f"/app/sessions/{session_id}"
    html = person.http.get(page).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Sign report" in html and "911" in html and "988" in html
    end(app, session)
    done = person.http.post(page + "/sign", data={"csrf_token": csrf_of(html)})
    assert done.status_code == 303
    html = person.http.get(page).get_data(as_text=True)
    assert "Electronically signed by Dana Reyes, LMFT" in html and "Add addendum" in html
    pdf = person.http.get(page + "/report.pdf")
    assert pdf.status_code == 200
    assert "Electronically signed by Dana Reyes, LMFT," in pdf_text(pdf.data)
    added = person.http.post(
        page + "/addenda", data={"csrf_token": csrf_of(html), "text": "Called back <b>later</b>."}
    )
    assert added.status_code == 303
    html = person.http.get(page).get_data(as_text=True)
    assert "Called back &lt;b&gt;later&lt;/b&gt;." in html
    assert "intact" in html  # the chain verifies
    stranger = clinician_user(practice, practice.clinician(name="Riley Other"))
    assert stranger.http.get(page).status_code == 404
    assert stranger.http.get(page + "/report.pdf").status_code == 404
