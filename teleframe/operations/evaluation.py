"""Loading what an evaluation needs, running the pure policy check, storing the verdict."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from cachetools import LRUCache
from sqlalchemy import Select, Table, bindparam, exists, insert, select
from sqlalchemy.orm import Session

from teleframe import tasks
from teleframe.db import outbox
from teleframe.models import (
    CheckIn,
    Client,
    Clinician,
    Evaluation,
    OutboxMessage,
    PolicyVersion,
    TherapySession,
)
from teleframe.models.base import utcnow
from teleframe.operations.frame import latest_checkin_id
from teleframe.operations.notification import emit_all, outbound_row
from teleframe.operations.parking import fail_message, isolated
from teleframe.operations.policy import current_version_id, session_policy
from teleframe.operations.verdict_wait import announce
from teleframe.runtime import metrics
from teleframe.services import evaluation as engine
from teleframe.services import policy as policy_doc
from teleframe.services.outbound import evaluation_events
from teleframe.services.reference import ReferenceData, load_reference
from teleframe.services.session_state import Trigger, advance


def clinician_facts(clinician: Clinician) -> engine.ClinicianFacts:
    return engine.ClinicianFacts(
        home_jurisdiction=clinician.home_jurisdiction,
        licenses=tuple(
            engine.LicenceFacts(
                jurisdiction=item["jurisdiction"],
                kind=item.get("kind", ""),
                number=item.get("number", ""),
                expires_on=date.fromisoformat(item["expires_on"])
                if item.get("expires_on")
                else None,
                profession=item.get("profession"),
                compact=item.get("compact"),
            )
            for item in clinician.licenses
        ),
        compacts=tuple(clinician.compacts),
    )


def session_facts(therapy_session: TherapySession, client: Client) -> engine.SessionFacts:
    born = client.date_of_birth
    return engine.SessionFacts(
        scheduled_start=therapy_session.scheduled_start,
        scheduled_end=therapy_session.scheduled_end,
        client_date_of_birth=date.fromisoformat(born) if born else None,
    )


@dataclass(frozen=True)
class PolicyInUse:
    version_id: uuid.UUID
    compiled: policy_doc.CompiledPolicy
    reference: ReferenceData


# Versions never change once stored, so a worker compiles each one once.
_policies: LRUCache[uuid.UUID, PolicyInUse] = LRUCache(maxsize=256)
_policies_lock = threading.Lock()


def _in_use(version: PolicyVersion) -> PolicyInUse:
    with _policies_lock:
        cached = _policies.get(version.id)
        if cached is None:
            cached = _policies[version.id] = PolicyInUse(
                version.id,
                policy_doc.compile_policy(version.document),
                load_reference(version.document.get("reference_overrides")),
            )
    return cached


def pinned_policy(
    session: Session,
    therapy_session: TherapySession,
    current: dict[uuid.UUID, uuid.UUID | None] | None = None,
) -> PolicyInUse:
    """The session's policy, compiled once per worker; the first evaluation pins it.
    `current` remembers each practice's current version id for a batch: a session's first
    evaluation then costs no query when that version is already compiled here."""
    pinned = therapy_session.policy_version_id
    if pinned is None and current is not None:
        practice_id = therapy_session.practice_id
        if practice_id not in current:
            current[practice_id] = current_version_id(session, practice_id)
        pinned = current[practice_id]
    if pinned is not None:
        with _policies_lock:
            cached = _policies.get(pinned)
        if cached is not None:
            therapy_session.policy_version_id = pinned
            return cached
    return _in_use(session_policy(session, therapy_session, pin=True))


Loaded = tuple[CheckIn, TherapySession, Clinician, Client]
BATCH = 50


@dataclass(frozen=True)
class Staged:
    """A claimed check-in with what it is evaluated against, whether it is its session's
    current check-in, and whether an earlier round already stored its evaluation."""

    loaded: Loaded
    is_latest: bool
    done: bool


@cache
def _load_statement() -> Select[CheckIn, TherapySession, Clinician, Client, uuid.UUID, bool]:
    """Built once per process: building it cost a tenth of a small round."""
    return (
        select(
            CheckIn,
            TherapySession,
            Clinician,
            Client,
            latest_checkin_id(),
            exists().where(Evaluation.checkin_id == CheckIn.id),
        )
        .join(TherapySession, TherapySession.id == CheckIn.session_id)
        .join(Clinician, Clinician.id == TherapySession.clinician_id)
        .join(Client, Client.id == TherapySession.client_id)
        .where(CheckIn.id.in_(bindparam("checkin_ids", expanding=True)))
        .order_by(TherapySession.id, CheckIn.submitted_at)
        .with_for_update(of=TherapySession, key_share=True)  # see continuity.lock_sessions
        .execution_options(populate_existing=True)
    )


def _load(session: Session, checkin_ids: list[uuid.UUID]) -> list[Staged]:
    """Everything the evaluations read, in one round trip (the current check-in of each
    session and the evaluations already stored were two more per round). The sessions stay
    locked, taken in id order (as everywhere) so that two workers never wait on each other
    crosswise."""
    rows = session.execute(_load_statement(), {"checkin_ids": checkin_ids}).all()
    return [
        Staged((row[0], row[1], row[2], row[3]), is_latest=row[4] == row[0].id, done=row[5])
        for row in rows
    ]


def _verdict(
    session: Session,
    loaded: Loaded,
    *,
    is_latest: bool,
    current: dict[uuid.UUID, uuid.UUID | None] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The evaluation row of one check-in and the events it emits; applies it to the
    session."""
    checkin, therapy_session, clinician, client = loaded
    policy = pinned_policy(session, therapy_session, current)
    verdict = engine.evaluate(
        checkin.data,
        session_facts(therapy_session, client),
        clinician_facts(clinician),
        policy.compiled,
        policy.reference,
        submitted_at=checkin.submitted_at,
    ).to_dict()
    evaluation = {
        "id": uuid.uuid4(),
        "practice_id": checkin.practice_id,
        "session_id": therapy_session.id,
        "checkin_id": checkin.id,
        "policy_version_id": policy.version_id,
        "status": verdict["status"],
        "findings": verdict["findings"],
        "facts": verdict["facts"],
        "evaluated_at": utcnow(),
    }
    emitted = evaluation_events(
        str(checkin.id),
        checkin.submitted_at,
        verdict["status"],
        (finding["code"] for finding in verdict["findings"]),
        is_latest=is_latest,
    )
    if is_latest:
        therapy_session.frame_status = verdict["status"]
        move = advance(therapy_session.state, Trigger.checkin_evaluated)
        therapy_session.state = move.after.value
    events = [outbound_row(therapy_session, event) for event in emitted]
    return evaluation, events


