"""The check-in POST's hot path on PostgreSQL: one statement, no ORM.

Checking the caller's key generation, finding the session in the caller's practice, checking
that check-ins are open, and inserting the check-in and its outbox row are one round trip: a
statement of data-modifying CTEs. Outside a transaction it is sent in autocommit, so it is its
own transaction (no BEGIN, no COMMIT round trips); inside one (an Idempotency-Key claimed, a
key looked up) it joins it. The profile before: five round trips and the unit of work's flush
(README, "Benchmarks"). SQLite (the embedded default) keeps the ORM path in `checkin.submit`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, exists, insert, literal, select
from sqlalchemy.engine import Connection

from teleframe import tasks
from teleframe.db import outbox
from teleframe.models import CheckIn, OutboxMessage, Practice, TherapySession
from teleframe.models.base import EncryptedJSON, JSONDocument, utcnow
from teleframe.operations.checkin import CLOSED_STATES


@dataclass(frozen=True)
class Accepted:
    """What the statement found: `generation` None means the practice is gone; `state` None
    means no such session in the practice; `checkin_id` None means nothing was written."""

    generation: int | None
    state: str | None
    checkin_id: uuid.UUID | None
    outbox: outbox.Kick | None


@cache
def _statement() -> Select[Any]:
    """Built once per process (SQLAlchemy also caches its compiled form)."""
    practices, sessions = Practice.__table__, TherapySession.__table__
    checkins, messages = CheckIn.__table__, OutboxMessage.__table__
    practice_id = bindparam("practice_id", type_=practices.c.id.type)
    generation = (
        select(practices.c.key_generation).where(practices.c.id == practice_id).cte("generation")
    )
    target = (
        select(sessions.c.id, sessions.c.state)
        .where(sessions.c.id == bindparam("session_id"), sessions.c.practice_id == practice_id)
        .cte("target")
    )
    writable = (
        select(target.c.id)
        .where(
            target.c.state.not_in([state.value for state in CLOSED_STATES]),
            exists().where(generation.c.key_generation == bindparam("generation")),
        )
        .cte("writable")
    )
    checkin = (
        insert(cast(Table, checkins))
        .from_select(
            ["id", "practice_id", "session_id", "data", "source", "submitted_at"],
            select(
                bindparam("checkin_id", type_=checkins.c.id.type),
                practice_id,
                writable.c.id,
                bindparam("data", type_=EncryptedJSON()),
                bindparam("source", type_=checkins.c.source.type),
                bindparam("now", type_=checkins.c.submitted_at.type),
            ).select_from(writable),
        )
        .returning(checkins.c.id)
        .cte("checkin")
    )
    staged = (
        insert(cast(Table, messages))
        .from_select(
            [
                *("id", "practice_id", "task", "args", "created_at", "next_attempt_at"),
                *("attempts", "failures"),
            ],
            select(
                bindparam("message_id", type_=messages.c.id.type),
                practice_id,
                literal(tasks.EVALUATE_CHECKIN),
                bindparam("args", type_=JSONDocument),
                bindparam("now", type_=messages.c.created_at.type),
                bindparam("next_attempt_at", type_=messages.c.next_attempt_at.type),
                literal(0),
                literal(0),
            ).select_from(checkin),
        )
        .returning(messages.c.id)
        .cte("staged")
    )
    return select(
        select(generation.c.key_generation).scalar_subquery(),
        select(target.c.state).scalar_subquery(),
        select(checkin.c.id).scalar_subquery(),
        select(staged.c.id).scalar_subquery(),
    )


def accept(
    connection: Connection,
    *,
    practice_id: uuid.UUID,
    session_id: uuid.UUID,
    generation: int,
    answers: dict[str, Any],
    source: str,
    relay: outbox.Relay,
    now: datetime | None = None,
) -> Accepted:
    """Store the check-in and its evaluation's outbox row if the key generation is still
    `generation` and the session (in this practice) takes check-ins; one round trip."""
    now = now or utcnow()
    checkin_id, message_id = uuid.uuid4(), uuid.uuid4()
    row = connection.execute(
        _statement(),
        {
            "practice_id": practice_id,
            "session_id": session_id,
            "generation": generation,
            "checkin_id": checkin_id,
            "message_id": message_id,
            "data": answers,
            "source": source,
            "now": now,
            "args": [str(checkin_id)],
            "next_attempt_at": now + relay.wait(),
        },
    ).one()
    written = row[3] is not None
    kick = outbox.Kick(message_id, tasks.EVALUATE_CHECKIN, [str(checkin_id)]) if written else None
    return Accepted(row[0], row[1], checkin_id if written else None, kick)
