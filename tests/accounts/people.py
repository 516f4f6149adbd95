"""Test helpers for people: add a user through the API, set them up, sign them in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyotp

from teleframe.accounts import clock

PASSWORD = "correct horse battery staple 42"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'data-testid="setup-key">([A-Z2-7 ]+)<')


class Clock:
    """Moves teleframe.accounts' notion of now; real time still passes underneath."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now().astimezone() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def next_code(self, secret: str) -> str:
        """A code from a window no earlier code came from (a code works once)."""
        self.advance(seconds=30)
        return pyotp.TOTP(secret).at(self.now())


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Person:
    email: str
    id: str
    secret: str
    recovery_codes: list[str]
    http: Any
    password: str = PASSWORD
    extra: dict[str, Any] = field(default_factory=dict)


def setup_link(
    practice, role: str = "clinician", clinician_id: str | None = None
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    body: dict[str, Any] = {"email": email, "role": role}
    if clinician_id:
        body["clinician_id"] = clinician_id
    response = practice.post("/v1/users", body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def set_up(app, link: dict[str, Any], fake_clock: Clock, password: str = PASSWORD) -> Person:  # type: ignore[no-untyped-def]
    http = app.test_client()
    path = link["setup_url"].split("://", 1)[1].split("/", 1)[1]
    page = http.get("/" + path).get_data(as_text=True)
    secret = _KEY.search(page).group(1).replace(" ", "")  # type: ignore[union-attr]
    done = http.post(
        "/" + path,
        data={
            "csrf_token": csrf_of(page),
            "password": password,
            "confirm": password,
            "code": fake_clock.next_code(secret),
        },
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    return Person(link["email"], link["id"], secret, codes, http, password)


def sign_in(
    person: Person, fake_clock: Clock, code: str | None = None, password: str | None = None
):  # type: ignore[no-untyped-def]
    page = person.http.get("/app/sign-in", follow_redirects=True).get_data(as_text=True)
    return person.http.post(
        "/app/sign-in",
        data={
            "csrf_token": csrf_of(page),
            "email": person.email,
            "password": person.password if password is None else password,
            "code": code if code is not None else fake_clock.next_code(person.secret),
        },
    )


def clinician_user(app, practice, fake_clock: Clock, clinician_id: str) -> Person:  # type: ignore[no-untyped-def]
    """A clinician user for `clinician_id`, set up and signed in."""
    person = set_up(app, setup_link(practice, "clinician", clinician_id), fake_clock)
    response = sign_in(person, fake_clock)
    assert response.status_code == 303, response.get_data(as_text=True)
    return person


def page_csrf(person: Person, path: str = "/app/") -> str:
    return csrf_of(person.http.get(path).get_data(as_text=True))


__all__ = ["PASSWORD", "Clock", "Person", "clock"]
