"""The status page with a real worker: pending, then the client's own words of the verdict."""

from __future__ import annotations

import re

from tests.conftest import wait_for
from tests.web.forms import GOOD_FORM, new_link


def _verdict_page(browser) -> str | None:  # type: ignore[no-untyped-def]
    page = browser.get("/c/status").get_data(as_text=True)
    return None if "Checking…" in page else page


def test_the_status_page_goes_from_checking_to_all_set(app, worker, make_practice):
    practice = make_practice()
    browser = app.test_client()
    response = browser.post(new_link(practice, practice.session()), data=GOOD_FORM)
    assert response.status_code == 303
    first = browser.get("/c/status").get_data(as_text=True)
    assert "Checking…" in first or "You're all set" in first
    page = wait_for(lambda: _verdict_page(browser), timeout=10)
    assert "You're all set" in page
    assert 'http-equiv="refresh"' not in page
    assert 'name="csrf"' in page and 'value="Oakland"' in page
    # the reviewed emergency number and crisis line for where the client is
    assert 'href="tel:911">911</a>' in page
    assert (
        '988 Suicide &amp; Crisis Lifeline, <a class="phone" href="tel:988">988</a> (text 988)'
        in page
    )


def test_the_client_sees_client_messages_never_clinician_notes_or_facts(app, worker, make_practice):
    practice = make_practice()
    session = practice.session()
    browser = app.test_client()
    form = {
        **GOOD_FORM,
        "location.subdivision": "TX",
        "location.locality": "Austin",
        "privacy.private_space": "no",
        "backup.callback_phone": "",
    }
    assert browser.post(new_link(practice, session), data=form).status_code == 303
    page = wait_for(lambda: _verdict_page(browser), timeout=10)
    frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
    evaluation = frame["evaluation"]
    assert evaluation["status"] == "blocked"
    assert "You're all set" not in page
    text = re.sub(r"\s+", " ", page)
    for finding in evaluation["findings"]:
        assert _escaped(finding["message"]) in text
        if finding["clinician_message"] != finding["message"]:
            assert _escaped(finding["clinician_message"]) not in text
        assert finding["code"] not in text
    assert "place_of_service" not in text and "covered_by" not in text
    emergency = evaluation["facts"].get("emergency") or {}
    for key in ("source", "evidence"):  # the numbers are shown, not where they came from
        assert emergency[key] not in text


def _escaped(text: str) -> str:
    from markupsafe import escape

    return re.sub(r"\s+", " ", str(escape(text)))
