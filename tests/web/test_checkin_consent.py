"""Telehealth informed consent and identity, where the practice's policy asks for them."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import CheckIn
from teleframe.services.policy import default_policy_text
from tests.conftest import soon, wait_for
from tests.web.forms import GOOD_FORM, new_link

ASKING = (
    default_policy_text()
    .replace("consent:\n  required: false", 'consent:\n  required: true\n  version: "v7"', 1)
    .replace("require_identity_confirmation: false", "require_identity_confirmation: true", 1)
)


def _asking_practice(make_practice):  # type: ignore[no-untyped-def]
    practice = make_practice()
    response = practice.http.put(
        "/v1/policy",
        data=ASKING.encode(),
        headers={**practice.headers, "Content-Type": "application/yaml"},
    )
    assert response.status_code in (200, 201), response.get_json()
    return practice


def _session_for(practice, client_id: str) -> str:  # type: ignore[no-untyped-def]
    begins = soon()
    body = {
        "clinician_id": practice.clinician(),
        "client_id": client_id,
        "scheduled_start": begins.isoformat(),
        "scheduled_end": begins.replace(hour=(begins.hour + 1) % 24).isoformat(),
    }
    response = practice.post("/v1/sessions", body)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _latest(app, session: str) -> CheckIn:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalars(
            select(CheckIn)
            .where(CheckIn.session_id == uuid.UUID(session))
            .order_by(CheckIn.submitted_at.desc())
        ).first()


def _codes(practice, session: str) -> set[str]:  # type: ignore[no-untyped-def]
    def evaluated() -> dict | None:  # type: ignore[type-arg]
        return practice.get(f"/v1/sessions/{session}/frame").get_json()["evaluation"]

    return {finding["code"] for finding in wait_for(evaluated)["findings"]}


def test_the_page_shows_the_consent_text_in_the_client_language(app, make_practice):
    practice = _asking_practice(make_practice)
    path = new_link(practice, practice.session())
    english = app.test_client().get(path).get_data(as_text=True)
    assert "Your sessions happen by video or phone, not in person." in english
    assert '<input type="checkbox" id="consent-agreed" name="consent.agreed" value="yes"' in english
    assert '<label for="consent-agreed">' in english
    assert 'name="identity.date_of_birth"' in english
    spanish = app.test_client().get(path, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Sus sesiones son por video o por teléfono, no en persona." in spanish


def test_consent_is_recorded_once_and_carried_to_the_next_session(app, worker, make_practice):
    practice = _asking_practice(make_practice)
    client_id = practice.client()
    first = _session_for(practice, client_id)
    form = {
        **GOOD_FORM,
        "consent.agreed": "yes",
        "identity.full_name": "Sam Client",
        "identity.date_of_birth": "1990-04-02",
    }
    assert app.test_client().post(new_link(practice, first), data=form).status_code == 303
    consent = _latest(app, first).data["consent"]
    assert consent["agreed"] is True and consent["version"] == "v7"
    assert re.match(r"^\d{4}-\d\d-\d\dT", consent["agreed_at"])
    assert _latest(app, first).data["readiness"]["identity_confirmed"] is True
    codes = _codes(practice, first)
    assert "CONSENT_MISSING" not in codes and "IDENTITY_MISMATCH" not in codes
    # the same client's next session: not asked again, the agreement travels with the answers
    second = _session_for(practice, client_id)
    path = new_link(practice, second)
    page = app.test_client().get(path).get_data(as_text=True)
    assert "You already agreed to this." in page and 'name="consent.agreed"' not in page
    assert app.test_client().post(path, data=GOOD_FORM).status_code == 303
    assert _latest(app, second).data["consent"] == consent


def test_no_consent_and_a_different_birth_date_are_findings(app, worker, make_practice):
    practice = _asking_practice(make_practice)
    session = practice.session()
    browser = app.test_client()
    form = {**GOOD_FORM, "identity.full_name": "Sam", "identity.date_of_birth": "1991-01-01"}
    assert browser.post(new_link(practice, session), data=form).status_code == 303
    assert {"CONSENT_MISSING", "IDENTITY_MISMATCH"} <= _codes(practice, session)
    page = browser.get("/c/status").get_data(as_text=True)
    assert "Please read the telehealth consent and agree to it before your session." in page
    assert "Your clinician will check your details with you at the start." in page
    assert "1990-04-02" not in page  # the record's date is never shown


def test_the_api_takes_consent_and_identity_and_old_clients_still_work(app, make_practice):
    practice = make_practice()
    session = practice.session()
    body = {
        "consent": {"agreed": True, "version": "v7", "agreed_at": "2026-12-01T16:50:00Z"},
        "identity": {"full_name": "Sam Client", "date_of_birth": "1990-04-02"},
    }
    assert practice.post(f"/v1/sessions/{session}/checkins", body).status_code == 202
    assert practice.post(f"/v1/sessions/{session}/checkins", {}).status_code == 202
    bad = practice.post(
        f"/v1/sessions/{session}/checkins",
        {
            "consent": {"agreed": "yes", "agreed_at": "yesterday"},
            "identity": {"date_of_birth": "1990-02-30"},
        },
    )
    assert bad.status_code == 422
    errors = bad.get_json()
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    assert "consent" in str(errors) and "identity" in str(errors)


def test_script_in_the_identity_name_is_shown_as_text(app, make_practice):
    practice = _asking_practice(make_practice)
    path = new_link(practice, practice.session())
    hostile = "<script>alert(1)</script>"
    form = {**GOOD_FORM, "identity.full_name": hostile, "identity.date_of_birth": "nope"}
    response = app.test_client().post(path, data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert hostile not in page and "&lt;script&gt;" in page
    assert "Enter the date as year, month and day." in page
