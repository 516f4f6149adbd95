"""A webhook receiver on 127.0.0.1 that answers from a script and keeps what it was sent."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    def __init__(self, port: int = 0) -> None:
        """`port`: a fixed one, so a receiver stopped and started again keeps its URL."""
        self.script: list[Answer] = []
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        self.secret: str | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/teleframe?src=test"

    def answer(self, *answers: Answer | int) -> None:
        self.script.extend(a if isinstance(a, Answer) else Answer(a) for a in answers)

    def verify(self, item: Received) -> Any:
        """The Standard Webhooks check a subscriber runs (raises when the signature is wrong)."""
        assert self.secret is not None
        return Webhook(self.secret).verify(item.body, item.headers)

    def wait(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.received)} of {count} webhooks arrived")
                self.arrived.wait(left)
        return list(self.received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                with receiver.arrived:
                    receiver.received.append(Received(self.path, headers, body))
                    answer = receiver.script.pop(0) if receiver.script else Answer()
                    receiver.arrived.notify_all()
                time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "24")
                try:
                    self.end_headers()
                    self.wfile.write(b"response body, not kept.")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # teleframe gave up waiting (its deadline): what these tests expect

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
