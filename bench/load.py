"""Saturating load with wrk, timed until the work it caused is drained."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRK_MISSING = (
    "wrk is not installed. It is the load generator (Debian package `wrk`):\n"
    "    sudo apt-get update && sudo apt-get install -y wrk"
)


@dataclass(frozen=True)
class WrkOptions:
    duration: float = 12.0
    threads: int = 2
    connections: int = 32

    def describe(self) -> str:
        return f"wrk -t{self.threads} -c{self.connections} -d{self.duration:g}s"


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(url: str, script: Path, options: WrkOptions) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{options.duration:g}s",
        "--timeout", "10s",
        "-s", str(script),
        url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=options.duration + 60)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
            return result
    raise RuntimeError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def to_drained(
    url: str,
    script: Path,
    options: WrkOptions,
    drained: Callable[[], int],
    expected: Callable[[dict[str, Any]], int],
    drain_timeout: float = 120.0,
) -> dict[str, Any]:
    """Run wrk, then wait until `drained()` has grown by `expected(wrk result)`.

    The figure is work items per second from the first request to the last item drained:
    the API and the workers share the machine, as they do in a top-of-the-hour burst.
    """
    before = drained()
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    http = run_wrk(url, script, options)
    load_ended = time.monotonic()
    at_load_end = drained() - before
    target = expected(http)
    count = at_load_end
    while count < target and time.monotonic() - load_ended < drain_timeout:
        time.sleep(0.05)
        count = drained() - before
    finished = time.monotonic()
    elapsed = finished - began
    return {
        "http": http,
        "work_items": target,
        "drained": count,
        "complete": count >= target,
        "drained_during_load": at_load_end,
        "seconds_to_drained": round(elapsed, 2),
        "drain_tail_seconds": round(finished - load_ended, 2),
        "items_per_s": round(count / elapsed, 1),
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "requests_per_s_to_drained": round(
            http["requests"] * min(count / max(target, 1), 1) / elapsed, 1
        ),
    }
