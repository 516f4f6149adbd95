"""Plain HTTP against a teleframe process the test started (no test client in between)."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import soon


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


def init_practice(command: list[str], cwd: Path, env: dict[str, str], *options: str) -> str:
    """`teleframe init` as a user runs it; returns the practice's API key it prints."""
    done = subprocess.run(
        [*command, "init", *options],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    key = re.search(r"(tf_[A-Za-z0-9]{16,})", done.stdout)
    assert key, done.stdout + done.stderr
    return key.group(1)


@contextlib.contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """`teleframe serve` on a free port, its output in `cwd/serve.log`: yields the base URL
    once /healthz answers, and stops it afterwards."""
    port = free_port()
    log_path = cwd / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port)], cwd=cwd, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def new_session(base: str, key: str) -> str:
    """A clinician, a client and their session starting soon, through the API at `base`."""
    licence = {"jurisdiction": "US-CA", "kind": "LMFT", "number": "LMFT-1"}
    body = {"name": "Dana Reyes", "home_jurisdiction": "US-CA", "licenses": [licence]}
    _, clinician = call(base, "POST", "/v1/clinicians", key, body)
    _, client = call(base, "POST", "/v1/clients", key, {"display_name": "Sam Client"})
    start = soon()
    status, session = call(base, "POST", "/v1/sessions", key, {
        "clinician_id": clinician["id"], "client_id": client["id"],
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(minutes=50)).isoformat(),
    })  # fmt: skip
    assert status == 201, session
    return str(session["id"])
