"""Retention in the database: delete the records of clients past `services.retention`'s date.

The only deletion the report trigger allows, through a transaction-local setting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import audit
from teleframe.models import (
    CheckIn,
    Client,
    Evaluation,
    OutboxMessage,
    Practice,
    ReportVersion,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.operations.parking import isolated, park_message
from teleframe.services.retention import Retention, add_years, retention_ends


def enforce_retention(session: Session, now: datetime | None = None) -> int:
    """Delete the report versions, check-ins and evaluations of clients whose records are past
    retention, one transaction per client, with an audit event per session. Commits.

    A client whose date cannot be worked out (a birth date in the year 9990) is parked with
    its reason for the practice's admin, and the sweep goes on with everyone else."""
    moment = now or utcnow()
    today = moment.date()
    actor = audit.system_actor(tasks.ENFORCE_RETENTION)
    deleted = 0
    for practice in list(session.scalars(select(Practice))):
        parked = _parked_clients(session, practice.id)
        for client_id, first, last in _clients_served_before(session, practice, today):
            if str(client_id) in parked:
                continue
            expire = partial(_expire_clients, session, practice, today, actor)
            counts, failed = isolated(session, [(client_id, first, last)], expire)
            deleted += sum(counts)
            for (failed_id, _, _), error in failed:
                args = [str(failed_id)]
                park_message(session, practice.id, tasks.ENFORCE_RETENTION, args, error, moment)
            session.commit()
    return deleted


ServedClient = tuple[uuid.UUID, datetime, datetime]


def _expire_clients(
    session: Session,
    practice: Practice,
    today: date,
    actor: audit.Actor,
    served: Sequence[ServedClient],
) -> list[int]:
    return [_expire_client(session, practice, today, actor, *item) for item in served]


def _expire_client(
    session: Session,
    practice: Practice,
    today: date,
    actor: audit.Actor,
    client_id: uuid.UUID,
    first: datetime,
    last: datetime,
) -> int:
    client = session.get_one(Client, client_id)
    born = date.fromisoformat(client.date_of_birth) if client.date_of_birth else None
    kept = retention_ends(
        first_service=first.date(),
        last_service=last.date(),
        date_of_birth=born,
        years=practice.retention_years,
    )
    if kept.ends_on >= today:
        return 0
    return _delete_client_records(session, practice, client_id, kept, actor)


def _parked_clients(session: Session, practice_id: uuid.UUID) -> set[str]:
    """Clients whose retention is parked: skipped until an admin has looked at them."""
    rows = session.scalars(
        select(OutboxMessage.args).where(
            OutboxMessage.practice_id == practice_id,
            OutboxMessage.task == tasks.ENFORCE_RETENTION,
            OutboxMessage.parked_at.is_not(None),
        )
    )
    return {str(args[0]) for args in rows if args}


def _clients_served_before(
    session: Session, practice: Practice, today: date
) -> list[tuple[uuid.UUID, datetime, datetime]]:
    """Clients whose last session ended more than the retention period ago (a cheap filter;
    the minor rule is applied per client, since birth dates are encrypted)."""
    cutoff = datetime.combine(add_years(today, -practice.retention_years), datetime.min.time(), UTC)
    rows = session.execute(
        select(
            TherapySession.client_id,
            func.min(TherapySession.scheduled_start),
            func.max(TherapySession.scheduled_end),
        )
        .where(TherapySession.practice_id == practice.id)
        .group_by(TherapySession.client_id)
        .having(func.max(TherapySession.scheduled_end) < cutoff)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def _allow_retention_delete(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("teleframe.retention", "on", True)))


def _delete_client_records(
    session: Session,
    practice: Practice,
    client_id: uuid.UUID,
    kept: Retention,
    actor: audit.Actor,
) -> int:
    _allow_retention_delete(session)
    session_ids = session.scalars(
        select(TherapySession.id).where(
            TherapySession.practice_id == practice.id, TherapySession.client_id == client_id
        )
    ).all()
    deleted = 0
    for session_id in session_ids:
        counts = {
            "evaluations": _delete_rows(session, Evaluation, session_id),
            "checkins": _delete_rows(session, CheckIn, session_id),
            "report_versions": _delete_rows(session, ReportVersion, session_id),
        }
        if any(counts.values()):
            audit.record(
                session,
                actor,
                practice_id=practice.id,
                action="delete",
                resource_type="session_records",
                resource_id=session_id,
                detail={**counts, "rule": kept.rule, "retention_years": practice.retention_years},
            )
            deleted += 1
    return deleted


def _delete_rows(session: Session, model: Any, session_id: uuid.UUID) -> int:
    result = session.execute(delete(model).where(model.session_id == session_id))
    return int(getattr(result, "rowcount", 0) or 0)
