"""One broker wake-up per batch of staged work, not one per request.

A check-in's evaluation task drains every staged check-in,
so while one wake-up is published and its drain has not begun, another would only find nothing
left to do. The publisher sets a short-lived flag in the broker's Redis (`SET NX PX`) and
publishes only when it set it; a draining worker clears the flag when a round finds nothing and
claims once more, so a row committed after that claim's snapshot finds no flag and publishes a
wake-up of its own (`drain`). A lost wake-up
costs at most `GATE_MS` of later ones being skipped; the relay re-publishes staged rows anyway.
A drain (`drain`) that stops after its bounded rounds or time with rows left queues its own
sequel.
Brokers other than Redis are not gated (every request publishes, as before).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy.orm import Session

from teleframe import tasks

log = logging.getLogger(__name__)

GATED = frozenset({tasks.EVALUATE_CHECKIN, tasks.INGEST_EVENT})
GATE_MS = 1000
# A drain hands over to its sequel after this long even with rounds left: well inside the task
# time limit (an ingest drain with its re-folds once outlasted it under load, and the rows its
# wake-up had gated then waited for beat's sweep).
DRAIN_SECONDS = 20.0
# A round that found some work but not a full batch waits this long before the next claim, so
# that under load rounds gather several rows: a round costs about 7 ms of worker CPU however
# few rows it holds (README, "Benchmarks"). Idle, the first round runs at once and only the
# drain's end waits.
LINGER_SECONDS = 0.01
_clients: dict[str, redis.Redis | None] = {}
_lock = threading.Lock()


def _client(broker_url: str) -> redis.Redis | None:
    from teleframe.runtime.heartbeat import redis_url

    with _lock:
        if broker_url not in _clients:
            gated = broker_url.startswith(("redis://", "rediss://", "redis+socket://"))
            _clients[broker_url] = (
                redis.Redis.from_url(
                    redis_url(broker_url), socket_timeout=0.5, socket_connect_timeout=0.5
                )
                if gated
                else None
            )
        return _clients[broker_url]


def _key(conf: Any, task: str) -> str:
    return f"teleframe:{conf.task_default_queue}:wake:{task}"


def should_publish(conf: Any, task: str) -> bool:
    """True when no wake-up of this kind is pending (and it is now, for `GATE_MS`)."""
    client = _client(str(conf.broker_url)) if task in GATED else None
    if client is None:
        return True
    try:
        return bool(client.set(_key(conf, task), b"1", nx=True, px=GATE_MS))
    except redis.RedisError:
        return True  # the publish itself decides; the breaker bounds what it costs


def rearm(conf: Any, task: str) -> None:
    """The worker, before its last claim: rows committed from now on publish their own wake-up.
    Also after a failed publish, so the next request tries again."""
    client = _client(str(conf.broker_url)) if task in GATED else None
    if client is None:
        return
    try:
        client.delete(_key(conf, task))
    except redis.RedisError:
        log.warning("could not clear the %s wake-up flag; it expires in %d ms", task, GATE_MS)


def continue_later(session: Session, task: str) -> None:
    """A drain that stopped after its rounds with work still waiting queues its own sequel:
    the requests whose rows it left were gated by its wake-up and published none."""
    from teleframe.db import outbox

    outbox.publish(outbox.relay_of(session), [outbox.Kick(uuid.uuid4(), task, [])])


def drain(
    session: Session,
    task: str,
    sequel: str,
    claim_round: Callable[[uuid.UUID | None], int],
    batch: int,
    rounds: int,
    first: uuid.UUID | None = None,
) -> int:
    """What a wake-up of `task` runs: rounds of `claim_round` (each claims up to `batch` rows,
    `first` in the first round, and is committed) until the work runs out.

    While rounds find work the wake-up's flag stays set, so requests staging rows meanwhile
    publish nothing: their rows are this drain's next rounds (or, once the flag expires after
    `GATE_MS`, a second worker's too). A round that finds nothing clears the flag and claims
    once more, which sees every row committed before the clear; when that one finds nothing as
    well, the drain ends, and rows committed after the clear publish a wake-up of their own.
    Clearing before every claim instead cost a broker message and a task (about 1.5 ms of
    worker CPU) per few rows under load. After `rounds` rounds or `DRAIN_SECONDS`, `sequel` is
    queued for the rest."""
    done = 0
    started = time.monotonic()
    conf = _relay_conf(session)
    cleared = False  # the flag was cleared and no round has found work since
    for _ in range(rounds):
        claimed = claim_round(first)
        session.commit()
        done, first = done + claimed, None
        if claimed == 0:
            if cleared:
                return done
            rearm(conf, task)  # before the next claim's snapshot: later rows wake us again
            cleared = True
            continue
        cleared = False
        if time.monotonic() - started > DRAIN_SECONDS:
            break
        if claimed < batch:
            time.sleep(LINGER_SECONDS)
    continue_later(session, sequel)  # more may be waiting; the wake-ups were spent
    return done


def _relay_conf(session: Session) -> Any:
    from teleframe.db import outbox

    return outbox.relay_of(session).celery.conf
