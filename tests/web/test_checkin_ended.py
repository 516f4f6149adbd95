"""Once the session has ended or its report is signed, the client's cookie shows nothing more."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from teleframe.extensions import db
from teleframe.models import AuditEvent, TherapySession
from teleframe.web.links import COOKIE_NAME
from tests.conftest import wait_for
from tests.web.forms import GOOD_FORM, new_link


def _set_state(app, session: str, state: str) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(
            update(TherapySession)
            .where(TherapySession.id == uuid.UUID(session))
            .values(state=state)
        )
        db.session.commit()


def _client_reads(app, practice_id: uuid.UUID) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return int(
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.practice_id == practice_id,
                    AuditEvent.actor_type == "client_link",
                    AuditEvent.action == "read",
                )
            )
            or 0
        )


@pytest.mark.parametrize("state", ["report_signed", "ended"])
def test_after_the_session_the_status_page_shows_no_answers(app, worker, make_practice, state):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    browser = app.test_client()
    assert browser.post(path, data=GOOD_FORM).status_code == 303
    page = wait_for(
        lambda: (p := browser.get("/c/status").get_data(as_text=True)) and "Checking" not in p and p
    )
    assert "1200 Lakeshore Ave" in page and "+1 510-555-0123" in page
    assert _client_reads(app, practice.id) >= 1  # the client's reads are audited
    _set_state(app, session, state)
    response = browser.get("/c/status")
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "This session has ended." in text
    for phi in ("1200 Lakeshore Ave", "Oakland", "+15105550123", "510", "Alex Client", "<form"):
        assert phi not in text
    assert f"{COOKIE_NAME}=;" in response.headers["Set-Cookie"]  # the browser forgets it
    assert browser.get_cookie(COOKIE_NAME, path="/c") is None
    assert browser.get(path).status_code == 410
    assert browser.post("/c/checkin", data={**GOOD_FORM, "csrf": "0" * 64}).status_code == 403


def test_a_kept_cookie_still_shows_nothing_after_signing(app, make_practice):
    practice = make_practice()
    session = practice.session()
    browser = app.test_client()
    assert browser.post(new_link(practice, session), data=GOOD_FORM).status_code == 303
    kept = browser.get_cookie(COOKIE_NAME, path="/c").value
    _set_state(app, session, "report_signed")
    other = app.test_client()
    other.set_cookie(COOKIE_NAME, kept, path="/c")
    assert other.get("/c/status/verdict").get_json() == {"pending": False, "ended": True}
    response = other.get("/c/status")
    assert response.status_code == 410 and "Lakeshore" not in response.get_data(as_text=True)


def test_an_unused_link_to_an_ended_session_is_closed(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    _set_state(app, session, "ended")
    response = app.test_client().get(path, headers={"Accept-Language": "es"})
    assert response.status_code == 410
    assert "Esta sesión terminó, así que el registro está cerrado." in response.get_data(
        as_text=True
    )
