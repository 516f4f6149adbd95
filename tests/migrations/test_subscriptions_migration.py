"""0017 gives every existing endpoint its subscription rows, so fan-out by event type finds it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine, text

from teleframe import migrations
from tests.conftest import PG_ADMIN_URL


@pytest.fixture
def fresh_pg(pg_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own (the run's shared one is already at head)."""
    name = f"teleframe_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_existing_endpoints_are_subscribed_to_their_event_types(tmp_path, request, database):
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("fresh_pg")
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
                "SELECT event_type, CAST(practice_id AS TEXT) FROM webhook_subscriptions"
                " WHERE endpoint_id = :id ORDER BY event_type"
            ),
            {"id": endpoint},
        ).all()
    engine.dispose()
    owners = {str(owner).replace("-", "") for _, owner in rows}
    assert [kind for kind, _ in rows] == ["frame.blocked", "report.ready"]
    assert owners == {practice}
