"""Check-ins sent as a careful platform sends them, and the tally of what became of them.

Each check-in carries its own `Idempotency-Key`; on a connection error, a timeout or a 503 the
same request is sent again (after `Retry-After`, capped) until it is accepted. So a client never
gives up, and every effect the server made is either the one accepted check-in or a duplicate.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

from tests.faults.production.stack import Stack
from tests.samples import GOOD_CHECKIN


@dataclass
class Tally:
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> check-in id
    accepted_at: dict[str, float] = field(default_factory=dict)  # check-in id -> when
    sent: int = 0
    unavailable: int = 0  # 503 with Retry-After: allowed while a dependency is down
    server_errors: list[str] = field(default_factory=list)  # any other 5xx, or 503 without
    connection_errors: int = 0
    replays: int = 0
    accepts: list[tuple[float, float]] = field(default_factory=list)  # (sent at, seconds)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(stack: Stack, path: str, body: bytes, key: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=15)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Authorization": f"Bearer {stack.key}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Load:
    """`threads` platforms, each sending check-ins to `sessions` until `stop()`."""

    def __init__(self, stack: Stack, sessions: list[str], threads: int = 3, pause: float = 0.02):
        self.stack = stack
        self.sessions = sessions
        self.tally = Tally()
        self.pause = pause
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _run(self, number: int) -> None:
        body = json.dumps(GOOD_CHECKIN).encode()
        turn = number
        while not self._stopping.is_set():
            session = self.sessions[turn % len(self.sessions)]
            turn += 1
            self.send(f"/v1/sessions/{session}/checkins", body, f"load-{uuid.uuid4()}")
            time.sleep(self.pause)

    def send(self, path: str, body: bytes, key: str) -> str:
        """Until accepted: the same key every time, as a platform's retry would."""
        tally = self.tally
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with tally.lock:
                tally.sent += 1
            started = time.monotonic()
            try:
                status, headers, payload = _post(self.stack, path, body, key)
            except (OSError, http.client.HTTPException):
                with tally.lock:
                    tally.connection_errors += 1
                time.sleep(0.2)
                continue
            if status == 202:
                checkin_id = json.loads(payload)["checkin_id"]
                with tally.lock:
                    tally.replays += headers.get("Idempotent-Replayed") == "true"
                    tally.accepts.append((started, time.monotonic() - started))
                    if tally.accepted.setdefault(key, checkin_id) != checkin_id:
                        tally.server_errors.append(f"key {key} answered two check-ins")
                    tally.accepted_at.setdefault(checkin_id, time.monotonic())
                return str(checkin_id)
            with tally.lock:
                if status == 503 and headers.get("Retry-After"):
                    tally.unavailable += 1
                elif status >= 500:
                    tally.server_errors.append(f"{status}: {payload[:200]!r}")
                else:
                    raise AssertionError(f"unexpected {status}: {payload[:300]!r}")
            retry_after = float(headers.get("Retry-After") or 1)
            time.sleep(min(retry_after, 1.0))
        raise AssertionError(f"not accepted within 120 s: {key}")


def evaluated(stack: Stack, checkin_ids: list[str]) -> dict[str, int]:
    """How many evaluations each check-in has (absent: none yet)."""
    if not checkin_ids:
        return {}
    rows = stack.pg.query(
        "SELECT checkin_id::text, count(*) FROM evaluations"
        " WHERE checkin_id = ANY(%s::uuid[]) GROUP BY checkin_id",
        checkin_ids,
    )
    return {str(checkin): int(count) for checkin, count in rows}  # type: ignore[call-overload]


def stored_checkins(stack: Stack, sessions: list[str]) -> int:
    rows = stack.pg.query(
        "SELECT count(*) FROM checkins WHERE session_id = ANY(%s::uuid[])", sessions
    )
    return int(rows[0][0])  # type: ignore[call-overload]
