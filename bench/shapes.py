"""The rows beside the production shape: the embedded default, and 1 API + 1 worker process.

Same wrk load, same check-in bodies, in the same run as the floor (see `python -m bench`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bench import load, stack, workload

PROBE_BODIES = [json.dumps(body) for _k, _s, body in workload.ACCEPTED_VARIANTS]


def probe(
    workdir: Path, name: str, port: int, fixture: workload.Fixture, rate: float, **config: Any
) -> dict[str, Any]:
    """bench.latency_probe at `rate` (open loop), polling or with `mode="wait"`."""
    settings = {
        "port": port,
        "key": fixture.key,
        "rate": max(rate, 1.0),
        "session_ids": fixture.session_ids,
        "bodies": PROBE_BODIES,
        **config,
    }
    config_path, out_path = workdir / f"{name}.json", workdir / f"{name}-out.json"
    config_path.write_text(json.dumps(settings))
    subprocess.run(
        [sys.executable, "-m", "bench.latency_probe", str(config_path), str(out_path)],
        cwd=stack.ROOT,
        check=True,
        timeout=float(settings["duration"]) + 120,
    )
    result: dict[str, Any] = json.loads(out_path.read_text())
    result["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    print(
        f"  {name}: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
        f"({result['verdicts_seen']} verdicts, {result['errors']} errors)"
    )
    return result


@contextmanager
def evaluations_counter(db_url: str) -> Iterator[Callable[[], int]]:
    """How many verdicts are stored, read on a connection of its own."""
    with psycopg.connect(stack.plain_url(db_url), autocommit=True) as conn:

        def evaluations() -> int:
            row = conn.execute("SELECT count(*) FROM evaluations").fetchone()
            return int(row[0]) if row else 0

        yield evaluations


def wait_processed(db_url: str, timeout: float) -> None:
    """Until the worker has processed every stored webhook (or `timeout`)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(stack.plain_url(db_url), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM inbound_events WHERE processed_at IS NULL"
            ).fetchone()
            if not row or not row[0]:
                return
            time.sleep(0.2)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """`load_settings()` reads the environment: the embedded settings, as `serve` sees them."""
    saved = {
        name: os.environ.pop(name) for name in list(os.environ) if name.startswith("TELEFRAME_")
    }
    os.environ.update(values)
    try:
        yield
    finally:
        for name in values:
            os.environ.pop(name, None)
        os.environ.update(saved)


def embedded(
    procs: stack.Processes,
    workdir: Path,
    wrk: load.WrkOptions,
    sessions: int,
    latency: dict[str, Any],
    drain_timeout: float,
) -> dict[str, Any]:
    """`teleframe serve` as a new user runs it (SQLite, the embedded Redis, one solo worker,
    waitress with 8 threads): check-ins/s to stored verdict, then `Prefer: wait` latency."""
    from config.settings import load_settings
    from teleframe import create_app

    data_dir = workdir / "embedded"
    env = {"TELEFRAME_DATA_DIR": str(data_dir)}
    port = stack.free_port()
    command = [sys.executable, "-m", "teleframe.cli", "serve", "--port", str(port)]
    print("embedded: starting teleframe serve (SQLite, embedded Redis, solo worker)")
    item = procs.start("embedded-serve", command, env)
    stack.wait_http(item, f"http://127.0.0.1:{port}/healthz", timeout=120)
    with _environment(env):
        fixture = workload.populate(create_app(load_settings()), sessions=sessions)
    script = workload.write_lua(
        workdir / "embedded-checkins.lua",
        workload.checkin_requests(fixture),
        {"Content-Type": "application/json", "Authorization": f"Bearer {fixture.key}"},
    )
    database = sqlite3.connect(f"file:{data_dir / 'teleframe.db'}?mode=ro", uri=True, timeout=30)

    def evaluations() -> int:
        row = database.execute("SELECT count(*) FROM evaluations").fetchone()
        return int(row[0]) if row else 0

    print(f"embedded: {wrk.describe()} POST check-ins, then drain to stored verdicts")
    try:
        result = load.to_drained(
            f"http://127.0.0.1:{port}",
            script,
            wrk,
            evaluations,
            lambda http: int(http["n2xx"]),
            drain_timeout,
        )
        print(f"  embedded: {result['items_per_s']} check-ins/s to stored verdict")
        result["latency_wait"] = probe(
            workdir, "embedded-wait", port, fixture, result["items_per_s"] / 2, **latency
        )
        result["memory"] = stack.memory(item)
    finally:
        database.close()
        procs.stop(item)
    time.sleep(0.5)  # its children have exited with it (serve stops every child)
    return result
