"""One LISTEN connection per process, shared by every request waiting for a verdict.

A daemon thread holds the connection and wakes the waiters registered for each announced
check-in id. If the connection fails, every waiter is woken (they read again) and the thread
reconnects after a pause; meanwhile `register` answers None and a waiter listens on its own.
"""

from __future__ import annotations

import logging
import threading

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)
CHANNEL = "teleframe_verdicts"
READY_SECONDS = 5.0  # the first waiter of a process waits this long for the LISTEN at most


class Listener:
    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._waiters: dict[str, set[threading.Event]] = {}
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, target: str) -> threading.Event | None:
        """An event set when `target` is announced; None while the listener is not up."""
        with self._lock:
            starting = self._thread is None or not self._thread.is_alive()
            if starting:
                self._thread = threading.Thread(target=self._run, name="verdicts", daemon=True)
                self._thread.start()
        # a listener reconnecting is not waited for: the waiter listens on its own meanwhile
        if not self._ready.wait(READY_SECONDS if starting else 0):
            return None
        event = threading.Event()
        with self._lock:
            self._waiters.setdefault(target, set()).add(event)
        return event

    def unregister(self, target: str, event: threading.Event) -> None:
        with self._lock:
            waiting = self._waiters.get(target)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[target]

    def _wake(self, target: str | None) -> None:
        with self._lock:
            if target is None:
                events = [event for group in self._waiters.values() for event in group]
            else:
                events = list(self._waiters.get(target, ()))
        for event in events:
            event.set()

    def _run(self) -> None:
        while True:
            was_up = self._ready.is_set()
            try:
                self._listen()
            except Exception as error:  # the database went away: wake everyone, retry
                if was_up:  # once per outage, not once per retry
                    log.warning("verdict listener lost its connection: %s", type(error).__name__)
            self._ready.clear()
            self._wake(None)
            threading.Event().wait(1.0)

    def _listen(self) -> None:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
            self._ready.set()
            while True:
                for note in connection.notifies(timeout=5.0):
                    self._wake(note.payload)


_listeners: dict[str, Listener] = {}
_listeners_lock = threading.Lock()


def shared_listener(url: str) -> Listener:
    with _listeners_lock:
        listener = _listeners.get(url)
        if listener is None:
            listener = _listeners[url] = Listener(url)
        return listener
