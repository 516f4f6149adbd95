"""The dashboard without a browser: who sees what, audit of every PHI page, headers, badges."""

from __future__ import annotations

import re

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import AuditEvent
from tests.accounts.people import csrf_of, set_up, setup_link, sign_in
from tests.reports.helpers import clinician_user, end, session_only, sign


def _admin(practice, fake_clock):  # type: ignore[no-untyped-def]
    admin = set_up(practice.app, setup_link(practice, "admin"), fake_clock)
    assert sign_in(admin, fake_clock).status_code == 303
    return admin


def test_pages_need_a_signed_in_person(client):
    for path in ("/app/", "/app/badges", "/app/tokens", "/app/admin/users"):
        response = client.get(path)
        assert response.status_code == 302 and "/app/sign-in" in response.headers["Location"]


def test_a_clinician_sees_their_day_and_an_admin_the_practice(app, make_practice, fake_clock):
    practice = make_practice()
    mine, theirs = session_only(practice), session_only(practice)
    person = clinician_user(practice, mine["clinician_id"])
    admin = _admin(practice, fake_clock)
    day = mine["scheduled_start"][:10]
    own = person.http.get(f"/app/?date={day}").get_data(as_text=True)
    assert mine["id"] in own and theirs["id"] not in own
    everyone = admin.http.get(f"/app/?date={day}").get_data(as_text=True)
    assert mine["id"] in everyone and theirs["id"] in everyone
    badges = person.http.get(f"/app/badges?date={day}").get_json()
    assert badges == {mine["id"]: {"key": "not_checked_in", "label": "not checked in"}}
    assert person.http.get(f"/app/sessions/{theirs['id']}").status_code == 404
    assert admin.http.get(f"/app/sessions/{theirs['id']}").status_code == 200
    assert "Sign report" not in admin.http.get(f"/app/sessions/{theirs['id']}").get_data(
        as_text=True
    )  # only the session's clinician signs
    assert person.http.get("/app/admin/users").status_code == 404
    assert person.http.get("/app/?date=not-a-date").status_code == 200


def test_badges_follow_the_session(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    person = clinician_user(practice, session["clinician_id"])
    day = session["scheduled_start"][:10]

    def badge() -> str:
        return str(person.http.get(f"/app/badges?date={day}").get_json()[session["id"]]["label"])

    assert badge() == "not checked in"
    end(app, session)
    assert badge() == "ended"
    person.http.get(f"/app/sessions/{session['id']}")  # builds the draft
    assert badge() == "report ready"
    sign(practice, session)
    assert badge() == "signed"


def test_every_phi_page_is_audited_with_the_persons_id(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    person = clinician_user(practice, session["clinician_id"])
    person.http.get(f"/app/?date={session['scheduled_start'][:10]}")
    person.http.get(f"/app/sessions/{session['id']}")
    person.http.get(f"/app/sessions/{session['id']}/report.pdf")
    person.http.get(f"/app/sessions/{session['id']}/report.json")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == person.id)
            .order_by(AuditEvent.occurred_at)
        ).all()
    trail = [(e.actor_type, e.action, e.resource_type, e.detail.get("format")) for e in events]
    assert trail[-4:] == [
        ("user", "read", "day", None),
        ("user", "read", "frame_report", "dashboard"),
        ("user", "export", "frame_report", "pdf"),
        ("user", "export", "frame_report", "fhir"),
    ]


