"""Adding people (API and CLI) and the one-time set-up link."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text

from teleframe.extensions import db
from teleframe.models import AccountToken, AuditEvent, User
from tests.accounts.people import csrf_of, set_up, setup_link, sign_in


def test_an_admin_key_adds_a_clinician_user_with_a_one_time_link(app, make_practice, fake_clock):
    practice = make_practice()
    link = setup_link(practice, "clinician", practice.clinician())
    assert "/app/setup/" in link["setup_url"] and link["setup_expires_in_hours"] == 72
    person = set_up(app, link, fake_clock)
    assert len(person.recovery_codes) == 10
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.password_hash.startswith("$argon2id$")
        raw = db.session.execute(text("SELECT * FROM users")).all()
        assert person.secret not in str(raw)  # encrypted at rest
        token = link["setup_url"].rsplit("/", 1)[1]
        stored = db.session.scalars(select(AccountToken.token_hash)).all()
        assert token not in stored
    again = app.test_client().get("/" + link["setup_url"].split("/", 3)[3])
    assert again.status_code == 404  # used up
    assert sign_in(person, fake_clock).status_code == 303


def test_a_platform_key_cannot_add_users(app, make_practice):
    from teleframe.api.auth import issue_key

    practice = make_practice()
    with app.app_context():
        key = issue_key(db.session, practice.id, role="platform")
        db.session.commit()
    response = practice.http.post(
        "/v1/users",
        json={"email": "x@example.org", "role": "admin"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 403


def test_bad_user_input_is_refused_with_field_messages(make_practice):
    practice, other = make_practice(), make_practice()
    foreign = other.clinician()
    cases = [
        ({"email": "not-an-email", "role": "admin"}, 422, "email"),
        ({"email": "a@example.org", "role": "owner"}, 422, "role"),
        ({"email": "a@example.org", "role": "clinician"}, 422, "clinician_id"),
        (
            {"email": "a@example.org", "role": "clinician", "clinician_id": foreign},
            422,
            "clinician_id",
        ),
        ({"email": "<script>@x.org\x00", "role": "admin"}, 422, "email"),
    ]
    for body, status, field in cases:
        response = practice.post("/v1/users", body)
        assert response.status_code == status, (body, response.get_json())
        assert field in response.get_json()["errors"]
    practice.post("/v1/users", {"email": "dup@example.org", "role": "admin"})
    assert (
        practice.post("/v1/users", {"email": "DUP@example.org", "role": "admin"}).status_code == 409
    )


def test_weak_and_common_passwords_are_refused(app, make_practice, fake_clock):
    practice = make_practice()
    link = setup_link(practice, "admin")
    path = "/" + link["setup_url"].split("/", 3)[3]
    http = app.test_client()
    for weak, words in [
        ("short", "at least 12"),
        ("password1234", "commonly used"),
        ("aaaaaaaaaaaaaaaa", "easy to guess"),
    ]:
        page = http.get(path).get_data(as_text=True)
        response = http.post(
            path,
            data={"csrf_token": csrf_of(page), "password": weak, "confirm": weak, "code": "000000"},
        )
        assert response.status_code == 422
        assert words in response.get_data(as_text=True)


def test_the_cli_adds_a_user_and_prints_the_link(app, settings, make_practice, monkeypatch):
    from click.testing import CliRunner

    from teleframe import cli
    from tests.conftest import settings_env

    practice = make_practice()
    clinician = practice.clinician()
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    email = f"dana-{uuid.uuid4().hex[:8]}@example.org"
    result = CliRunner().invoke(
        cli.main, ["user", "add", email, "--role", "clinician", "--clinician", clinician]
    )
    assert result.exit_code == 0, result.output
    assert "/app/setup/" in result.output
    again = CliRunner().invoke(
        cli.main, ["user", "add", email, "--role", "admin", "--practice", str(practice.id)]
    )
    assert again.exit_code == 1 and "already exists" in again.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        assert str(user.clinician_id) == clinician and user.practice_id == practice.id
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.resource_id == str(user.id))
        ).first()
