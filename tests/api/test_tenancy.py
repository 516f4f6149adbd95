"""A key of practice A never sees or changes anything of practice B: it gets 404."""

from __future__ import annotations

from tests.samples import GOOD_CHECKIN


def test_another_practices_objects_answer_404(make_practice):
    a, b = make_practice("A"), make_practice("B")
    clinician, client_id, session = b.clinician(), b.client(), b.session()
    for path in (
        f"/v1/clinicians/{clinician}",
        f"/v1/clients/{client_id}",
        f"/v1/sessions/{session}",
        f"/v1/sessions/{session}/frame",
    ):
        assert b.get(path).status_code == 200, path
        response = a.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_cannot_check_in_to_another_practices_session(app, make_practice):
    from sqlalchemy import func, select

    from teleframe.extensions import db
    from teleframe.models import CheckIn

    a, b = make_practice("A"), make_practice("B")
    session = b.session()
    assert a.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).status_code == 404
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.session_id == session)
        )
    assert stored == 0


def test_cannot_schedule_with_another_practices_clinician_or_client(make_practice):
    a, b = make_practice("A"), make_practice("B")
    response = a.post(
        "/v1/sessions",
        {
            "clinician_id": b.clinician(),
            "client_id": b.client(),
            "scheduled_start": "2026-12-01T17:00:00Z",
            "scheduled_end": "2026-12-01T17:50:00Z",
        },
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"clinician_id", "client_id"}


def test_session_list_shows_only_own_sessions(make_practice):
    a, b = make_practice("A"), make_practice("B")
    mine = a.session(start="2026-12-02T17:00:00+00:00")
    b.session(start="2026-12-02T17:00:00+00:00")
    listed = a.get("/v1/sessions?date=2026-12-02").get_json()
    assert [item["id"] for item in listed] == [mine]
