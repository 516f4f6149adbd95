"""From a verified webhook to a session's continuity record and the protocol's prompts.

The edge stores the raw request (one statement; the row is its own work item) and answers;
the worker normalises it, matches it to a session, stores the events and re-folds the session.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Insert,
    Select,
    Table,
    Text,
    bindparam,
    exists,
    insert,
    inspect,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, defer

from teleframe import tasks
from teleframe.db import fair, outbox
from teleframe.db.upsert import insert_new
from teleframe.models import (
    InboundEvent,
    Integration,
    SessionEvent,
    TherapySession,
)
from teleframe.models.base import EncryptedJSON, utcnow
from teleframe.operations.continuity import lock_sessions, refold
from teleframe.operations.parking import fail_inbound, isolated, park_inbound
from teleframe.services import parking, secret_rotation
from teleframe.services.providers import PROVIDERS, Event, InboundRequest, PayloadInvalid

BATCH = 100
# a recurring meeting id is reused: match the session scheduled nearest the event
MATCH_WINDOW = timedelta(hours=12)


@dataclass(frozen=True)
class HookTarget:
    """What the edge needs of an integration; small enough to cache between requests."""

    id: uuid.UUID
    practice_id: uuid.UUID
    provider: str
    secret: str
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None
    disabled: bool = False

    @classmethod
    def of(cls, integration: Integration) -> HookTarget:
        return cls(
            integration.id,
            integration.practice_id,
            integration.provider,
            integration.secret,
            integration.previous_secret,
            integration.previous_secret_until,
            integration.disabled_at is not None,
        )

    def secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets a hook may be signed with at `now`: during a rotation's overlap, two."""
        return secret_rotation.active_secrets(
            self.secret, self.previous_secret, self.previous_secret_until, now
        )


STAGED_COLUMNS = (
    "id",
    "practice_id",
    "integration_id",
    "provider",
    "dedupe_key",
    "room_id",
    "url",
    "request",
    "received_at",
)


@cache
def _stage_statement() -> Insert:
    """Built once per process: the raw request inserted only while its integration is enabled
    (the edge's copy may be a few seconds old), its id returned."""
    table = cast(Table, InboundEvent.__table__)
    enabled = exists().where(
        Integration.id == bindparam("integration_id"), Integration.disabled_at.is_(None)
    )
    chosen = select(*(bindparam(name, type_=table.c[name].type) for name in STAGED_COLUMNS))
    return (
        insert(table).from_select(list(STAGED_COLUMNS), chosen.where(enabled)).returning(table.c.id)
    )


def stage_inbound(
    connection: Connection, integration: HookTarget, request: InboundRequest
) -> outbox.Kick | None:
    """The edge's one durable write: the raw request, itself the work item (unprocessed until
    a worker takes it). Returns the wake-up to publish once the write is committed (beat
    sweeps too), or None when the integration is disabled (nothing written).
    A repeat of a stored event raises IntegrityError (its dedupe key)."""
    provider = PROVIDERS[integration.provider]
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "practice_id": integration.practice_id,
        "integration_id": integration.id,
        "provider": integration.provider,
        "dedupe_key": provider.dedupe_key(request),
        "room_id": provider.room_id(request),
        "url": request.url,
        "request": {"headers": dict(request.headers), "body": request.body.decode("latin-1")},
        "received_at": utcnow(),
    }
    if connection.execute(_stage_statement(), values).first() is None:
        return None
    return outbox.Kick(uuid.uuid4(), tasks.INGEST_EVENT, [str(values["id"])])


def _raw_requests(session: Session, rows: Sequence[InboundEvent]) -> dict[uuid.UUID, str]:
    """The claimed rows' stored requests in one query, still encrypted: each is decrypted
    alone (`_as_request`), where one that no longer decrypts fails alone. (Loading the
    deferred column row by row cost a SELECT and an autoflush per webhook: three quarters
    of the ingest worker's time in the profile.)"""
    if not rows:
        return {}
    stored = type_coerce(InboundEvent.request, Text)  # the ciphertext, not decrypted here
    found = session.execute(
        select(InboundEvent.id, stored).where(InboundEvent.id.in_([row.id for row in rows]))
    )
    return {row_id: text for row_id, text in found if text is not None}


