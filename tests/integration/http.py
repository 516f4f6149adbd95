"""Plain HTTP against a teleframe process the test started (no test client in between)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(
    base: str, method: str, path: str, key: str, body: object = None, timeout: float = 5
) -> tuple[int, Any]:
    status, _, answer = exchange(base, method, path, key, body, timeout)
    return status, answer


def exchange(
    base: str,
    method: str,
    path: str,
    key: str,
    body: object = None,
    timeout: float = 5,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, Any]:
    """(status, response headers, JSON body or None when empty)."""
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, _json(error.read())


def _json(raw: bytes) -> Any:
    return json.loads(raw) if raw else None
