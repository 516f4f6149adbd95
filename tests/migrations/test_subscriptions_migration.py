"""0017 gives every existing endpoint its subscription rows, so fan-out by event type finds it."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import create_engine, text

from teleframe import migrations


def test_existing_endpoints_are_subscribed_to_their_event_types(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrations.upgrade(url, "0016")
    engine = create_engine(url)
    practice, endpoint = uuid.uuid4().hex, uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO practices (id, name, created_at) VALUES (:id, 'P', '2026-01-01')"),
            {"id": practice},
        )
        connection.execute(
            text(
                "INSERT INTO webhook_endpoints (id, practice_id, url, event_types, description,"
                " secret, created_at) VALUES (:id, :p, 'https://x.example/h', :types, '', 's',"
                " '2026-01-01')"
            ),
            {"id": endpoint, "p": practice, "types": json.dumps(["frame.blocked", "report.ready"])},
        )
    migrations.upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT event_type, practice_id FROM webhook_subscriptions"
                " WHERE endpoint_id = :id ORDER BY event_type"
            ),
            {"id": endpoint},
        ).all()
    engine.dispose()
    assert [(kind, str(owner)) for kind, owner in rows] == [
        ("frame.blocked", practice),
        ("report.ready", practice),
    ]