def _as_request(inbound: InboundEvent, encrypted: str, dialect: Any) -> InboundRequest:
    raw: dict[str, Any] = EncryptedJSON().process_result_value(encrypted, dialect)
    return InboundRequest(
        url=inbound.url, headers=raw["headers"], body=raw["body"].encode("latin-1")
    )


def match_session(
    session: Session, practice_id: uuid.UUID, provider: str, room_id: str | None, at: datetime
) -> uuid.UUID | None:
    """The id of the practice's session in that room scheduled nearest `at` (within the
    window); ids and start times only, not whole sessions (a tenth of a small round)."""
    if not room_id:
        return None
    candidates = session.execute(
        _match_statement(),
        {
            "practice_id": practice_id,
            "provider": provider,
            "room_id": room_id,
            "earliest": at - MATCH_WINDOW,
            "latest": at + MATCH_WINDOW,
        },
    ).all()
    nearest = min(candidates, key=lambda row: abs(row[1] - at), default=None)
    return nearest[0] if nearest is not None else None


@cache
def _match_statement() -> Select[uuid.UUID, datetime]:
    return select(TherapySession.id, TherapySession.scheduled_start).where(
        TherapySession.practice_id == bindparam("practice_id"),
        TherapySession.video_provider == bindparam("provider"),
        TherapySession.video_room_id == bindparam("room_id"),
        TherapySession.scheduled_start >= bindparam("earliest"),
        TherapySession.scheduled_start <= bindparam("latest"),
    )


@dataclass(frozen=True)
class Matched:
    """A stored webhook read and matched to its session, its events not stored yet."""

    inbound: InboundEvent
    session_id: uuid.UUID
    events: list[Event]


def match_inbound(
    session: Session,
    inbound: InboundEvent,
    matches: dict[Any, Any],
    now: datetime,
    encrypted: str,
) -> Matched | None:
    """Normalise one raw webhook (`encrypted`: its stored request, from `_raw_requests`) and
    find its session; stores nothing (the caller locks the session first).

    `matches` remembers room lookups within a batch: one session's webhooks arrive together.
    A body the provider cannot read is parked at once: reading it again cannot help.
    """
    inbound.processed_at = now
    try:
        request = _as_request(inbound, encrypted, session.get_bind().dialect)
        events = PROVIDERS[inbound.provider].normalize(request)
    except PayloadInvalid as error:
        park_inbound(inbound, parking.reason(error), inbound.processed_at, outcome="invalid")
        return None
    if not events:
        inbound.outcome = "ignored"
        return None
    key = (inbound.practice_id, inbound.provider, inbound.room_id, events[0].occurred_at.date())
    if key not in matches:
        matches[key] = match_session(
            session, inbound.practice_id, inbound.provider, inbound.room_id, events[0].occurred_at
        )
    target = matches[key]
    if target is None:
        inbound.outcome = "unmatched"
        return None
    inbound.outcome, inbound.session_id = "matched", target
    return Matched(inbound, target, events)


def claim_inbound(
    session: Session, limit: int, now: datetime, first: uuid.UUID | None = None
) -> list[InboundEvent]:
    """Stored webhooks not yet processed (nor waiting out a retry), `first` leading, then
    round-robin across practices, oldest first within each."""
    return _inbound_claim().claim(session, limit, {"now": now}, first=first)


@cache
def _inbound_claim() -> fair.FairClaim[InboundEvent]:
    waiting = (
        InboundEvent.processed_at.is_(None),
        or_(InboundEvent.retry_at.is_(None), InboundEvent.retry_at <= bindparam("now")),
    )
    # the raw request is read for the batch and decrypted per row (`_raw_requests`)
    deferred = [defer(InboundEvent.request)]
    return fair.FairClaim(InboundEvent, waiting, InboundEvent.received_at, options=deferred)


