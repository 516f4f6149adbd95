"""A circuit breaker for publishing: once the broker has failed, skip it for a few seconds.

Every staged message is already committed in the outbox, so a skipped publish costs only time
(the relay publishes it when the broker is back), while trying a dead broker on every request
costs each request its connection attempts.
"""

from __future__ import annotations

import threading
import time


class Breaker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, seconds: float) -> None:
        with self._lock:
            self._open_until = max(self._open_until, time.monotonic() + seconds)

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


broker = Breaker()
