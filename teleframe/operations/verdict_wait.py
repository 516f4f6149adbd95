"""Waiting for a check-in's verdict inside one request (`Prefer: wait=N`).

PostgreSQL: the evaluation's transaction NOTIFYs the check-in id; the waiting request LISTENs
on a connection of its own, outside the pool, so a waiter never holds a pool connection idle.
SQLite (embedded mode) has no notifications: the request polls with backoff, giving its
connection back between reads.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.orm import Session

from teleframe.operations.verdict_listener import CHANNEL as CHANNEL
from teleframe.operations.verdict_listener import shared_listener

View = dict[str, Any]


def announce(session: Session, checkin_ids: Sequence[uuid.UUID]) -> None:
    """NOTIFY in the caller's transaction: PostgreSQL sends it only at commit, so a waiter
    never wakes before the verdict is readable, and never for a rolled-back one."""
    if not checkin_ids or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT pg_notify(:channel, id) FROM unnest(CAST(:ids AS text[])) AS id"),
        {"channel": CHANNEL, "ids": [str(checkin_id) for checkin_id in checkin_ids]},
    )


def wait_for_verdict(
    session: Session, read: Callable[[], View | None], checkin_id: uuid.UUID, seconds: int
) -> View | None:
    """`read()` again once the verdict is stored, or after `seconds` at the latest."""
    bind = session.get_bind()
    session.close()  # the pool connection goes back while this request waits
    deadline = time.monotonic() + seconds
    if bind.dialect.name == "postgresql":
        url = bind.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return _listen(url, session, read, str(checkin_id), deadline)
    return _poll(session, read, deadline)


def _listen(
    url: str, session: Session, read: Callable[[], View | None], target: str, deadline: float
) -> View | None:
    """The process's shared listener when it is up (no connection of its own per waiter:
    a connect and a LISTEN cost more than the wait itself at a p50 of a few milliseconds),
    else a connection of this request's own."""
    woken = shared_listener(url).register(target)
    if woken is None:
        return _listen_alone(url, session, read, target, deadline)
    try:
        # read after registering (the listener is LISTENing): a verdict stored in between is
        # seen here, not missed
        view = _read(session, read)
        while view is not None and view["status"] == "pending":
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            # at most a second between reads: a notification lost while the listener
            # reconnects costs a second, not the whole wait
            woken.wait(min(remaining, 1.0))
            woken.clear()
            view = _read(session, read)
        return view
    finally:
        shared_listener(url).unregister(target, woken)


def _listen_alone(
    url: str, session: Session, read: Callable[[], View | None], target: str, deadline: float
) -> View | None:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        # read after LISTEN: a verdict stored in between is seen here, not missed
        view = _read(session, read)
        if view is not None and view["status"] == "pending":
            _until_notified(listener, target, deadline)
            view = _read(session, read)
        return view


def _until_notified(listener: psycopg.Connection[Any], target: str, deadline: float) -> None:
    while (remaining := deadline - time.monotonic()) > 0:
        for note in listener.notifies(timeout=remaining, stop_after=1):
            if note.payload == target:
                return


def _poll(session: Session, read: Callable[[], View | None], deadline: float) -> View | None:
    pause = 0.05
    while True:
        view = _read(session, read)
        remaining = deadline - time.monotonic()
        if view is None or view["status"] != "pending" or remaining <= 0:
            return view
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 1.0)


def _read(session: Session, read: Callable[[], View | None]) -> View | None:
    try:
        return read()
    finally:
        session.close()
