"""The check-in POST on PostgreSQL: one statement (`operations.checkin_accept`), then one wake-up.

With no transaction open (the usual case: the key was cached, no Idempotency-Key) the statement
runs in autocommit on its own connection and the evaluation is published at once; inside the
request's transaction it joins it, and the outbox publishes on that transaction's commit.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask_smorest import abort

from teleframe.api.auth import current_practice_id, reauthenticate, refuse_key
from teleframe.db import outbox
from teleframe.db.queries import not_found
from teleframe.extensions import db
from teleframe.operations.checkin import closed_message
from teleframe.operations.checkin_accept import Accepted, accept


def _run(data: dict[str, Any], session_id: uuid.UUID) -> Accepted:
    arguments: dict[str, Any] = {
        "practice_id": current_practice_id(),
        "session_id": session_id,
        "generation": g.key_generation,
        "answers": data,
        "source": "api",
        "relay": outbox.relay_of(db.session),
    }
    if db.session.in_transaction():
        accepted = accept(db.session.connection(), **arguments)
        if accepted.outbox is not None:
            outbox.stage_kick(db.session, accepted.outbox)
        return accepted
    with db.engine.connect() as connection:
        accepted = accept(connection.execution_options(isolation_level="AUTOCOMMIT"), **arguments)
    if accepted.outbox is not None:
        outbox.publish(arguments["relay"], [accepted.outbox])
    return accepted


def accept_checkin(session_id: uuid.UUID, data: dict[str, Any]) -> uuid.UUID:
    """The stored check-in's id, or a 401 (key revoked), 404 or 409 problem."""
    accepted = _run(data, session_id)
    if accepted.generation != g.key_generation:
        # some key of the practice was revoked since this process cached the grant
        if not reauthenticate():
            refuse_key()
        accepted = _run(data, session_id)
        if accepted.generation != g.key_generation:
            refuse_key()
    if accepted.state is None:
        not_found("session")
    if accepted.checkin_id is None:
        abort(409, message=closed_message(accepted.state))
        raise AssertionError("abort() raises")
    return accepted.checkin_id
