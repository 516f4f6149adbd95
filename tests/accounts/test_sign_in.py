"""Signing in and out: cookies, rotation, timeouts, lockout, CSRF, one-time codes, audit."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import AuditEvent, User
from tests.accounts.people import Clock, Person, csrf_of, page_csrf, set_up, setup_link, sign_in


def _admin(app, make_practice, fake_clock: Clock) -> Person:  # type: ignore[no-untyped-def]
    return set_up(app, setup_link(make_practice(), "admin"), fake_clock)


def _actions(app, user_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.resource_id == user_id)
                .order_by(AuditEvent.occurred_at)
            )
        )


def _cookie(person: Person) -> str:
    cookie = person.http.get_cookie("session")
    return cookie.value if cookie else ""


def test_sign_in_sets_a_safe_cookie_and_rotates_the_session(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    person.http.get("/app/sign-in")
    before = _cookie(person)
    response = sign_in(person, fake_clock)
    assert response.status_code == 303 and response.headers["Location"].endswith("/app/")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    first = _cookie(person)
    assert first and first != before
    today = person.http.get("/app/")
    assert today.status_code == 200
    assert "no-store" in today.headers["Cache-Control"]
    assert "frame-ancestors 'none'" in today.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in today.headers["Content-Security-Policy"]
    # a second sign-in gets a new session: the old cookie's session is not the new one
    assert sign_in(person, fake_clock).status_code == 303
    assert _cookie(person) != first


def test_secure_cookie_over_https(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    page = person.http.get("/app/sign-in", base_url="https://localhost").get_data(as_text=True)
    response = person.http.post(
        "/app/sign-in",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/app/sign-in"},
        data={
            "csrf_token": csrf_of(page),
            "email": person.email,
            "password": person.password,
            "code": fake_clock.next_code(person.secret),
        },
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_out_ends_the_session_for_good(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    sign_in(person, fake_clock)
    stolen = _cookie(person)
    response = person.http.post("/app/sign-out", data={"csrf_token": page_csrf(person)})
    assert response.status_code == 303
    assert person.http.get("/app/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/app/").status_code == 302  # the copied cookie is dead too
    assert _actions(app, person.id)[-2:] == ["sign_in", "sign_out"]


def test_idle_timeout_and_absolute_timeout(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    sign_in(person, fake_clock)
    fake_clock.advance(minutes=14)
    assert person.http.get("/app/").status_code == 200
    fake_clock.advance(minutes=16)
    assert person.http.get("/app/").status_code == 302  # idle for more than 15 minutes
    sign_in(person, fake_clock)
    signed_in_at = fake_clock.offset
    for _ in range(60):  # active all day, a request every 14 minutes
        fake_clock.advance(minutes=14)
        if person.http.get("/app/").status_code != 200:
            break
    hours = (fake_clock.offset - signed_in_at).total_seconds() / 3600
    assert 12 <= hours < 12.25  # the absolute limit ended it, not idleness


def test_wrong_answers_are_refused_then_the_account_locks(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    for _ in range(4):
        response = sign_in(person, fake_clock, password="wrong password entirely")
        assert response.status_code == 401
        assert "not right" in response.get_data(as_text=True)
    response = sign_in(person, fake_clock, password="wrong password entirely")
    assert "locked" in response.get_data(as_text=True)
    locked = sign_in(person, fake_clock)  # even the right answers, while locked
    assert locked.status_code == 401 and "locked" in locked.get_data(as_text=True)
    assert _actions(app, person.id)[-3:] == ["sign_in_failed", "lock", "sign_in_failed"]
    fake_clock.advance(minutes=16)
    assert sign_in(person, fake_clock).status_code == 303


def test_sign_in_is_rate_limited(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    statuses = [sign_in(person, fake_clock, password=f"wrong {n}").status_code for n in range(11)]
    assert statuses[-1] == 429


def test_only_the_dashboard_runs_the_rate_limiter(app, make_practice, monkeypatch):  # type: ignore[no-untyped-def]
    """Its only limits are the sign-in page's: API calls and webhooks do not pay for it."""
    from teleframe.dashboard.wiring import limiter

    checked: list[str] = []
    real = limiter.identify_request  # the first thing each limit check does

    def spy() -> str:
        from flask import request

        checked.append(request.path)
        return real()

    monkeypatch.setattr(limiter, "identify_request", spy)
    practice = make_practice()
    assert practice.get("/v1/sessions?date=2026-12-01").status_code == 200
    assert checked == []
    http = app.test_client()
    assert http.get("/app/sign-in").status_code == 200
    assert checked == ["/app/sign-in"]


def test_a_form_without_its_csrf_token_is_refused(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    response = person.http.post(
        "/app/sign-in",
        data={
            "email": person.email,
            "password": person.password,
            "code": fake_clock.next_code(person.secret),
        },
    )
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
    sign_in(person, fake_clock)
    assert person.http.post("/app/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert person.http.get("/app/").status_code == 200  # still signed in


def test_an_authentication_code_works_once(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    code = fake_clock.next_code(person.secret)
    assert sign_in(person, fake_clock, code=code).status_code == 303
    other = app.test_client()
    replayed = Person(person.email, person.id, person.secret, [], other)
    assert sign_in(replayed, fake_clock, code=code).status_code == 401
    earlier = pyotp.TOTP(person.secret).at(fake_clock.now(), counter_offset=-1)
    assert sign_in(replayed, fake_clock, code=earlier).status_code == 401


def test_a_recovery_code_signs_in_once(app, make_practice, fake_clock):
    person = _admin(app, make_practice, fake_clock)
    code = person.recovery_codes[0]
    assert sign_in(person, fake_clock, code=code).status_code == 303
    assert sign_in(person, fake_clock, code=code).status_code == 401


def test_admins_disable_people_and_issue_reset_links(app, make_practice, fake_clock):
    practice = make_practice()
    admin = set_up(app, setup_link(practice, "admin"), fake_clock)
    clinician = set_up(app, setup_link(practice, "clinician", practice.clinician()), fake_clock)
    sign_in(admin, fake_clock)
    sign_in(clinician, fake_clock)
    page = admin.http.get("/app/admin/users").get_data(as_text=True)
    assert clinician.email in page
    done = admin.http.post(
        f"/app/admin/users/{clinician.id}/disable", data={"csrf_token": csrf_of(page)}
    )
    assert done.status_code == 200
    assert clinician.http.get("/app/").status_code == 302  # signed out everywhere
    assert sign_in(clinician, fake_clock).status_code == 401
    reset = admin.http.post(
        f"/app/admin/users/{clinician.id}/reset", data={"csrf_token": csrf_of(page)}
    ).get_data(as_text=True)
    assert "/app/setup/" in reset
    assert clinician.http.get("/app/admin/users").status_code in (302, 404)
    with app.app_context():
        assert db.session.get(User, clinician.id).disabled_at is not None
    assert "disable" in _actions(app, clinician.id) and "reset" in _actions(app, clinician.id)
