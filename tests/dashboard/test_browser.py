"""The clinician's day in real headless Chromium: set up, sign in, watch the frame, sign, amend.

Controls are found by role and label, as assistive technology finds them. Screenshots of every
page go to tests/output/screenshots; axe-core checks every page for serious problems.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from teleframe import cli
from tests.browser import serious_violations
from tests.conftest import settings_env, wait_for
from tests.hooks.conftest import HookClient
from tests.reports.helpers import pdf_text
from tests.samples import GOOD_CHECKIN
from tests.services.providers import signing

pytestmark = pytest.mark.services
HOSTILE = "<script>alert('x')</script>"
SCENARIO = json.loads(signing.fixture("zoom/session_drop_rejoin_phone.json"))


def _cli_user_link(settings, live_url: str, monkeypatch, email: str, clinician: str) -> str:  # type: ignore[no-untyped-def]
    for name, value in {**settings_env(settings), "TELEFRAME_PUBLIC_URL": live_url}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        cli.main, ["user", "add", email, "--role", "clinician", "--clinician", clinician]
    )
    assert result.exit_code == 0, result.output
    return re.search(r"(http://\S+/app/setup/\S+)", result.output).group(1)  # type: ignore[union-attr]


def _check(page, axe, screenshot, name: str) -> None:  # type: ignore[no-untyped-def]
    screenshot(page, name)
    assert serious_violations(axe, page) == [], name


def _set_up_and_sign_in(page, link: str, email: str, fake_clock, axe, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    _check(page, axe, screenshot, "setup")
    secret = page.get_by_test_id("setup-key").inner_text().replace(" ", "")
    page.get_by_label("Password", exact=True).fill("a quiet river at dawn 1977")
    page.get_by_label("Password again").fill("a quiet river at dawn 1977")
    page.get_by_label("Authentication code").fill(fake_clock.next_code(secret))
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Your account is ready").wait_for()
    _check(page, axe, screenshot, "recovery-codes")
    page.get_by_role("link", name="Continue to sign in").click()
    _check(page, axe, screenshot, "sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a quiet river at dawn 1977")
    page.get_by_label("Authentication code").fill(fake_clock.next_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("Sessions on")).wait_for()


@pytest.fixture
def signed_in(chromium, settings, live_url, monkeypatch, fake_clock, axe, screenshot):  # type: ignore[no-untyped-def]
    """Opens a browser context as a new clinician user of a clinician record, set up and
    signed in: `(page, dialogs)`, dialogs being what the page tried to show (nothing, ever)."""
    contexts: list[Any] = []

    def open_as(who: str, clinician: str, **options: Any) -> tuple[Any, list[str]]:
        context = chromium.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        email = _email(who)
        link = _cli_user_link(settings, live_url, monkeypatch, email, clinician)
        _set_up_and_sign_in(page, link, email, fake_clock, axe, screenshot)
        return page, dialogs

    yield open_as
    for context in contexts:
        context.close()


def _settled_as_beat_would(practice, session_id: str) -> bool:  # type: ignore[no-untyped-def]
    """Beat settles a session once its events are quiet (and none wait for a worker); the
    test's worker runs without beat, so the test takes beat's look, moving the clock past it."""
    import uuid

    from teleframe.extensions import db
    from teleframe.models.base import utcnow
    from teleframe.operations import continuity
    from teleframe.services.session_progress import SETTLE

    key = uuid.UUID(session_id)
    with practice.app.app_context():
        later = utcnow() + SETTLE
        if key in continuity.sessions_to_recheck(db.session, later):
            continuity.recheck(db.session, key, now=later)
        db.session.commit()
    return bool(practice.get(f"/v1/sessions/{session_id}").get_json()["state"] == "ended")


def test_a_clinicians_day(worker, axe, screenshot, make_practice, fake_clock, signed_in):
    from playwright.sync_api import expect

    practice = make_practice()
    hook = HookClient(practice, "zoom", signing.ZOOM_SECRET)
    session_id = practice.session(provider="zoom", room_id=SCENARIO["room_id"])
    clinician = practice.get(f"/v1/sessions/{session_id}").get_json()["clinician_id"]
    page, dialogs = signed_in("dana", clinician, viewport={"width": 1280, "height": 900})

    badge = page.locator(f'[data-badge-for="{session_id}"]')
    expect(badge).to_have_text("not checked in")
    _check(page, axe, screenshot, "today")
    assert practice.post(f"/v1/sessions/{session_id}/checkins", GOOD_CHECKIN).status_code == 202
    expect(badge).to_have_text("clear", timeout=20_000)  # no reload
    screenshot(page, "today-clear")

    for delivery in SCENARIO["deliveries"]:
        body = json.dumps(delivery["body"]).encode()
        if delivery["source"] == "zoom":
            assert hook.send(signing.zoom(body, timestamp=_now())).status_code == 200
        else:
            practice.post(f"/v1/sessions/{session_id}/events", delivery["body"])
    wait_for(lambda: _settled_as_beat_would(practice, session_id), 30)
    expect(badge).to_have_text(re.compile("ended|report ready"), timeout=20_000)

    fake_clock.advance(minutes=6)  # the sign-in is no longer fresh: signing asks again
    page.get_by_role("link", name="Sam Client").click()
    expect(page.get_by_text("Emergency number for the client's location")).to_contain_text("911")
    expect(page.locator(".strip-legend")).to_contain_text("dropped: 14:10:00")
    expect(page.locator(".strip-legend")).to_contain_text("phone")
    _check(page, axe, screenshot, "session")

    page.get_by_label("Password").fill("a quiet river at dawn 1977")
    page.get_by_role("button", name="Sign report").click()
    expect(page.get_by_text("Report signed.")).to_be_visible()
    line = page.locator(".signed").inner_text()
    assert re.fullmatch(
        r"Electronically signed by Dana Reyes, LMFT, \d{4}-\d\d-\d\d \d\d:\d\d UTC "
        r"\(password and authenticator code\)",
        line,
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert line in pdf_text(Path(download.value.path()).read_bytes())

    page.get_by_label("Addendum text").fill("Client called back at 15:10.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    expect(page.get_by_text("Client called back at 15:10.")).to_be_visible()
    expect(page.get_by_text("intact")).to_be_visible()
    _check(page, axe, screenshot, "session-signed")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "session-narrow")
    page.get_by_role("link", name="Personal tokens").click()
    _check(page, axe, screenshot, "tokens")

    api_key_sign = practice.post(f"/v1/sessions/{session_id}/report/sign", {})
    assert api_key_sign.status_code == 403
    assert dialogs == []


def test_another_clinician_gets_404_and_hostile_text_stays_text(
    worker, live_url, axe, screenshot, make_practice, signed_in
):
    from playwright.sync_api import expect

    practice = make_practice()
    session_id = practice.session()
    hostile = copy.deepcopy(GOOD_CHECKIN)
    hostile["location"].update(locality=HOSTILE, address=HOSTILE)
    hostile["others_present"][0]["relationship"] = HOSTILE
    hostile["backup"]["emergency_contact"].update(name=HOSTILE, relationship=HOSTILE)
    assert practice.post(f"/v1/sessions/{session_id}/checkins", hostile).status_code == 202
    owner = practice.get(f"/v1/sessions/{session_id}").get_json()["clinician_id"]
    other = practice.clinician(name="Riley Other")

    page, dialogs = signed_in("riley", other)
    response = page.goto(f"{live_url}/app/sessions/{session_id}")
    assert response is not None and response.status == 404
    page.context.close()

    page, dialogs = signed_in("dana", owner)
    page.goto(f"{live_url}/app/sessions/{session_id}")
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    assert page.locator("main script").count() == 0
    _check(page, axe, screenshot, "session-hostile")
    assert dialogs == []


def _email(who: str) -> str:
    """Emails are unique across practices, and the test database lives for the whole run."""
    return f"{who}-{uuid.uuid4().hex[:8]}@example.org"


def _now() -> int:
    import time

    return int(time.time())


def test_an_admin_adds_disables_and_resets_people(
    app, live_url, chromium, axe, screenshot, make_practice, fake_clock
):
    from playwright.sync_api import expect

    practice = make_practice()
    practice.clinician()
    email, newcomer = _email("admin"), _email("new.clinician")
    created = practice.post("/v1/users", {"email": email, "role": "admin"})
    link = live_url + "/app/" + created.get_json()["setup_url"].split("/app/", 1)[1]
    context = chromium.new_context()
    page = context.new_page()
    _set_up_and_sign_in(page, link, email, fake_clock, axe, screenshot)
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Email").fill(newcomer)
    page.get_by_label("Clinician record").select_option(label="Dana Reyes")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_test_id("setup-link")).to_contain_text("/app/setup/")
    _check(page, axe, screenshot, "users")
    page.get_by_role("button", name=f"Disable {newcomer}").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(newcomer)))).to_contain_text(
        "disabled"
    )
    page.get_by_role("button", name=f"Reset link for {newcomer}").click()
    expect(page.get_by_test_id("setup-link")).to_be_visible()
    for name, heading in (
        ("Practice", "Practice set-up"),
        ("API keys", "API keys"),
        ("Policy", "Policy"),
        ("Audit trail", "Audit trail"),
    ):
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        _check(page, axe, screenshot, name.lower().replace(" ", "-"))
    context.close()
