"""The location question: a country, then that country's subdivisions, without JavaScript."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import CheckIn, CheckInLink
from teleframe.web import links
from tests.web.forms import GOOD_FORM, new_link


def _options(page: str, name: str) -> dict[str, str]:
    match = re.search(rf'<select id="[^"]+" name="{re.escape(name)}".*?</select>', page, re.S)
    assert match, f"no select named {name}"
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match.group(0)))


def _stored(app, session: str) -> list[CheckIn]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(
            db.session.scalars(select(CheckIn).where(CheckIn.session_id == uuid.UUID(session)))
        )


def test_choosing_a_country_shows_its_subdivisions_and_stores_nothing(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    browser = app.test_client()
    first = browser.get(path).get_data(as_text=True)
    assert 'name="location.subdivision"' not in first  # no country yet, so no list
    assert 'name="action" value="places"' in first
    form = {"location.country": "MX", "location.locality": "Guadalajara", "action": "places"}
    response = browser.post(path, data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    regions = _options(page, "location.subdivision")
    assert regions["MX-JAL"] == "Jalisco" and "US-CA" not in regions
    assert 'value="Guadalajara"' in page and 'id="error-summary"' not in page
    assert _stored(app, session) == []
    with app.app_context():
        link = db.session.scalars(
            select(CheckInLink).where(CheckInLink.session_id == uuid.UUID(session))
        ).one()
        assert link.used_at is None


def test_subdivision_names_follow_the_language(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    form = {"location.country": "US", "action": "places"}
    page = app.test_client().post(path, data=form, headers={"Accept-Language": "es"})
    regions = _options(page.get_data(as_text=True), "location.subdivision")
    assert regions["US-NY"] == "Nueva York" and regions["US-HI"] == "Hawái"


def test_the_chosen_subdivision_is_selected_and_stored_by_its_code(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    browser = app.test_client()
    form = {**GOOD_FORM, "location.subdivision": "US-NY", "backup.callback_phone": "x"}
    page = browser.post(path, data=form).get_data(as_text=True)
    assert '<option value="US-NY" selected>New York</option>' in page
    assert (
        browser.post(path, data={**GOOD_FORM, "location.subdivision": "US-NY"}).status_code == 303
    )
    [checkin] = _stored(app, session)
    assert checkin.data["location"]["subdivision"] == "US-NY"


def test_a_subdivision_of_another_country_is_refused_in_plain_words(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    form = {**GOOD_FORM, "location.country": "MX", "location.subdivision": "US-CA"}
    response = app.test_client().post(path, data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please choose a state or region in the country you chose." in page
    assert "MX-JAL" in page  # the list now shows Mexico's states
    assert _stored(app, session) == []


def test_odd_field_names_answer_400_and_store_nothing(app, make_practice):
    practice = make_practice()
    session = practice.session()
    path = new_link(practice, session)
    browser = app.test_client()
    for name in (
        "others_present.².relationship",
        "others_present.0.relationship\x00",
        "others_present.99999999999999999999.minor",
        "x" * 5000,
    ):
        response = browser.post(path, data={**GOOD_FORM, name: "partner"})
        assert response.status_code == 400, name
        assert "Something went wrong with the form" in response.get_data(as_text=True)
    # a lone surrogate, as raw bytes no browser would send
    raw = urlencode(GOOD_FORM).encode() + b"&location.country%ED%A0%80=US&x%00=1"
    response = browser.post(path, data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert browser.post(path, data=GOOD_FORM).status_code == 303
    with app.test_request_context(), app.app_context():
        link = db.session.scalars(
            select(CheckInLink).where(CheckInLink.session_id == uuid.UUID(session))
        ).one()
        csrf = links.csrf_token(link)
    odd = {**GOOD_FORM, "csrf": csrf, "others_present.².minor": "yes"}
    assert browser.post("/c/checkin", data=odd).status_code == 400
    assert len(_stored(app, session)) == 1


def test_script_in_new_fields_is_shown_as_text(app, make_practice):
    practice = make_practice()
    path = new_link(practice, practice.session())
    hostile = "<script>alert(1)</script>"
    form = {**GOOD_FORM, "location.country": hostile, "action": "places"}
    page = app.test_client().post(path, data=form).get_data(as_text=True)
    assert hostile not in page
    form = {**GOOD_FORM, "location.subdivision": hostile, "backup.callback_phone": "x"}
    page = app.test_client().post(path, data=form).get_data(as_text=True)
    assert hostile not in page
