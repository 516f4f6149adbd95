"""PostgreSQL engine options that bound every wait on the database.

A stopped server refuses connections at once; a frozen one (SIGSTOP, a hung host) accepts them
and never answers, and a server-side `statement_timeout` cannot fire on a frozen server. So
each bound is set twice: by PostgreSQL (statement and lock timeouts) and by the client
(connect timeout, pool timeout, and a reply deadline on every round trip).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from config.settings import Settings


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection that gives up on a round trip after `reply_timeout` seconds.

    The protocol state after an abandoned reply is unknown, so the connection is closed: the
    pool then discards it (SQLAlchemy treats an error on a closed connection as a disconnect).
    """

    reply_timeout: float = 7.0

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        try:
            return super().wait(gen, interval, self.reply_timeout if timeout is None else timeout)
        except errors._WaitTimeout:
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not reply within {self.reply_timeout:g} s"
            ) from None


def postgresql_engine_options(settings: Settings) -> dict[str, Any]:
    limits = (
        f"-c statement_timeout={settings.db_statement_timeout_ms} "
        f"-c lock_timeout={settings.db_lock_timeout_ms}"
    )
    return {
        "url": settings.database_url,
        # no pre-ping: it costs a round trip per request; recycling bounds stale connections
        "pool_recycle": 300,
        "pool_timeout": settings.db_pool_timeout_seconds,
        "hide_parameters": True,  # a logged SQL error must not carry the row's values
        "connect_args": {"connect_timeout": settings.db_connect_timeout_seconds, "options": limits},
    }


def bound_replies(engine: Engine, settings: Settings) -> None:
    """Open the engine's connections as `BoundedConnection`s."""
    reply_timeout = settings.db_reply_timeout_seconds

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        connection = BoundedConnection.connect(*cargs, **cparams)
        connection.reply_timeout = reply_timeout
        return connection


def dependency_unavailable(error: BaseException) -> bool:
    """The database is down, frozen, restarting or out of connections: worth a retry later,
    and never the fault of the row or request at hand.

    OperationalError covers refused and dropped connections, the timeouts PostgreSQL enforces
    (statement, lock) and the client's reply deadline; TimeoutError is the pool's wait."""
    if isinstance(error, exc.OperationalError | exc.InterfaceError | exc.TimeoutError):
        return True
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated
