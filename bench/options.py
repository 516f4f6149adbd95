"""The benchmark's options, the machine it ran on, and how it stops (see `python -m bench`)."""

from __future__ import annotations

import argparse
import os
import platform
import signal
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
DESCRIPTION = "teleframe beside the framework floor, in one run on this machine."


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    parser.add_argument("--duration", type=float, default=12, help="seconds of wrk load per row")
    parser.add_argument("--latency-duration", type=float, default=15, help="seconds of paced load")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--sessions", type=int, default=400, help="sessions the load spreads over")
    parser.add_argument("--drain-timeout", type=float, default=120, help="max seconds to drain")
    parser.add_argument("--poll-ms", type=float, default=5, help="verdict poll interval (latency)")
    parser.add_argument("--skip-micro", action="store_true", help="skip policy and report rows")
    parser.add_argument(
        "--skip-shapes", action="store_true", help="skip the 1 + 1 and embedded rows"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON result")
    return parser.parse_args(argv)


def stop_on_sigterm() -> None:
    def handler(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in background


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
