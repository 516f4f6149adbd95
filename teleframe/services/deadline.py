"""A total wall-clock deadline for one outbound request.

Socket timeouts apply per read: a receiver answering one byte every 8 s never trips a 10 s
read timeout and can hold a worker for minutes. A watchdog thread shuts the socket down when
the deadline passes, whatever the request is doing; the blocked read then returns at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Any


class DeadlineExceeded(TimeoutError):
    """The whole request took longer than its deadline."""


class Watchdog:
    """`with Watchdog(seconds, connection):` cuts `connection.sock` when time is up."""

    def __init__(self, seconds: float, connection: Any) -> None:
        self.connection = connection
        self.fired = threading.Event()
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True

    def _cut(self) -> None:
        self.fired.set()
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Watchdog:
        self.timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.timer.cancel()
        if self.fired.is_set() and error is not None and not isinstance(error, DeadlineExceeded):
            raise DeadlineExceeded("the request passed its deadline") from error
