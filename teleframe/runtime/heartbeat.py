"""Heartbeats in the broker's Redis: workers and beat say they are alive every few seconds.

One sorted set per queue holds each consuming worker with the time of its last beat (a dead
worker's entry simply ages out); one key holds beat's last tick. Nothing here is PHI.
"""

from __future__ import annotations

import time

import redis

INTERVAL_SECONDS = 2.0
# a process missing this long is down: several missed beats, not one slow one
STALE_SECONDS = 10.0


def redis_url(broker_url: str) -> str:
    """kombu spells a unix socket `redis+socket:///path`; redis-py spells it `unix:///path`."""
    if broker_url.startswith("redis+socket://"):
        return "unix://" + broker_url.removeprefix("redis+socket://")
    return broker_url


def client(broker_url: str) -> redis.Redis:
    """Short timeouts: a heartbeat or a health probe must never hang on a stuck broker."""
    return redis.Redis.from_url(
        redis_url(broker_url), socket_timeout=1.0, socket_connect_timeout=1.0
    )


def _workers_key(queue: str) -> str:
    return f"teleframe:{queue}:heartbeat:workers"


def _beat_key(queue: str) -> str:
    return f"teleframe:{queue}:heartbeat:beat"


def worker_alive(broker: redis.Redis, queue: str, name: str) -> None:
    now = time.time()
    pipe = broker.pipeline()
    pipe.zadd(_workers_key(queue), {name: now})
    pipe.zremrangebyscore(_workers_key(queue), "-inf", now - 60 * STALE_SECONDS)
    pipe.execute()


def worker_gone(broker: redis.Redis, queue: str, name: str) -> None:
    broker.zrem(_workers_key(queue), name)


def beat_alive(broker: redis.Redis, queue: str) -> None:
    broker.set(_beat_key(queue), repr(time.time()), ex=int(60 * STALE_SECONDS))


def workers(broker: redis.Redis, queue: str) -> tuple[int, float | None]:
    """How many workers beat within STALE_SECONDS, and the age of the freshest beat."""
    now = time.time()
    key = _workers_key(queue)
    fresh: list[tuple[bytes, float]] = broker.zrangebyscore(  # type: ignore[assignment]
        key, now - STALE_SECONDS, "+inf", withscores=True
    )
    if not fresh:
        newest: list[tuple[bytes, float]] = broker.zrevrange(key, 0, 0, withscores=True)  # type: ignore[assignment]
        return 0, (now - newest[0][1]) if newest else None
    return len(fresh), now - max(score for _, score in fresh)


def beat_age(broker: redis.Redis, queue: str) -> float | None:
    raw = broker.get(_beat_key(queue))
    return None if raw is None else time.time() - float(raw)