def test_page_headers_forbid_framing_caching_and_inline_script(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    person = clinician_user(practice, session["clinician_id"])
    for path in ("/app/", f"/app/sessions/{session['id']}", "/app/tokens", "/app/sign-in"):
        response = person.http.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, path
        assert "script-src 'self' 'nonce-" in csp
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>" not in response.get_data(as_text=True)  # only the vendored file


def test_admin_pages_for_admins_only(app, make_practice, fake_clock):
    practice = make_practice()
    session = session_only(practice)
    practice.post("/v1/integrations", {"provider": "zoom", "secret": "zoom-secret-0000000"})
    admin = _admin(practice, fake_clock)
    person = clinician_user(practice, session["clinician_id"])
    pages = ("/app/admin/practice", "/app/admin/keys", "/app/admin/policy", "/app/admin/audit")
    for path in pages:
        assert admin.http.get(path).status_code == 200, path
        assert person.http.get(path).status_code == 404, path
    assert "LMFT-12345" in admin.http.get("/app/admin/practice").get_data(as_text=True)
    keys = admin.http.get("/app/admin/keys").get_data(as_text=True)
    made = admin.http.post(
        "/app/admin/keys", data={"csrf_token": csrf_of(keys), "label": "EHR", "role": "platform"}
    ).get_data(as_text=True)
    assert re.search(r'data-testid="new-key">tf_[A-Za-z0-9]{40}<', made)
    trail = admin.http.get(f"/app/admin/audit?actor={person.id}").get_data(as_text=True)
    assert "sign_in" in trail
    by_session = admin.http.get(f"/app/admin/audit?session={session['id']}&from=bad")
    assert by_session.status_code == 200
    policy = admin.http.get("/app/admin/policy?from=1&to=1").get_data(as_text=True)
    assert "No differences." in policy


def test_api_writes_with_the_cookie_need_the_csrf_token(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    end(app, session)
    person = clinician_user(practice, session["clinician_id"])
    response = person.http.post(f"/v1/sessions/{session['id']}/report/sign", json={})
    assert response.status_code == 400
    assert (
        practice.get(f"/v1/sessions/{session['id']}/report").get_json()["version"]["kind"]
        == "draft"
    )


def test_hostile_form_values_are_refused_or_kept_as_text(app, make_practice, fake_clock):
    practice = make_practice()
    session = session_only(practice)
    person = clinician_user(practice, session["clinician_id"])
    csrf = csrf_of(person.http.get("/app/tokens").get_data(as_text=True))
    nul = person.http.post("/app/tokens", data={"csrf_token": csrf, "label": "EHR\x00"})
    assert nul.status_code == 400
    assert person.http.get("/app/?date=\x00").status_code == 400
    anonymous = app.test_client()
    assert anonymous.post("/app/sign-in", data={"email": "a\x00@b.org"}).status_code == 400
    # a lone surrogate, percent-encoded as the invalid UTF-8 a browser could send
    odd = person.http.post(
        "/app/tokens",
        data=f"csrf_token={csrf}&label=%3Cscript%3Ealert(1)%3C/script%3E%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert odd.status_code == 200
    page = person.http.get("/app/tokens").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    huge = person.http.get("/app/?date=" + "9" * 5000)
    assert huge.status_code == 200


def test_a_key_revoked_on_the_dashboard_is_refused_at_once_on_another_process(
    app, make_practice, fake_clock, settings
):
    from teleframe import create_app

    practice = make_practice()
    admin = _admin(practice, fake_clock)
    made = practice.post("/v1/api-keys", {"label": "x", "role": "platform"}).get_json()
    other_process = create_app(settings, TESTING=True)
    second, auth = other_process.test_client(), {"Authorization": f"Bearer {made['key']}"}
    assert second.get("/v1/sessions?date=2026-12-01", headers=auth).status_code == 200  # cached
    page = admin.http.get("/app/admin/keys").get_data(as_text=True)
    revoked = admin.http.post(
        f"/app/admin/keys/{made['id']}/revoke", data={"csrf_token": csrf_of(page)}
    )
    assert revoked.status_code == 200
    assert second.get("/v1/sessions?date=2026-12-01", headers=auth).status_code == 401
    own = practice.get("/v1/api-keys").get_json()[0]  # the practice's only admin key
    refused = admin.http.post(
        f"/app/admin/keys/{own['id']}/revoke", data={"csrf_token": csrf_of(page)}
    ).get_data(as_text=True)
    assert "last active admin key" in refused
    assert practice.get("/v1/api-keys").status_code == 200
    with other_process.app_context():
        db.engine.dispose()