def evaluate_staged(
    session: Session,
    *,
    limit: int = BATCH,
    now: datetime | None = None,
    first: uuid.UUID | None = None,
) -> int:
    """Evaluate up to `limit` staged check-ins in the caller's transaction, marking their
    outbox rows done with them; `first` (a task's own outbox row) leads, then the claim goes
    round-robin across practices. Returns how many rows it claimed (0: nothing was waiting).

    At top-of-the-hour load this turns a round trip per statement per check-in into a round
    trip per statement per batch; a check-in whose evaluation fails rolls back alone (its own
    savepoint), is tried again with backoff and then parked, and the others are stored.
    """
    now = now or utcnow()
    claimed = outbox.claim_staged(session, tasks.EVALUATE_CHECKIN, limit, now=now, first=first)
    if not claimed:
        return 0
    by_checkin: dict[uuid.UUID, list[OutboxMessage]] = {}
    for message in claimed:
        by_checkin.setdefault(_checkin_id(message), []).append(message)
    ids = list(by_checkin)
    # a row that cannot even be read (a check-in that no longer decrypts) fails alone too
    readable, unreadable = isolated(session, ids, lambda group: _load(session, list(group)))
    waiting = [row for row in readable if not row.done]
    loaded = [row.loaded for row in waiting]
    latest = {row.loaded[0].id for row in waiting if row.is_latest}

    current: dict[uuid.UUID, uuid.UUID | None] = {}  # practice -> current policy version

    def store(rows: Sequence[Loaded]) -> list[None]:
        events: list[dict[str, Any]] = []
        evaluations: list[dict[str, Any]] = []
        for row in rows:
            evaluation, emitted = _verdict(
                session, row, is_latest=row[0].id in latest, current=current
            )
            evaluations.append(evaluation)
            events.extend(emitted)
        session.flush()
        # Core executemany: one short statement text, pipelined by psycopg. The ORM's
        # multi-row VALUES was too long for psycopg's query cache and was re-parsed per batch
        # (a fifth of the worker's time in the profile).
        session.execute(insert(cast(Table, Evaluation.__table__)), evaluations)
        emit_all(session, events)
        return []

    _, failed_rows = isolated(session, loaded, store)
    failed = [(row[0].id, error) for row, error in failed_rows] + unreadable
    for checkin_id, error in failed:
        for message in by_checkin[checkin_id]:
            fail_message(message, error, now)
    failed_ids = {checkin_id for checkin_id, _ in failed}
    stored = [row[0] for row in loaded if row[0].id not in failed_ids]
    announce(session, [checkin.id for checkin in stored])
    metrics.verdicts_stored(session, (checkin.submitted_at for checkin in stored))
    outbox.mark_all_done(session, [m for m in claimed if _checkin_id(m) not in failed_ids])
    return len(claimed)


def _checkin_id(message: OutboxMessage) -> uuid.UUID:
    try:
        return uuid.UUID(str(message.args[0]))
    except (IndexError, ValueError):
        return uuid.UUID(int=0)  # names no check-in: marked done with the batch
