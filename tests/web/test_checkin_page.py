"""The client check-in page: one-time link, form, cookie, status, updates."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from teleframe.extensions import db
from teleframe.models import CheckIn, CheckInLink, OutboxMessage
from teleframe.models.base import utcnow
from teleframe.web import links
from teleframe.web.links import COOKIE_NAME
from tests.samples import GOOD_CHECKIN
from tests.web.forms import GOOD_FORM, new_link

NOT_VALID = "This link has expired or is not valid. Ask your clinician for a new one."


def _checkins(app, session: str) -> list[CheckIn]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(
            db.session.scalars(
                select(CheckIn)
                .where(CheckIn.session_id == uuid.UUID(session))
                .order_by(CheckIn.submitted_at)
            )
        )


def _checked_in(app, make_practice):  # type: ignore[no-untyped-def]
    """A browser that has used its link: it holds the cookie and sits on the status page."""
    practice = make_practice()
    session = practice.session()
    browser = app.test_client()
    response = browser.post(new_link(practice, session), data=GOOD_FORM)
    assert response.status_code == 303, response.get_data(as_text=True)
    return practice, session, browser


def _link_of(app, session: str) -> CheckInLink:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalars(
            select(CheckInLink).where(CheckInLink.session_id == uuid.UUID(session))
        ).one()


def _csrf_for(app, session: str) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return links.csrf_token(_link_of(app, session))


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


def test_the_link_opens_an_accessible_form_with_strict_headers(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    response = app.test_client().get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for question in (
        "Where are you right now?",
        "Is anyone else with you?",
        "What number can we call if video drops?",
    ):
        assert question in page
    assert '<html lang="en">' in page and 'name="viewport"' in page
    assert "<script" not in page
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    inputs = set(re.findall(r'<(?:input|select) id="([^"]+)"', page))
    assert inputs and inputs <= labelled
    assert page.count("<fieldset") == page.count("<legend>")
    assert 'type="radio" name="privacy.private_space" value="yes"' in page
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    with app.test_client().get("/c/static/checkin.css") as stylesheet:
        assert stylesheet.status_code == 200
        assert stylesheet.headers["Content-Security-Policy"] == csp


def test_unknown_and_expired_links_get_a_plain_page(app, make_practice):
    browser = app.test_client()
    response = browser.get("/c/" + "x" * 43)
    assert response.status_code == 404
    assert NOT_VALID in response.get_data(as_text=True)
    assert "<form" not in response.get_data(as_text=True)
    practice = make_practice()
    path = new_link(practice, practice.session())
    with app.app_context():
        db.session.execute(update(CheckInLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    for response in (browser.get(path), browser.post(path, data=GOOD_FORM)):
        assert response.status_code == 410
        assert NOT_VALID in response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_errors_are_shown_beside_their_fields_and_nothing_is_stored(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    form = {**GOOD_FORM, "backup.callback_phone": "call my mum"}
    del form["privacy.headphones"]
    response = app.test_client().post(path, data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="backup-callback_phone-error"' in page
    assert "Enter the number with its country code" in page
    assert 'aria-invalid="true"' in page
    assert 'value="call my mum"' in page and 'value="Oakland"' in page
    assert 'id="privacy-headphones-error"' not in page  # unanswered is allowed: policy decides
    assert _checkins(app, session) == []
    assert app.test_client().get(path).status_code == 200  # the link is still unused


def test_script_in_a_text_field_is_shown_escaped(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    hostile = "<script>alert(1)</script>"
    browser = app.test_client()
    response = browser.post(
        path, data={**GOOD_FORM, "location.locality": hostile, "backup.callback_phone": "x"}
    )
    assert response.status_code == 422
    assert hostile not in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)
    assert browser.post(path, data=GOOD_FORM).status_code == 303
    csrf = _csrf_for(app, session)
    response = browser.post(
        "/c/checkin",
        data={
            **GOOD_FORM,
            "backup.emergency_contact.name": hostile,
            "backup.emergency_contact.phone": "nope",
            "csrf": csrf,
        },
    )
    assert response.status_code == 422
    assert hostile not in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)


def test_a_check_in_through_the_page_is_stored_with_its_work(app, make_practice):
    _, session, _ = _checked_in(app, make_practice)
    [checkin] = _checkins(app, session)
    assert checkin.source == "web"
    assert checkin.data["backup"]["callback_phone"] == "+15105550123"
    assert checkin.data["location"]["subdivision"] == "US-CA"
    assert checkin.data["location"]["same_as_last_time"] is None
    with app.app_context():
        outbox = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.args == [str(checkin.id)])
        )
    link = _link_of(app, session)
    assert outbox == 1
    assert link.used_at is not None


def test_the_token_becomes_a_strict_cookie(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    response = app.test_client().post(path, data=GOOD_FORM)
    assert response.status_code == 303
    assert response.headers["Location"] == "/c/status"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/c" in cookie
    assert "Max-Age=" in cookie and "Secure" not in cookie
    assert path.rsplit("/", 1)[1] not in cookie
    https = app.test_client().post(
        new_link(practice, practice.session()), data=GOOD_FORM, base_url="https://localhost"
    )
    assert "Secure" in https.headers["Set-Cookie"]


def test_a_used_link_is_refused_without_the_cookie(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    browser = app.test_client()
    assert browser.post(path, data=GOOD_FORM).status_code == 303
    other = app.test_client()
    assert other.get(path).status_code == 410
    assert other.post(path, data=GOOD_FORM).status_code == 410
    assert other.get("/c/status").status_code == 403
    # the browser that used it is sent on to its status page
    again = browser.get(path)
    assert again.status_code == 303 and again.headers["Location"] == "/c/status"
    assert len(_checkins(app, session)) == 1


def test_two_redemptions_at_once_exactly_one_wins(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def redeem() -> None:
        browser = app.test_client()
        barrier.wait()
        statuses.append(browser.post(path, data=GOOD_FORM).status_code)

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [303, 410]
    assert len(_checkins(app, session)) == 1


def test_a_tampered_or_foreign_cookie_is_refused(app, make_practice):
    from itsdangerous import URLSafeSerializer

    from teleframe.web.links import COOKIE_SALT

    _, _, browser = _checked_in(app, make_practice)
    value = browser.get_cookie(COOKIE_NAME, path="/c").value
    for forged in (
        value[:-2] + ("AA" if not value.endswith("AA") else "BB"),
        URLSafeSerializer("not-the-secret", salt=COOKIE_SALT).dumps(str(uuid.uuid4())),
        "garbage",
    ):
        attacker = app.test_client()
        attacker.set_cookie(COOKIE_NAME, forged, path="/c")
        response = attacker.get("/c/status")
        assert response.status_code == 403
        assert NOT_VALID in response.get_data(as_text=True)


def test_pending_evaluation_shows_checking_and_refreshes(app, make_practice):
    practice, session, browser = _checked_in(app, make_practice)
    with app.app_context():
        # a later check-in whose evaluation has not been stored: the page must wait for it
        db.session.add(
            CheckIn(
                practice_id=practice.id,
                session_id=uuid.UUID(session),
                data=GOOD_CHECKIN,
                source="api",
                submitted_at=utcnow() + timedelta(seconds=5),
            )
        )
        db.session.commit()
    response = browser.get("/c/status")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Checking…" in page
    # no reload every second: a script asks for the verdict, or, without scripts, a meta
    # refresh that waits longer each time
    assert '<noscript><meta http-equiv="refresh" content="2; url=/c/status?wait=1">' in page
    assert '<script src="/c/static/status.js"></script>' in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    later = browser.get("/c/status?wait=4").get_data(as_text=True)
    assert 'content="13; url=/c/status?wait=5"' in later
    slowest = browser.get("/c/status?wait=99").get_data(as_text=True)
    assert 'content="30; url=/c/status?wait=7"' in slowest
    assert browser.get("/c/status/verdict").get_json() == {"pending": True, "ended": False}
    assert "<form" not in page


def test_updates_need_the_cookie_and_the_csrf_value(app, make_practice):
    _, session, browser = _checked_in(app, make_practice)
    csrf = _csrf_for(app, session)
    changed = {**GOOD_FORM, "location.locality": "Berkeley"}
    assert browser.post("/c/checkin", data=changed).status_code == 403
    assert browser.post("/c/checkin", data={**changed, "csrf": "0" * 64}).status_code == 403
    assert browser.post("/c/checkin", data={**changed, "csrf": "é"}).status_code == 403
    other = _checked_in(app, make_practice)
    other_csrf = _csrf_for(app, other[1])
    assert browser.post("/c/checkin", data={**changed, "csrf": other_csrf}).status_code == 403
    assert app.test_client().post("/c/checkin", data={**changed, "csrf": csrf}).status_code == 403
    assert len(_checkins(app, session)) == 1
    response = browser.post("/c/checkin", data={**changed, "csrf": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/c/status"
    first, second = _checkins(app, session)
    assert first.data["location"]["locality"] == "Oakland"
    assert second.data["location"]["locality"] == "Berkeley"
    assert second.source == "web"


def test_update_errors_keep_the_csrf_field(app, make_practice):
    _, session, browser = _checked_in(app, make_practice)
    csrf = _csrf_for(app, session)
    response = browser.post(
        "/c/checkin", data={**GOOD_FORM, "backup.callback_phone": "nope", "csrf": csrf}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _csrf(page) == csrf
    assert 'action="/c/checkin"' in page
    assert len(_checkins(app, session)) == 1
