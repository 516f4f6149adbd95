"""Reading parked work touches only parked rows: the /metrics scrape counts them on every
scrape, and a practice pages through them, so neither may scan every outbox row or stored
webhook (which grow with every check-in and event)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import event, text

from teleframe.extensions import db
from teleframe.operations import parked_work


def _plans(app: Any, read: Any) -> list[str]:
    """The query plans, sequential scans disallowed where an index can serve, of every
    statement `read(session)` sends."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            read(db.session)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        connection = db.session.connection()
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plans = []
        for statement, parameters in sent:
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            plans.append("\n".join(row[0] for row in rows))
        db.session.rollback()
    return plans


def _scanned(plans: list[str]) -> set[str]:
    return {name for plan in plans for name in re.findall(r"Seq Scan on (\w+)", plan)}


def test_the_scrape_counts_parked_work_from_the_partial_indexes(app):
    plans = _plans(app, parked_work.parked_counts)
    assert {"outbox", "inbound_events"}.isdisjoint(_scanned(plans)), plans
    joined = "\n".join(plans)
    assert "ix_outbox_parked" in joined and "ix_inbound_events_parked" in joined


def test_a_practice_pages_its_parked_work_from_the_partial_indexes(app):
    plans = _plans(app, lambda session: parked_work.parked_work(session, uuid.uuid4()))
    assert {"outbox", "inbound_events"}.isdisjoint(_scanned(plans)), plans
    joined = "\n".join(plans)
    assert "ix_outbox_parked" in joined and "ix_inbound_events_parked" in joined, plans


def test_the_indexes_hold_only_parked_rows(app):
    with app.app_context():
        found = db.session.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%parked'")
        ).all()
    definitions = dict(found)
    for name in ("ix_outbox_parked", "ix_inbound_events_parked"):
        assert "WHERE (parked_at IS NOT NULL)" in definitions[name]
