"""The next session's page starts from the client's last answers where they usually hold."""

from __future__ import annotations

from sqlalchemy import select

from teleframe.extensions import db
from teleframe.models import AuditEvent
from tests.web.forms import GOOD_FORM, new_link
from tests.web.test_checkin_consent import _session_for


def test_location_and_numbers_are_filled_in_from_last_time(app, make_practice):
    practice = make_practice()
    client_id = practice.client()
    first = _session_for(practice, client_id)
    assert app.test_client().post(new_link(practice, first), data=GOOD_FORM).status_code == 303
    second = _session_for(practice, client_id)
    page = app.test_client().get(new_link(practice, second)).get_data(as_text=True)
    assert "Is it still right?" in page
    assert 'value="1200 Lakeshore Ave"' in page and 'value="+15105550123"' in page
    assert '<option value="US-CA" selected>California</option>' in page
    # asked fresh each session: privacy, people present, readiness
    assert 'name="privacy.private_space" value="yes" checked' not in page
    assert 'name="others_present.any" value="yes" checked' not in page
    assert 'name="readiness.good_time_to_proceed" value="yes" checked' not in page
    with app.app_context():
        reads = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.practice_id == practice.id, AuditEvent.actor_type == "client_link"
            )
        ).all()
    assert [event.detail["via"] for event in reads] == ["client_checkin_page"]


def test_another_client_answers_are_never_filled_in(app, make_practice):
    practice = make_practice()
    first = practice.session()
    assert app.test_client().post(new_link(practice, first), data=GOOD_FORM).status_code == 303
    other = make_practice()
    for path in (new_link(practice, practice.session()), new_link(other, other.session())):
        page = app.test_client().get(path).get_data(as_text=True)
        assert "Lakeshore" not in page and "Is it still right?" not in page
