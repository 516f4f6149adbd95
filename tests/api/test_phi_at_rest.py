"""PHI columns are ciphertext in the database: a dump shows no names, places or numbers."""

from __future__ import annotations

from sqlalchemy import text

from teleframe.extensions import db
from tests.samples import GOOD_CHECKIN


def test_checkin_and_client_identity_are_encrypted_in_postgres(app, make_practice):
    practice = make_practice()
    session = practice.session()
    assert practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN).status_code == 202
    with app.app_context():
        raw_checkins = (
            db.session.execute(
                text("SELECT data FROM checkins WHERE session_id = :s"), {"s": session}
            )
            .scalars()
            .all()
        )
        raw_clients = (
            db.session.execute(
                text("SELECT identity FROM clients WHERE practice_id = :p"), {"p": practice.id}
            )
            .scalars()
            .all()
        )
    dump = " ".join(raw_checkins + raw_clients)
    for secret in ("Oakland", "Lakeshore", "5105550123", "Alex Client", "Sam Client", "1990-04-02"):
        assert secret not in dump
    # and the API still reads them back
    frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
    assert frame["checkin"]["location"]["locality"] == "Oakland"


def test_reads_of_phi_are_audited(app, make_practice):
    from sqlalchemy import select

    from teleframe.models import AuditEvent

    practice = make_practice()
    session = practice.session()
    practice.post(f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
    checkin_id = practice.get(f"/v1/sessions/{session}/frame").get_json()["checkin"]["id"]
    client_id = practice.client()
    practice.get(f"/v1/clients/{client_id}")
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.practice_id == practice.id)
        ).all()
    seen = {(row.action, row.resource_type, row.resource_id) for row in rows}
    assert ("read", "checkin", checkin_id) in seen
    assert ("read", "client", client_id) in seen
    assert all(row.actor_type == "api_key" and row.actor_id for row in rows)


def test_reported_event_free_text_is_a_code_or_an_encrypted_note(app, make_practice):
    practice = make_practice()
    session = practice.session()
    events = f"/v1/sessions/{session}/events"
    leaked = {"modality": "phone", "reason": "Called +15105550123 at home"}
    refused = practice.post(events, {"type": "modality.changed", "data": leaked})
    assert refused.status_code == 422
    assert "reason" in str(refused.get_json()["errors"])
    said = {
        "modality": "phone",
        "reason": "other",
        "note": "Called +15105550123, Sam's mother answered",
        "participant_key": "Sam Client",
    }
    accepted = practice.post(events, {"type": "modality.changed", "data": said})
    assert accepted.status_code == 202, accepted.get_json()
    with app.app_context():
        rows = db.session.execute(
            text("SELECT * FROM session_events WHERE session_id = :s"), {"s": session}
        ).all()
    dump = " ".join(str(value) for row in rows for value in row)
    for secret in ("5105550123", "Sam", "mother"):
        assert secret not in dump
    listed = practice.get(events).get_json()
    assert listed[0]["reason"] == "other" and "Sam" not in str(listed)


def test_the_event_schema_is_documented(client):
    spec = client.get("/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    data = next(s for name, s in schemas.items() if name.startswith("EventData"))
    assert "client_not_capable" in data["properties"]["reason"]["enum"]
    assert {"participant_key", "role", "modality", "reason", "note"} <= set(data["properties"])
