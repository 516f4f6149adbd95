"""A receiver that answers one byte at a time: each read arrives well inside any per-read
timeout, so only a deadline on the whole request ends it."""

from __future__ import annotations

import socket
import threading
import time

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class DripReceiver:
    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.accepted = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/slow"

    def _serve(self) -> None:
        self.server.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                connection.recv(65536)
                for byte in ANSWER:
                    if self.stopped.wait(self.every):
                        return
                    connection.sendall(bytes([byte]))
            except OSError:
                return  # the client hung up: what a deadline does

    def __enter__(self) -> DripReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.server.close()
        time.sleep(0)