def ingest_staged(
    session: Session, *, limit: int = BATCH, now: datetime, first: uuid.UUID | None = None
) -> int:
    """Process up to `limit` stored webhooks and re-fold each session they touch once, in the
    caller's transaction. Returns how many rows it claimed (0: nothing was waiting).

    The sessions are locked (in id order) before their events are inserted: the insert's
    foreign key takes a key-share lock on the session row, and taking that before the row
    lock is what let two workers deadlock. Each webhook, and each session's re-fold, rolls
    back alone when it fails (a savepoint): its webhooks are tried again with backoff and then
    parked; the rest of the batch goes on.
    """
    inbound = claim_inbound(session, limit, now, first)
    stored_requests = _raw_requests(session, inbound)
    matches: dict[Any, Any] = {}

    def read(rows: Sequence[InboundEvent]) -> list[Matched]:
        found = [
            match_inbound(session, item, matches, now, stored_requests[item.id]) for item in rows
        ]
        return [item for item in found if item is not None]

    matched, failed = isolated(session, inbound, read)
    locked = {s.id: s for s in lock_sessions(session, {item.session_id for item in matched})}

    def store(items: Sequence[Matched]) -> list[Matched]:
        for item in items:
            if item.session_id in locked:  # not deleted meanwhile
                store_events(
                    session,
                    locked[item.session_id],
                    item.events,
                    inbound_id=item.inbound.id,
                    received_at=item.inbound.received_at,
                )
        return list(items)

    stored, unstored = isolated(session, matched, store)
    failed += [(unread.inbound, error) for unread, error in unstored]
    touched: dict[uuid.UUID, list[InboundEvent]] = {}
    for done in stored:
        touched.setdefault(done.session_id, []).append(done.inbound)

    def fold(sessions: Sequence[TherapySession]) -> list[None]:
        for therapy_session in sessions:
            refold(session, therapy_session, now=now)
        return []

    folding = [locked[session_id] for session_id in sorted(touched) if session_id in locked]
    _, unfolded = isolated(session, folding, fold)
    for therapy_session, error in unfolded:
        failed += [(item, error) for item in touched[therapy_session.id]]
    _reread(session, [item for item, _ in failed])
    for item, error in failed:
        fail_inbound(item, error, now)
    return len(inbound)


def _reread(session: Session, rows: Sequence[InboundEvent]) -> None:
    """Rows whose savepoint rolled back are expired, and the first attribute read would load
    every column, the raw request too: one that no longer decrypts would then fail the whole
    batch, and every batch after it. Read again without it."""
    # the identity map's keys: reading `row.id` would load the row
    ids = [identity[0] for row in rows if (identity := inspect(row).identity) is not None]
    if ids:
        session.execute(
            select(InboundEvent)
            .where(InboundEvent.id.in_(ids))
            .options(defer(InboundEvent.request))
            .execution_options(populate_existing=True)
        ).all()


def store_events(
    session: Session,
    therapy_session: TherapySession,
    events: list[Event],
    *,
    inbound_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> None:
    """Insert, skipping any whose dedupe key the session already has (duplicates are normal)."""
    rows = [
        {
            "id": uuid.uuid4(),
            "practice_id": therapy_session.practice_id,
            "session_id": therapy_session.id,
            "kind": event.kind,
            "occurred_at": event.occurred_at,
            "received_at": event.received_at or received_at or utcnow(),
            "provider": event.provider,
            "dedupe_key": event.dedupe_key,
            "participant_key": event.participant_key,
            "connection_key": event.connection_key,
            "role": event.role,
            "reason": event.reason,
            "modality": event.modality,
            "note": event.note,
            "inbound_event_id": inbound_id,
        }
        for event in events
    ]
    insert_new(session, SessionEvent, rows, unique=["session_id", "dedupe_key"])
